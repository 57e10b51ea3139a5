// Generated from captcha.css by widget/css-modules.ts (npm run build:widget): edit the .css file, not this one.
import { unsafeCSS } from 'lit';

export default unsafeCSS(".captcha{display:grid;gap:var(--_s2);padding:var(--_s3);border:1px solid var(--_line);border-radius:var(--_radius);background:var(--_bg)}.captcha:focus{outline:none}.captcha:focus-visible{outline:2px solid var(--_focus);outline-offset:1px}.captcha-title{font-weight:600}.captcha-box{min-height:65px}.captcha-box:empty{display:none}.captcha>button{justify-self:start}");
