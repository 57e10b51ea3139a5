// Generated from recovery-codes.css by widget/css-modules.ts (npm run build:widget): edit the .css file, not this one.
import { unsafeCSS } from 'lit';

export default unsafeCSS(".codes{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:var(--_s1) var(--_s3);margin:0;padding:var(--_s3);list-style:none;border-radius:var(--_radius);background:color-mix(in srgb,var(--_text) 6%,transparent);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:center}ol code,[part=secret] code{font-size:1.1em;letter-spacing:.05em}");
