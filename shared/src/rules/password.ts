import type { ErrorCode } from '../errors.ts';
import { codePointLength, foldAccountName } from './account-name.ts';
import { isCommonPassword } from './common-passwords.ts';

export type CharClass = 'letter' | 'digit' | 'symbol';

/**
 * Which characters a password may contain: `ascii` = printable ASCII without the space (the
 * default); `unicode` = any printable Unicode, spaces and Han characters included (NIST SP
 * 800-63B 3.1.1.2, ASVS 6.2.9) — only control characters, line/paragraph separators and lone
 * surrogates are refused.
 */
export type PasswordCharset = 'ascii' | 'unicode';

/**
 * A tenant's password policy (docs/product.md#2-passwords): lengths, the classes that must all be
 * present, and the least number of distinct classes.
 */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  /** classes that must each appear */
  requiredClasses: CharClass[];
  /** at least this many distinct classes must appear */
  minClasses: number;
  /** refuse a password equal to the account name (case-insensitive) */
  forbidAccountName: boolean;
  /** refuse passwords on the common-password blocklist */
  blockCommon: boolean;
  /** absent = 'ascii' (every config stored before the NIST preset existed) */
  charset?: PasswordCharset;
  /** the preset this policy was chosen as, for display; absent = custom or stored before presets had names */
  preset?: PasswordPresetName;
}

/** The default: the stricter of the two source rules — 7–20, letters + digits + symbols (docs/product.md#2-passwords). */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 7,
  maxLength: 20,
  requiredClasses: ['letter', 'digit', 'symbol'],
  minClasses: 3,
  forbidAccountName: true,
  blockCommon: true,
};

/** The older, looser source rule — 6–20, at least two classes (docs/product.md#2-passwords). */
export const LEGACY_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 6,
  maxLength: 20,
  requiredClasses: [],
  minClasses: 2,
  forbidAccountName: true,
  blockCommon: true,
};

/**
 * NIST SP 800-63B 3.1.1.2 / ASVS 6.2.1, 6.2.9, 6.2.5: at least 8, at least 64 allowed (we allow
 * exactly 64: long enough for any passphrase, short enough to bound argon2's input), any printable
 * Unicode, no composition rules; the blocklist and "not the account name" still apply.
 */
export const NIST_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  maxLength: 64,
  requiredClasses: [],
  minClasses: 0,
  forbidAccountName: true,
  blockCommon: true,
  charset: 'unicode',
  preset: 'nist',
};

export const PASSWORD_PRESETS = {
  default: { ...DEFAULT_PASSWORD_POLICY, preset: 'default' },
  legacy: { ...LEGACY_PASSWORD_POLICY, preset: 'legacy' },
  nist: NIST_PASSWORD_POLICY,
} as const satisfies Record<string, PasswordPolicy>;
export type PasswordPresetName = 'default' | 'legacy' | 'nist';
export const PASSWORD_PRESET_NAMES = ['default', 'legacy', 'nist'] as const satisfies readonly PasswordPresetName[];

/**
 * The form of a password that rules are checked on and that is hashed: NFKC, as NIST SP 800-63B
 * 5.1.1.2 recommends, so the same passphrase typed through a different input method (full-width
 * letters from a Chinese IME, composed vs decomposed accents) is the same secret. Printable ASCII is
 * NFKC-invariant, and every password stored before the NIST preset was printable ASCII, so every
 * existing hash still verifies.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

// Printable ASCII without the space: letters, digits and "English symbols other than spaces" (docs/product.md#2-passwords).
const ALLOWED = /^[\x21-\x7e]*$/;
// The unicode charset refuses what is not printable text: C0/C1 controls and DEL (Cc), line and
// paragraph separators (Zl, Zp) and lone surrogates (Cs, which a well-formed string never has).
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}]/u;
const CLASS_TEST: Record<CharClass, RegExp> = {
  letter: /[A-Za-z]/,
  digit: /[0-9]/,
  symbol: /[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/,
};

export function classesIn(password: string): CharClass[] {
  return (Object.keys(CLASS_TEST) as CharClass[]).filter((k) => CLASS_TEST[k].test(password));
}

/** One line of the live checklist the widget shows while the user types. */
export interface ChecklistItem {
  id: 'length' | 'chars' | CharClass | 'classes' | 'not_account_name' | 'not_common';
  met: boolean;
  params?: Record<string, number>;
}

/**
 * The checklist, computed by the same code the BFF runs; the widget renders it as is. It lists
 * the tenant's actual rule: the unicode charset has no "only letters, digits and symbols" item
 * (its one character rule, no control characters, is checked by passwordProblems).
 */
export function passwordChecklist(raw: string, policy: PasswordPolicy, accountName = ''): ChecklistItem[] {
  const password = normalizePassword(raw);
  const present = classesIn(password);
  const length = codePointLength(password);
  const items: ChecklistItem[] = [
    {
      id: 'length',
      met: length >= policy.minLength && length <= policy.maxLength,
      params: { min: policy.minLength, max: policy.maxLength },
    },
  ];
  for (const cls of policy.requiredClasses) items.push({ id: cls, met: present.includes(cls) });
  if (policy.minClasses > policy.requiredClasses.length) {
    items.push({ id: 'classes', met: present.length >= policy.minClasses, params: { n: policy.minClasses } });
  }
  if ((policy.charset ?? 'ascii') === 'ascii') items.push({ id: 'chars', met: ALLOWED.test(password) });
  if (policy.forbidAccountName) {
    items.push({
      id: 'not_account_name',
      met: password.length === 0 || accountName === '' || foldAccountName(password) !== foldAccountName(accountName),
    });
  }
  if (policy.blockCommon) items.push({ id: 'not_common', met: password.length === 0 || !isCommonPassword(password) });
  return items;
}

const ITEM_CODE: Record<ChecklistItem['id'], (p: string, policy: PasswordPolicy) => ErrorCode> = {
  length: (p, policy) =>
    codePointLength(normalizePassword(p)) < policy.minLength ? 'password_too_short' : 'password_too_long',
  chars: () => 'password_invalid_chars',
  letter: () => 'password_missing_letter',
  digit: () => 'password_missing_digit',
  symbol: () => 'password_missing_symbol',
  classes: () => 'password_too_few_classes',
  not_account_name: () => 'password_equals_account_name',
  not_common: () => 'password_too_common',
};

/** Every rule the password breaks, as error codes; empty when it is acceptable. */
export function passwordProblems(password: string, policy: PasswordPolicy, accountName = ''): ErrorCode[] {
  if (password.length === 0) return ['password_too_short'];
  const problems = passwordChecklist(password, policy, accountName)
    .filter((i) => !i.met)
    .map((i) => ITEM_CODE[i.id](password, policy));
  if (policy.charset === 'unicode' && UNPRINTABLE.test(password)) problems.unshift('password_unprintable');
  return problems;
}
