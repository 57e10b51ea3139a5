// Generated from choice.css by widget/css-modules.ts (npm run build:widget): edit the .css file, not this one.
import { unsafeCSS } from 'lit';

export default unsafeCSS(".code-row{display:flex;flex-wrap:wrap;gap:var(--_s2)}.code-row>input{flex:1 1 9rem}.code-row>button{flex:1 0 auto;max-width:100%;white-space:nowrap}.channel,.inline{display:flex;flex-wrap:wrap;gap:var(--_s1) var(--_s4)}.choice{display:flex;gap:.5em;align-items:flex-start;font-weight:400}.channel .choice,.consent{font-size:var(--_fs-s);color:var(--_muted)}.row{display:flex;gap:var(--_s2);align-items:flex-end}.row>.grow{flex:1}");
