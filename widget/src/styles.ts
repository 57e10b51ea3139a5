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
 * The CSS is written as CSS, in .css files; each has a generated `.css.ts` module (the CSS
 * minified by esbuild, as a Lit CSSResult) that the sources import (widget/css-modules.ts). `tokens` and `base` (styles/tokens.css, styles/base.css) are every
 * element's; the rest live beside the markup they style, so a page with <jd-login> alone does not
 * download the security settings' rows and dialogs: parts/choice.css (code row, channel and
 * consent choices), parts/password-checklist.css, steps/register/progress.css,
 * steps/security/*.css. A step module loaded later adds its own (src/parts/lazy-steps.ts).
 */
import tokens from './styles/tokens.css.ts';
import base from './styles/base.css.ts';

export { base, tokens };
