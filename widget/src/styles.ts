/**
 * Design tokens and the base look shared by every jd-* element. Portals theme the elements with
 * the CSS custom properties below (they inherit through the shadow boundary) and `::part()`.
 *
 * Tokens: --jd-color-primary, --jd-color-primary-text, --jd-color-error, --jd-color-success,
 * --jd-color-text, --jd-color-muted, --jd-color-border, --jd-color-background, --jd-color-focus,
 * --jd-radius, --jd-font-family, --jd-font-size, --jd-spacing, --jd-max-width.
 * The tenant's branding (primary colour, corner radius) is the default under the portal's own values.
 */
import { css } from 'lit';

export const tokens = css`
  :host{
    --_primary:var(--jd-color-primary,var(--jd-brand-primary,#e1251b));
    --_primary-text:var(--jd-color-primary-text,#ffffff);
    --_error:var(--jd-color-error,#b3261e);
    --_success:var(--jd-color-success,#1b6e3a);
    --_text:var(--jd-color-text,#1f2329);
    --_muted:var(--jd-color-muted,#5c6370);
    --_border:var(--jd-color-border,#8a9099);
    --_bg:var(--jd-color-background,#ffffff);
    --_focus:var(--jd-color-focus,#1a5fb4);
    --_radius:var(--jd-radius,var(--jd-brand-radius,4px));
    --_space:var(--jd-spacing,0.75rem);
    display:block;
    box-sizing:border-box;
    max-width:var(--jd-max-width,28rem);
    color:var(--_text);
    background:var(--_bg);
    padding:var(--jd-padding,1.25rem);
    border-radius:var(--jd-card-radius,8px);
    font-family:var(--jd-font-family,system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif);
    font-size:var(--jd-font-size,1rem);
    line-height:1.5
  }
  :host([hidden]){
    display:none
  }
  *,*::before,*::after{
    box-sizing:inherit
  }
`;

export const base = css`
  h2{
    font-size:1.25em;
    margin:0 0 var(--_space)
  }
  h3{
    font-size:1.1em;
    margin:0 0 calc(var(--_space) * 0.5)
  }
  [part~='logo']{
    display:block;
    height:32px;
    width:auto;
    max-width:100%;
    object-fit:contain;
    margin:0 0 var(--_space)
  }
  form{
    display:grid;
    gap:var(--_space)
  }
  fieldset{
    border:1px solid var(--_border);
    border-radius:var(--_radius);
    margin:0;
    padding:var(--_space);
    display:grid;
    gap:calc(var(--_space) * 0.75);
    min-width:0
  }
  legend{
    font-weight:600;
    padding:0 0.25em
  }
  .field{
    display:grid;
    gap:0.25em
  }
  label{
    font-weight:500
  }
  input:not([type='checkbox']):not([type='radio']),select{
    font:inherit;
    color:inherit;
    background:var(--_bg);
    border:1px solid var(--_border);
    border-radius:var(--_radius);
    padding:0.5em 0.625em;
    width:100%;
    min-width:0
  }
  input[aria-invalid='true'],select[aria-invalid='true']{
    border-color:var(--_error)
  }
  input:focus-visible,select:focus-visible,button:focus-visible,a:focus-visible{
    outline:2px solid var(--_focus);
    outline-offset:2px
  }
  button{
    font:inherit;
    cursor:pointer;
    border-radius:var(--_radius);
    padding:0.5em 1em;
    border:1px solid var(--_primary);
    background:var(--_bg);
    color:var(--_primary)
  }
  button[type='submit']{
    background:var(--_primary);
    color:var(--_primary-text);
    font-weight:600
  }
  button:disabled{
    cursor:not-allowed;
    opacity:0.65
  }
  a{
    color:var(--_focus)
  }
  .row{
    display:flex;
    gap:0.5em;
    align-items:flex-end
  }
  .row>.grow{
    flex:1
  }
  .choice{
    display:flex;
    gap:0.5em;
    align-items:flex-start;
    font-weight:normal
  }
  .choice input{
    margin-top:0.3em
  }
  .inline{
    display:flex;
    gap:1.25em;
    flex-wrap:wrap
  }
  .hint{
    color:var(--_muted);
    font-size:0.875em;
    margin:0
  }
  .error{
    color:var(--_error);
    font-size:0.875em;
    margin:0
  }
  .ok{
    color:var(--_success);
    font-size:0.875em;
    margin:0
  }
  .status{
    margin:0;
    padding:0.5em 0.75em;
    border-radius:var(--_radius);
    border:1px solid currentColor
  }
  .status:empty{
    padding:0;
    border:0
  }
  .status.is-error{
    color:var(--_error)
  }
  .status.is-ok{
    color:var(--_success)
  }
  .checklist{
    list-style:none;
    margin:0;
    padding:0;
    font-size:0.875em;
    display:grid;
    gap:0.125em
  }
  .checklist li::before{
    display:inline-block;
    width:1.25em;
    content:'○';
    color:var(--_muted)
  }
  .checklist li[data-met]::before{
    content:'✓';
    color:var(--_success)
  }
  .sr-only{
    position:absolute;
    width:1px;
    height:1px;
    padding:0;
    margin:-1px;
    overflow:hidden;
    clip:rect(0,0,0,0);
    white-space:nowrap;
    border:0
  }
  .footer{
    display:flex;
    gap:0.5em;
    align-items:baseline;
    flex-wrap:wrap
  }
  .link-button{
    border:none;
    background:none;
    padding:0;
    color:var(--_focus);
    text-decoration:underline
  }
`;
