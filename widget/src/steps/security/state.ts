/**
 * The security settings' flows (docs/elements.md#flows): the page's and the open dialog's states,
 * the dialog's fields, and where feedback about them belongs. Pure: the element holds the
 * controllers, the steps (render modules beside this file) draw the states.
 */
import type {
  FederationLinksResponse,
  MfaSetupResponse,
  SecurityOverview,
  SubUserMfaStatus,
  SubUserView,
} from '../../../../shared/src/api.ts';

/** What a `jd-security-change` event reports as changed. */
export type SecurityChange =
  | 'security_phone'
  | 'security_email'
  | 'contact_phone'
  | 'contact_email'
  | 'password'
  | 'mfa'
  | 'sub_users'
  | 'federation'
  | 'credentials';
/**
 * The dialogs: a change, adding/replacing an unverified security email by link, binding/unbinding MFA, new recovery codes,
 * a signed-in sub-user binding its own MFA (mfa_own), creating a sub-user, confirming a sub-user's deletion or the
 * disassociation of its MFA device, setting a sub-user's password (after a step-up); linking and unlinking an
 * upstream account (fed_link, fed_unlink: the provider's id in `id`), setting the account name and password of an
 * account created upstream (credentials: the name in `name`, the password in `newPassword`).
 */
export type Dialog =
  | Exclude<SecurityChange, 'mfa' | 'sub_users' | 'federation'>
  | 'fed_link'
  | 'fed_unlink'
  | 'add_email'
  | 'mfa_bind'
  | 'mfa_unbind'
  | 'mfa_codes'
  | 'mfa_own'
  | 'sub_create'
  | 'sub_delete'
  | 'sub_disassociate'
  | 'sub_password'
  | 'export_data'
  | 'close_account';
/**
 * method: choose how to verify identity (for TOTP also its code); step_up: the code sent; value: the new
 * phone/email; code: the code sent there; wait: a request runs; qr: the MFA secret and its first code;
 * codes: the recovery codes, shown once; unbind: confirm unbinding MFA; own_pw: a sub-user's password
 * before its own binding (sub-users have no contacts for a step-up).
 */
export type Step =
  | 'method'
  | 'step_up'
  | 'value'
  | 'code'
  | 'password'
  | 'link'
  | 'support'
  | 'wait'
  | 'qr'
  | 'codes'
  | 'unbind'
  | 'own_pw'
  | 'sub_create'
  | 'sub_delete'
  | 'sub_disassociate'
  | 'sub_password'
  | 'phone_apply'
  | 'phone_applied'
  | 'export_data'
  | 'close_account'
  | 'fed_link'
  | 'fed_unlink'
  | 'credentials';
/** `name` is a new sub-user's; its password is `newPassword` */
export type Field =
  | 'code'
  | 'phone'
  | 'email'
  | 'currentPassword'
  | 'newPassword'
  | 'name'
  | 'idNumber'
  | 'enterpriseName'
  | 'idPhoto'
  | 'businessLicence';
/** the dialog's values: its fields, the chosen method, channel and region, the checkboxes, the sub-user's id */
/** `standing`: a lost security phone's application — `personal`/`enterprise` (may apply), `none` (not real-name verified), `pending`, `unknown` */
export type Value = Field | 'method' | 'channel' | 'region' | 'ack' | 'mfa' | 'id' | 'standing' | 'provider';
export type Values = Partial<Record<Value, string>>;

/** The page: not known yet, nobody signed in, a primary account, or a sub-user (its own MFA only). */
export type PageState =
  | { step: 'loading' }
  | { step: 'signedOut' }
  /** `links`: the upstream accounts (undefined when the BFF offers none) */
  | { step: 'primary'; overview: SecurityOverview; subs: SubUserView[]; links?: FederationLinksResponse | undefined }
  | { step: 'subUser'; own: SubUserMfaStatus };

/**
 * The open dialog: closed, or one dialog at one step with its values; the MFA secret being bound
 * (step qr) and the recovery codes (step codes, shown once) live in the state, so closing drops them.
 */
export type DialogState =
  { step: 'closed' } | { step: Step; dialog: Dialog; values: Values; setup?: MfaSetupResponse; codes?: string[] };

/** The row (`data-row`) whose action opened a dialog: its "saved" shows there. */
export function rowOf(d: Dialog | SecurityChange): string {
  if (d === 'add_email') return 'security-email';
  if (d.startsWith('mfa')) return 'mfa';
  if (d.startsWith('sub')) return 'sub-users';
  if (d === 'export_data' || d === 'close_account') return 'closing';
  if (d === 'fed_link' || d === 'fed_unlink' || d === 'federation') return 'federation';
  return d.replace('_', '-');
}

/** The step after identity verification (or without it); `wait`: MFA setup and new recovery codes ask the BFF first. */
export function dialogAfterStepUp(d: Dialog): Step {
  if (d === 'mfa_codes' || d === 'mfa_bind') return 'wait';
  if (d === 'mfa_unbind') return 'unbind';
  if (d === 'password') return 'password';
  return d.startsWith('sub') || /^(export_data|close_account|fed_link|fed_unlink|credentials)$/.test(d)
    ? (d as Step)
    : 'value';
}

export function isOverview(r: unknown): r is SecurityOverview {
  return typeof r === 'object' && r !== null && 'stepUpMethods' in r;
}
