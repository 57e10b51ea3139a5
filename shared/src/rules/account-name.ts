import type { ErrorCode } from '../errors.ts';

// docs/product.md#1-account-names: 4–20 code points; Han, English letters, digits, - and _; not digits only.
// Checked on the NFKC form (which includes NFC), the form that is stored and shown.
export const ACCOUNT_NAME_MIN = 4;
export const ACCOUNT_NAME_MAX = 20;
const ALLOWED = /^[\p{Script=Han}A-Za-z0-9_-]+$/u;
const DIGITS_ONLY = /^[0-9]+$/;

/**
 * The canonical form of a name: NFKC, so compatibility characters become the character they
 * stand for before the rule is checked and before the name is stored — full-width `ＡＢ１` is
 * `AB1`, the Kangxi radical `⼈` (U+2F08) is `人`. A name is shown as it is stored, so two
 * accounts can never display the same text differently encoded.
 */
export function normalizeAccountName(raw: string): string {
  return raw.normalize('NFKC');
}

/**
 * The form used for uniqueness and for sign-in by name: NFKC, lower case, NFKC again (lower-casing
 * can un-normalise in other scripts; for the characters a name allows it is a no-op).
 * docs/product.md#1-account-names: unique within a tenant, compared case-insensitively.
 */
export function foldAccountName(raw: string): string {
  return normalizeAccountName(raw).toLowerCase().normalize('NFKC');
}

/**
 * Characters that look like another allowed character, mapped to one prototype, in the spirit of
 * Unicode TS #39's skeleton (section 4), restricted to what a name may contain.
 * - From confusables.txt (Han/CJK source, ASCII target): 〇 U+3007 IDEOGRAPHIC NUMBER ZERO → O.
 *   Its other Han→ASCII entries (丶 → \, 丿 → /, ⼂, ⼃) target characters a name cannot have, and
 *   Kangxi radicals / compatibility ideographs are already folded by NFKC.
 * - Our additions, where a Han character is drawn as a single stroke that reads as an allowed
 *   ASCII character in common CJK fonts (confusables.txt maps these only within Han): 一 U+4E00
 *   → -, 丨 U+4E28 → l.
 * - Classic ASCII look-alikes (confusables.txt: 0 → O, 1 → l, I → l; plus i, which folding and
 *   many fonts put next to l): 0 → o, 1 → l, i → l.
 */
const CONFUSABLE_CHARS: Readonly<Record<string, string>> = {
  '\u3007': 'o',
  '\u4e00': '-',
  '\u4e28': 'l',
  '0': 'o',
  '1': 'l',
  i: 'l',
};
/** Letter pairs that read as one letter (confusables.txt: m → rn, w → vv), applied after the table above. */
const CONFUSABLE_SEQUENCES: readonly [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

/**
 * The skeleton of a name: its fold with look-alikes mapped to a prototype. Two names with the same
 * skeleton are the same name for registration (the second is refused as taken): `hello_o` and
 * `hell0_0`, `Alice_01` and `ＡＬＩＣＥ_01`, `人人abc1` and `⼈⼈abc1`, `modern` and `rnodern`.
 */
export function accountNameSkeleton(raw: string): string {
  let s = '';
  for (const ch of foldAccountName(raw)) s += CONFUSABLE_CHARS[ch] ?? ch;
  for (const [pattern, prototype] of CONFUSABLE_SEQUENCES) s = s.replace(pattern, prototype);
  return s;
}

/** Counts Unicode code points, not UTF-16 units, so rare Han characters count as one. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Every rule the name breaks, in display order; empty when it is valid. */
export function accountNameProblems(raw: string): ErrorCode[] {
  const name = normalizeAccountName(raw);
  const problems: ErrorCode[] = [];
  const len = codePointLength(name);
  if (len < ACCOUNT_NAME_MIN) problems.push('account_name_too_short');
  if (len > ACCOUNT_NAME_MAX) problems.push('account_name_too_long');
  if (len > 0 && !ALLOWED.test(name)) problems.push('account_name_invalid_chars');
  if (DIGITS_ONLY.test(name)) problems.push('account_name_digits_only');
  return problems;
}

export function isValidAccountName(raw: string): boolean {
  return accountNameProblems(raw).length === 0;
}
