/**
 * What any text the product accepts may contain (docs/security.md#text-input): no control characters
 * and no lone UTF-16 surrogates. Postgres refuses NUL in a text value and a lone surrogate is not
 * Unicode at all (it cannot be stored or shown faithfully); control characters split log lines,
 * headers and CSV exports and hide text on screen. One rule for every field, widget and BFF alike.
 */

/** C0 (U+0000–U+001F, with NUL), DEL (U+007F) and C1 (U+0080–U+009F). */
// eslint-disable-next-line no-control-regex -- matching control characters is this rule's purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, but TAB, LF and CR are allowed: for the few multi-line fields (a rejection reason). */
// eslint-disable-next-line no-control-regex -- matching control characters is this rule's purpose
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/**
 * A high surrogate not followed by a low one, or a low one not preceded by a high one (what
 * String.prototype.isWellFormed tells, spelled out so that older browsers and ES2023 types have it).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface TextRule {
  /** allow TAB, LF and CR (never in a single-line field: a name, an identifier, a password) */
  multiline?: boolean;
}

/** True when the text has a control character (see TextRule) or a lone surrogate. */
export function hasInvalidTextChars(value: string, rule: TextRule = {}): boolean {
  return (rule.multiline ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(value) || LONE_SURROGATE.test(value);
}

/** The same characters dropped: for values that are only recorded, never refused (a User-Agent). */
export function withoutInvalidTextChars(value: string): string {
  return value.replace(new RegExp(`${CONTROL.source}|${LONE_SURROGATE.source}`, 'g'), '');
}
