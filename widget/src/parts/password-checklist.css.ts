// Generated from password-checklist.css by widget/css-modules.ts (npm run build:widget): edit the .css file, not this one.
import { unsafeCSS } from 'lit';

export default unsafeCSS(".checklist{display:grid;gap:.125em;margin:0;padding:0;list-style:none;font-size:var(--_fs-s);color:var(--_muted)}.checklist li:before{content:\"\\25cb\";display:inline-block;width:1.5em}.checklist li[data-met]{color:var(--_success)}.checklist li[data-met]:before{content:\"\\2713\"}");
