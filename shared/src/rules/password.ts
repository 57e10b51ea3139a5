import type { ErrorCode } from '../errors.ts';
import { foldAccountName } from './account-name.ts';
import { isCommonPassword } from './common-passwords.ts';

export type CharClass = 'letter' | 'digit' | 'symbol';

/**
 * A tenant's password policy (PRODUCT.md "Password"): lengths, the classes that must all be
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
}

/** The default: the newer, stricter rule of seed 001 — 7–20, letters + digits + symbols. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 7,
  maxLength: 20,
  requiredClasses: ['letter', 'digit', 'symbol'],
  minClasses: 3,
  forbidAccountName: true,
  blockCommon: true,
};

/** The older preset of seed 003 — 6–20, at least two classes. */
export const LEGACY_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 6,
  maxLength: 20,
  requiredClasses: [],
  minClasses: 2,
  forbidAccountName: true,
  blockCommon: true,
};

export const PASSWORD_PRESETS = { default: DEFAULT_PASSWORD_POLICY, legacy: LEGACY_PASSWORD_POLICY } as const;

// Printable ASCII without the space: letters, digits and "English symbols other than spaces" (seed 001).
const ALLOWED = /^[\x21-\x7e]*$/;
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

/** The checklist, computed by the same code the BFF runs; the widget renders it as is. */
export function passwordChecklist(password: string, policy: PasswordPolicy, accountName = ''): ChecklistItem[] {
  const present = classesIn(password);
  const items: ChecklistItem[] = [
    {
      id: 'length',
      met: password.length >= policy.minLength && password.length <= policy.maxLength,
      params: { min: policy.minLength, max: policy.maxLength },
    },
  ];
  for (const cls of policy.requiredClasses) items.push({ id: cls, met: present.includes(cls) });
  if (policy.minClasses > policy.requiredClasses.length) {
    items.push({ id: 'classes', met: present.length >= policy.minClasses, params: { n: policy.minClasses } });
  }
  items.push({ id: 'chars', met: ALLOWED.test(password) });
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
  length: (p, policy) => (p.length < policy.minLength ? 'password_too_short' : 'password_too_long'),
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
  return passwordChecklist(password, policy, accountName)
    .filter((i) => !i.met)
    .map((i) => ITEM_CODE[i.id](password, policy));
}
