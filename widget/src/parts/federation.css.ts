// Generated from federation.css by widget/css-modules.ts (npm run build:widget): edit the .css file, not this one.
import { unsafeCSS } from 'lit';

export default unsafeCSS(".federation{display:grid;gap:var(--_s2);margin-top:var(--_s3)}.divider{display:flex;align-items:center;gap:var(--_s2);margin:0;font-size:var(--_fs-s);color:var(--_muted)}.divider:before,.divider:after{content:\"\";flex:1;border-top:1px solid var(--_line)}.federation-button{display:flex;align-items:center;justify-content:center;gap:.5em;width:100%;min-width:0;overflow-wrap:anywhere}.federation-button img{flex:none}");
