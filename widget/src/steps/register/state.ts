/**
 * Registration's flow state and its step-1 memory (docs/product.md#6-registration; docs/elements.md).
 * The steps follow the product's three: phone verified by code → account name and password →
 * enable the service. Field values live beside the state (RegisterValues) so Back keeps them.
 */
import type { SignedIn } from '../../../../shared/src/api.ts';
import type { ErrorCode } from '../../../../shared/src/errors.ts';
import { isPhoneRegion, type PhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import type { CodeChannel } from '../../../../shared/src/rules/code.ts';

export type RegisterState =
  | { step: 'phone' }
  | { step: 'account'; phoneInUse: boolean }
  | { step: 'service'; phoneInUse: boolean }
  | { step: 'done'; signedIn: SignedIn };

export type RegisterStep = RegisterState['step'];

/** The steps the progress indicator lists, in order. */
export const PROGRESS_STEPS = ['phone', 'account', 'service'] as const;

export interface RegisterValues {
  region: PhoneRegion;
  phone: string;
  channel: CodeChannel;
  code: string;
  /** the one consent line: every agreement of the tenant, each at the version shown */
  accepted: boolean;
  accountName: string;
  password: string;
  referralCode: string;
  email: string;
}

/** Request-body paths the BFF reports issues for, plus `send` (the send-code button). */
export type RegisterField =
  'phone.region' | 'phone.number' | 'code' | 'agreements' | 'accountName' | 'password' | 'referralCode' | 'email';

/** Which step shows each field (a registration error on an earlier step goes back to it). */
export const STEP_OF: Record<RegisterField, 'phone' | 'account' | 'service'> = {
  'phone.region': 'phone',
  'phone.number': 'phone',
  code: 'phone',
  agreements: 'phone',
  accountName: 'account',
  password: 'account',
  referralCode: 'service',
  email: 'service',
};

/** The element id of each field's control; its error is `<id>-error`. */
export const CONTROL_ID: Record<RegisterField, string> = {
  'phone.region': 'jd-region',
  'phone.number': 'jd-phone',
  code: 'jd-code',
  agreements: 'jd-agreements',
  accountName: 'jd-account-name',
  password: 'jd-password',
  referralCode: 'jd-referral',
  email: 'jd-email',
};

/** Where a server error without a (known) field path belongs; undefined: the action's status. */
export function fieldForCode(code: ErrorCode): RegisterField | undefined {
  if (code.startsWith('account_name_')) return 'accountName';
  if (code.startsWith('password_')) return 'password';
  if (code === 'phone_region_not_allowed') return 'phone.region';
  if (code === 'phone_invalid') return 'phone.number';
  if (code === 'code_cooldown' || code === 'code_daily_limit') return undefined; // the send button's status
  if (code.startsWith('code_')) return 'code';
  if (code === 'agreements_required') return 'agreements';
  if (code === 'referral_code_invalid') return 'referralCode';
  if (code === 'email_invalid') return 'email';
  return undefined;
}

export function fieldForPath(path: string): RegisterField | undefined {
  if (path === 'phone' || path === 'phone.number') return 'phone.number';
  if (path === 'phone.region') return 'phone.region';
  if (path.startsWith('agreements')) return 'agreements';
  return (['accountName', 'password', 'code', 'referralCode', 'email'] as const).find((f) => f === path);
}

// ---- come back later: step 1 kept for this tab ------------------------------------------------

/**
 * What step 1 leaves in sessionStorage so a user who wanders off (to read an SMS, an agreement)
 * comes back to where they were: never the password or anything of steps 2 and 3. Kept only while
 * the code is valid; dropped on expiry and after registering.
 */
export interface SavedPhoneStep {
  region: PhoneRegion;
  phone: string;
  code: string;
  channel: CodeChannel;
  accepted: boolean;
  /** when the code stops being valid (ms since the epoch) */
  expiresAt: number;
  /** the code passed the check of step 1: come back at step 2 */
  verified: boolean;
  phoneInUse: boolean;
}

export const storageKey = (publishableKey: string): string => `jd-register:${publishableKey}`;

function storage(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined; // storage disabled (e.g. sandboxed frame): nothing is kept
  }
}

export function loadPhoneStep(publishableKey: string, now = Date.now()): SavedPhoneStep | undefined {
  const s = storage();
  const key = storageKey(publishableKey);
  let raw: string | null = null;
  try {
    raw = s?.getItem(key) ?? null;
  } catch {
    return undefined;
  }
  if (!raw) return undefined;
  let v: Partial<SavedPhoneStep> | undefined;
  try {
    v = JSON.parse(raw) as Partial<SavedPhoneStep>;
  } catch {
    v = undefined;
  }
  const valid =
    !!v &&
    isPhoneRegion(v.region) &&
    typeof v.phone === 'string' &&
    typeof v.code === 'string' &&
    (v.channel === 'sms' || v.channel === 'voice') &&
    typeof v.accepted === 'boolean' &&
    typeof v.expiresAt === 'number' &&
    typeof v.verified === 'boolean' &&
    typeof v.phoneInUse === 'boolean';
  if (!valid || v!.expiresAt! <= now) {
    dropPhoneStep(publishableKey);
    return undefined;
  }
  return v as SavedPhoneStep;
}

export function savePhoneStep(publishableKey: string, data: SavedPhoneStep): void {
  try {
    storage()?.setItem(storageKey(publishableKey), JSON.stringify(data));
  } catch {
    /* full or disabled: the user just starts again */
  }
}

export function dropPhoneStep(publishableKey: string): void {
  try {
    storage()?.removeItem(storageKey(publishableKey));
  } catch {
    /* disabled */
  }
}
