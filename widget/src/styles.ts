/**
 * Design tokens and the base look shared by every jd-* element. Portals theme the elements with
 * the CSS custom properties below (they inherit through the shadow boundary) and `::part()`.
 *
 * Tokens: --jd-color-primary, --jd-color-primary-text, --jd-color-error, --jd-color-success,
 * --jd-color-text, --jd-color-muted, --jd-color-border, --jd-color-background, --jd-color-focus,
 * --jd-radius, --jd-font-family, --jd-font-size, --jd-spacing, --jd-max-width, --jd-padding,
 * --jd-card-radius. The tenant's branding (--jd-brand-primary, --jd-brand-radius) is the default
 * under the portal's own values. The dark defaults follow `prefers-color-scheme`; a portal that
 * sets a token keeps it in both schemes. Every default pair meets WCAG AA contrast.
 *
 * The styled markup is the vocabulary of docs/elements.md (`.step`, `.field`, `.actions`, …).
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    --_primary: var(--jd-color-primary, var(--jd-brand-primary, #e1251b));
    --_primary-text: var(--jd-color-primary-text, #fff);
    --_error: var(--jd-color-error, #b3261e);
    --_success: var(--jd-color-success, #1b6e3a);
    --_text: var(--jd-color-text, #1f2329);
    --_muted: var(--jd-color-muted, #5c6370);
    --_border: var(--jd-color-border, #8a9099);
    --_bg: var(--jd-color-background, #fff);
    --_focus: var(--jd-color-focus, #1a5fb4);
    --_radius: var(--jd-radius, var(--jd-brand-radius, 6px));
    --_space: var(--jd-spacing, 0.75rem);
    /* spacing and type scales */
    --_s1: calc(var(--_space) / 3);
    --_s2: calc(var(--_space) / 1.5);
    --_s3: var(--_space);
    --_s4: calc(var(--_space) * 1.5);
    --_s5: calc(var(--_space) * 2);
    --_fs-s: 0.875em;
    --_fs-l: 1.375em;
    --_control: 2.75rem;
    --_line: color-mix(in srgb, var(--_border) 40%, transparent);
    --_font: var(
      --jd-font-family,
      system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      'Helvetica Neue',
      Arial,
      'PingFang SC',
      'Microsoft YaHei',
      sans-serif
    );
    display: block;
    max-width: var(--jd-max-width, 28rem);
    padding: var(--jd-padding, var(--_s5) var(--_s4));
    border: 1px solid var(--_line);
    border-radius: var(--jd-card-radius, 12px);
    box-shadow: 0 1px 2px rgb(0 0 0 / 6%), 0 8px 24px rgb(0 0 0 / 8%);
    color: var(--_text);
    background: var(--_bg);
    font-size: var(--jd-font-size, 1rem);
    line-height: 1.5;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_error: var(--jd-color-error, #ffb4ab);
      --_success: var(--jd-color-success, #7fd69b);
      --_text: var(--jd-color-text, #e6e8eb);
      --_muted: var(--jd-color-muted, #a9afb8);
      --_border: var(--jd-color-border, #7b818b);
      --_bg: var(--jd-color-background, #1c1e22);
      --_focus: var(--jd-color-focus, #8ab4f8);
      box-shadow: 0 8px 24px rgb(0 0 0 / 40%);
      color-scheme: dark;
    }
  }
  @media (max-width: 30rem) {
    :host {
      padding: var(--jd-padding, var(--_s4) var(--_s3));
    }
  }
  :host([hidden]) {
    display: none;
  }
  :host,
  .root {
    box-sizing: border-box;
    font-family: var(--_font);
  }
  /* Chinese: CJK glyphs first, and words such as 已绑定 never split (docs/elements.md) */
  :host(:lang(zh)),
  .root:lang(zh) {
    --_font: var(
      --jd-font-family,
      'PingFang SC',
      'Hiragino Sans GB',
      'Microsoft YaHei',
      'Noto Sans CJK SC',
      system-ui,
      sans-serif
    );
    word-break: keep-all;
    line-break: strict;
    overflow-wrap: anywhere;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
`;

export const base = css`
  .root,
  .step,
  form {
    display: grid;
    gap: var(--_s3);
    min-width: 0;
  }
  h2,
  h3,
  p {
    margin: 0;
  }
  .step-title,
  h2 {
    font-size: var(--_fs-l);
    font-weight: 650;
    line-height: 1.3;
  }
  h3,
  .dialog .step-title {
    font-size: 1.125em;
    font-weight: 650;
    line-height: 1.35;
  }
  /* headings take focus only to move the screen reader along (docs/elements.md); no ring */
  .step-title:focus {
    outline: none;
  }
  .step-lead {
    margin-top: calc(var(--_s2) * -1);
    color: var(--_muted);
  }
  .section-title {
    margin-top: var(--_s3);
    font-size: var(--_fs-s);
    font-weight: 600;
    color: var(--_muted);
  }
  [part~='logo'] {
    display: block;
    height: 32px;
    width: auto;
    max-width: 100%;
    object-fit: contain;
    margin-bottom: var(--_s2);
  }
  a {
    color: var(--_focus);
    text-underline-offset: 0.15em;
  }

  /* progress: three numbered steps; the current one and those before it in the primary colour */
  .progress {
    display: flex;
    gap: var(--_s2);
    margin: 0;
    padding: 0;
    list-style: none;
    counter-reset: step;
    font-size: var(--_fs-s);
    color: var(--_muted);
  }
  .progress li {
    flex: 1;
    counter-increment: step;
    padding-top: var(--_s2);
    border-top: 3px solid var(--_line);
  }
  .progress li::before {
    content: counter(step) '. ';
  }
  .progress li:has(~ [aria-current='step']),
  .progress [aria-current='step'] {
    border-color: var(--_primary);
  }
  .progress [aria-current='step'] {
    color: var(--_text);
    font-weight: 600;
  }
  /* on a phone a third of the card is too narrow for a label: the bars, and "2 / 3" under the
     current one (the step's heading names it; the labels stay for screen readers) */
  @media (max-width: 30rem) {
    .progress .step-label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
    .progress li::before {
      content: none;
    }
    .progress [aria-current='step']::before {
      content: counter(step) ' / ' attr(data-of);
      white-space: nowrap;
    }
  }

  /* fields */
  fieldset {
    display: grid;
    gap: var(--_s2);
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    margin-bottom: var(--_s1);
  }
  .field {
    display: grid;
    gap: var(--_s1);
    min-width: 0;
  }
  label,
  .label {
    font-weight: 500;
  }
  .hint {
    color: var(--_muted);
    font-size: var(--_fs-s);
  }
  :where(input:not([type='checkbox'], [type='radio']), select) {
    width: 100%;
    min-width: 0;
    min-height: var(--_control);
    padding: 0.5em 0.75em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    font: inherit;
    color: inherit;
    background: var(--_bg);
  }
  :where(input:not([type='checkbox'], [type='radio']), select):hover {
    border-color: var(--_text);
  }
  :where(input, select):focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 1px;
    border-color: var(--_focus);
  }
  :where(input:disabled, select:disabled) {
    opacity: 0.6;
    cursor: not-allowed;
  }
  input[type='checkbox'],
  input[type='radio'] {
    width: 1.125em;
    height: 1.125em;
    margin: 0.2em 0 0;
    flex: none;
    accent-color: var(--_primary);
  }
  .otp {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 1.25em;
    letter-spacing: 0.4em;
  }
  .password {
    position: relative;
  }
  .password input {
    padding-right: calc(var(--_control) + 0.25em);
  }
  /* CJK fonts draw the mask dots full-width */
  input[type='password'] {
    font-family: system-ui, sans-serif;
  }
  .password .reveal {
    position: absolute;
    top: 50%;
    right: 0.25em;
    transform: translateY(-50%);
    width: 2.25rem;
    min-height: 2.25rem;
    padding: 0;
    border: 0;
    background: none;
    color: var(--_muted);
  }
  /* after every other input rule: the invalid border always shows */
  :is(input, select)[aria-invalid='true'] {
    border-color: var(--_error);
  }
  .field-error,
  .error,
  .ok {
    display: flex;
    gap: 0.4em;
    align-items: baseline;
    font-size: var(--_fs-s);
    color: var(--_error);
  }
  .ok {
    color: var(--_success);
  }
  /* an icon with the text, so an error is not told by colour alone */
  .field-error::before,
  .status::before {
    content: '!';
    flex: none;
    display: inline-grid;
    place-items: center;
    width: 1.3em;
    height: 1.3em;
    border: 1.5px solid currentColor;
    border-radius: 50%;
    font-size: 0.75em;
    font-weight: 700;
    line-height: 1;
    transform: translateY(-0.1em);
  }

  /* one-time code + send button on one line, wrapping on narrow screens */
  .code-row {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s2);
  }
  .code-row > input {
    flex: 1 1 9rem;
  }
  .code-row > button {
    flex: 1 0 auto;
    max-width: 100%;
    white-space: nowrap;
  }
  .channel,
  .inline {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s1) var(--_s4);
  }
  .choice {
    display: flex;
    gap: 0.5em;
    align-items: flex-start;
    font-weight: 400;
  }
  .channel .choice {
    font-size: var(--_fs-s);
    color: var(--_muted);
  }
  .consent {
    font-size: var(--_fs-s);
    color: var(--_muted);
  }
  .row {
    display: flex;
    gap: var(--_s2);
    align-items: flex-end;
  }
  .row > .grow {
    flex: 1;
  }

  /* buttons: plain <button> looks secondary, a submit button primary */
  button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.5em;
    min-height: var(--_control);
    padding: 0.5em 1.25em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    font: inherit;
    font-weight: 600;
    color: var(--_text);
    background: transparent;
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_text) 6%, transparent);
  }
  .btn-primary,
  button[type='submit'] {
    border-color: var(--_primary);
    color: var(--_primary-text);
    background: var(--_primary);
  }
  .btn-primary:hover:not(:disabled),
  button[type='submit']:hover:not(:disabled) {
    background: color-mix(in srgb, var(--_primary) 88%, #000);
  }
  .btn-primary:active:not(:disabled),
  button[type='submit']:active:not(:disabled) {
    background: color-mix(in srgb, var(--_primary) 76%, #000);
  }
  .btn-link,
  .link-button {
    min-height: 0;
    padding: 0;
    border: 0;
    font-weight: 500;
    color: var(--_focus);
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }
  .btn-link:hover:not(:disabled),
  .link-button:hover:not(:disabled) {
    background: none;
    text-decoration-thickness: 2px;
  }
  button:focus-visible,
  a:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button[aria-busy='true'] {
    cursor: progress;
    opacity: 0.8;
  }
  button[aria-busy='true']::before {
    content: '';
    width: 1em;
    height: 1em;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: jd-spin 0.7s linear infinite;
  }
  @keyframes jd-spin {
    to {
      transform: rotate(1turn);
    }
  }

  /* the row of buttons ending a step or dialog: primary first; stacked full width on phones */
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s2);
    margin-top: var(--_s1);
  }
  .actions > button {
    flex: 1 1 auto;
  }
  .actions > :is(.btn-primary, [type='submit']) {
    order: -1;
    flex-basis: 100%;
  }
  .actions > :is(.btn-link, .link-button) {
    flex: none;
  }
  @media (max-width: 30rem) {
    .actions {
      display: grid;
    }
  }

  /* the status of an action, right under its button */
  .status {
    display: flex;
    gap: 0.5em;
    align-items: baseline;
    padding: 0.5em 0.75em;
    border-radius: var(--_radius);
    font-size: var(--_fs-s);
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .status.is-error {
    color: var(--_error);
  }
  .status.is-ok {
    color: var(--_success);
  }
  .status.is-ok::before {
    content: '✓';
  }
  .status.is-info {
    color: var(--_text);
  }
  .status.is-info::before {
    content: 'i';
    color: var(--_focus);
  }
  .status:empty {
    padding: 0;
  }
  .status:empty::before,
  .status:not([class*='is-'])::before {
    content: none;
  }

  /* security settings rows */
  .rows {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .row-item {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_s1) var(--_s3);
    padding: var(--_s3) 0;
  }
  .row-item + .row-item {
    border-top: 1px solid var(--_line);
  }
  .dialog .row-item {
    border: 0;
    padding: var(--_s1) 0;
  }
  .row-label {
    font-weight: 500;
    min-width: 6em;
  }
  .row-value {
    flex: 1 1 8em;
    /* never squeezed to a letter per line beside badges and buttons: the row wraps instead */
    min-width: min(8em, 100%);
    color: var(--_muted);
  }
  .row-action {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_s2);
    margin-left: auto;
  }
  .row-action button {
    min-height: 2.25rem;
    padding: 0.25em 0.875em;
    font-size: var(--_fs-s);
  }

  /* native modal dialog */
  .dialog {
    width: calc(100vw - 2rem);
    max-width: min(28rem, 100vw - 2rem);
    max-height: calc(100dvh - 2rem);
    overflow: auto;
    padding: var(--_s4);
    border: 1px solid var(--_line);
    border-radius: var(--jd-card-radius, 12px);
    color: var(--_text);
    background: var(--_bg);
    box-shadow: 0 16px 48px rgb(0 0 0 / 24%);
  }
  .dialog[open] {
    display: grid;
    gap: var(--_s3);
  }
  .dialog::backdrop {
    background: rgb(15 17 20 / 55%);
  }
  @media (max-width: 30rem) {
    .dialog {
      padding: var(--_s3);
    }
  }

  /* recovery codes */
  .codes {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: var(--_s1) var(--_s3);
    margin: 0;
    padding: var(--_s3);
    list-style: none;
    border-radius: var(--_radius);
    background: color-mix(in srgb, var(--_text) 6%, transparent);
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    text-align: center;
  }

  .checklist {
    display: grid;
    gap: 0.125em;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: var(--_fs-s);
    color: var(--_muted);
  }
  .checklist li::before {
    content: '○';
    display: inline-block;
    width: 1.5em;
  }
  .checklist li[data-met] {
    color: var(--_success);
  }
  .checklist li[data-met]::before {
    content: '✓';
  }

  .footer {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: var(--_s1) var(--_s2);
    padding-top: var(--_s3);
    border-top: 1px solid var(--_line);
    font-size: var(--_fs-s);
    color: var(--_muted);
  }

  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
