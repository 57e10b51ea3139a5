import type { ErrorCode } from '../errors.ts';

// PRODUCT.md "Account name": 4–20 code points after NFC; Han, English letters, digits, - and _; not digits only.
export const ACCOUNT_NAME_MIN = 4;
export const ACCOUNT_NAME_MAX = 20;
const ALLOWED = /^[\p{Script=Han}A-Za-z0-9_-]+$/u;
const DIGITS_ONLY = /^[0-9]+$/;

export function normalizeAccountName(raw: string): string {
  return raw.normalize('NFC');
}

/** The form used for uniqueness: NFC, then lower case (PRODUCT.md: unique case-insensitively). */
export function foldAccountName(raw: string): string {
  return normalizeAccountName(raw).toLowerCase();
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
