import type { ColumnType, Generated, Insertable, RawBuilder, Selectable } from 'kysely';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import type { TenantConfig } from '../../../shared/src/tenant.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface TenantsTable {
  id: Generated<string>;
  slug: string;
  publishable_key: string;
  config: ColumnType<TenantConfig, RawBuilder<TenantConfig>, RawBuilder<TenantConfig>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AccountsTable {
  id: Generated<string>;
  tenant_id: string;
  /** null for an account created through an upstream provider until it sets a name (migration 0018) */
  account_name: string | null;
  account_name_folded: string | null;
  /** look-alike prototype of the name (accountNameSkeleton, migration 0012); indexed, not unique */
  account_name_skeleton: string | null;
  /** null for an account created through an upstream provider until it sets a password */
  password_hash: string | null;
  referral_code: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  real_name_type: Generated<'personal' | 'enterprise' | null>;
  real_name: Generated<string | null>;
  real_name_id_hash: Generated<string | null>;
  real_name_enterprise: Generated<string | null>;
  real_name_verified_at: Generated<Date | null>;
  /** a lost security phone's approved application: a new one may be bound by its own code alone until then */
  security_phone_rebind_until: Generated<Date | null>;
  /** set by the tenant's back office (admin API): no sign-in, no sessions */
  disabled_at: Generated<Date | null>;
  /** the user's last locale (migration 0015): messages sent outside the user's own requests use it */
  locale: Generated<Locale | null>;
  /** closing (migration 0016): when the user asked; cleared when the closing is cancelled */
  closing_requested_at: Generated<Date | null>;
  /** when the account is erased (closing_requested_at + the tenant's cooling-off days) */
  closes_at: Generated<Date | null>;
  /** when it was erased: the row is a tombstone from then on */
  closed_at: Generated<Date | null>;
}

export interface MfaApplicationsTable {
  id: Generated<string>;
  tenant_id: string;
  account_id: string;
  type: 'personal' | 'enterprise';
  applicant_name: string;
  phone: string;
  id_number_hash: string;
  id_number_last4: string;
  enterprise_name: string | null;
  /** what the application asks for: disassociating a lost MFA device, or binding a new security phone */
  purpose: Generated<'mfa' | 'security_phone'>;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  reason: string | null;
  created_at: Timestamp;
  reviewed_at: Timestamp | null;
}

/** The tenant's secret keys for the admin API (docs/product.md#15-tenants-and-keys): only a hash of the key is kept. */
export interface AdminKeysTable {
  key_id: string;
  tenant_id: string;
  secret_hash: string;
  label: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface StoredFilesTable {
  id: Generated<string>;
  tenant_id: string;
  owner_id: string;
  kind: string;
  content_type: string;
  size: number;
  bytes: Uint8Array;
  created_at: Timestamp;
}

export type ContactKind = 'phone' | 'email';
export type ContactRole = 'security' | 'contact';

export interface AccountContactsTable {
  id: Generated<string>;
  tenant_id: string;
  account_id: string;
  kind: ContactKind;
  role: ContactRole;
  value: string;
  verified_at: Timestamp | null;
  can_sign_in: boolean;
  created_at: Timestamp;
}

export interface VerificationCodesTable {
  id: Generated<string>;
  tenant_id: string;
  /** set for account-bound purposes (step-up, contact change) */
  account_id: string | null;
  purpose: string;
  target: string;
  channel: 'sms' | 'voice' | 'email';
  code_hash: string;
  attempts: Generated<number>;
  client_ip: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  voided_at: Timestamp | null;
  /** the outbox message that carried it */
  delivery_id: Generated<string | null>;
  seq: Generated<string | number>;
}

export interface SessionsTable {
  id_hash: string;
  tenant_id: string;
  account_id: string;
  mode: 'cookie' | 'token';
  created_at: Timestamp;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  /** until when this session may make sensitive changes (step-up: docs/product.md#9-step-up-verification) */
  step_up_expires_at: Timestamp | null;
  /** password passed, MFA code still due: the session can do nothing else */
  mfa_pending: Generated<boolean>;
  mfa_failures: Generated<number>;
  /** set when a sub-user of account_id signed in */
  sub_user_id: string | null;
  /** stable, non-secret session id: the `sid` claim of tokens for tenants' backends */
  sid: Generated<string>;
  /** when the MFA step of sign-in passed (tokens say amr ["pwd","otp"]) */
  mfa_verified_at: Generated<Date | null>;
  /** how the first factor was given: null = the password, 'phone_code', 'federation' (tokens' `amr`) */
  sign_in_method: Generated<SignInMethod | null>;
  /** the upstream provider's id when signed in through one (tokens' `idp`) */
  idp: Generated<string | null>;
}

export type SignInMethod = 'phone_code' | 'federation';

/** An upstream subject linked to an account (docs/product.md#25-sign-in-with-an-upstream-account). */
export interface FederatedIdentitiesTable {
  tenant_id: string;
  account_id: string;
  provider: string;
  subject: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

/** One round trip to an upstream provider (migration 0018): each stage's secret only as a hash. */
export interface FederationFlowsTable {
  id: Generated<string>;
  tenant_id: string;
  provider: string;
  intent: 'sign_in' | 'link';
  account_id: string | null;
  state_hash: string;
  launch_hash: string | null;
  binding_hash: string | null;
  code_verifier: string;
  nonce: string;
  return_to: string;
  mode: 'cookie' | 'token';
  locale: Locale | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  returned_at: Timestamp | null;
  handle_hash: string | null;
  outcome: ColumnType<
    FederationOutcome | null,
    RawBuilder<FederationOutcome> | null,
    RawBuilder<FederationOutcome> | null
  >;
  ticket_hash: string | null;
  finished_at: Timestamp | null;
}

/** What the callback found, kept for the page to resume (never holds an upstream token). */
export type FederationOutcome =
  | { kind: 'signed_in'; accountId: string }
  | { kind: 'activation'; subject: string; phone?: string; email?: string; name?: string }
  | { kind: 'linked' }
  | { kind: 'error'; code: string };

export interface SubUsersTable {
  id: Generated<string>;
  tenant_id: string;
  primary_account_id: string;
  name: string;
  name_folded: string;
  password_hash: string;
  mfa_required: Generated<boolean>;
  disabled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** when the primary account last disassociated this sub-user's MFA device; cleared once the sub-user is told */
  mfa_reset_at: Generated<Date | null>;
}

export interface MfaDevicesTable {
  id: Generated<string>;
  tenant_id: string;
  account_id: string;
  /** null: the primary account's own device */
  sub_user_id: Generated<string | null>;
  secret_enc: string;
  confirmed_at: Timestamp | null;
  setup_expires_at: Timestamp | null;
  last_step: ColumnType<string | number | null, number | null, number | null>;
  created_at: Timestamp;
}

export interface MfaRecoveryCodesTable {
  id: Generated<string>;
  tenant_id: string;
  account_id: string;
  code_hash: string;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface ConsentsTable {
  id: Generated<string>;
  tenant_id: string;
  account_id: string;
  agreement_key: string;
  version: string;
  locale: string;
  accepted_at: Timestamp;
}

export interface EmailVerificationsTable {
  id: Generated<string>;
  tenant_id: string;
  account_id: string;
  email: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  /** the locale the link's email was written in: its landing page speaks it too (migration 0015) */
  locale: Generated<Locale | null>;
}

export interface OutboxTable {
  id: Generated<string>;
  tenant_id: string;
  channel: 'sms' | 'voice' | 'email';
  recipient: string;
  purpose: string;
  locale: string;
  subject: string | null;
  body: string;
  payload: ColumnType<
    Record<string, unknown>,
    RawBuilder<Record<string, unknown>> | undefined,
    RawBuilder<Record<string, unknown>>
  >;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  next_attempt_at: Timestamp;
  lease_id: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  provider: string | null;
  provider_message_id: string | null;
  updated_at: Timestamp | null;
  /** insertion order */
  seq: Generated<string | number>;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxAttemptsTable {
  id: Generated<string>;
  tenant_id: string;
  outbox_id: string;
  attempt: number;
  provider: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  ok: boolean;
  retryable: boolean;
  error: string | null;
  provider_message_id: string | null;
}

export interface AuditEventsTable {
  id: Generated<string>;
  seq: Generated<string | number>;
  tenant_id: string;
  account_id: string | null;
  type: string;
  outcome: 'success' | 'failure';
  ip: string | null;
  user_agent: string | null;
  detail: ColumnType<Record<string, string | number>, RawBuilder<Record<string, string | number>> | undefined, never>;
  created_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  accounts: AccountsTable;
  account_contacts: AccountContactsTable;
  verification_codes: VerificationCodesTable;
  sessions: SessionsTable;
  consents: ConsentsTable;
  email_verifications: EmailVerificationsTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptsTable;
  audit_events: AuditEventsTable;
  mfa_devices: MfaDevicesTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  sub_users: SubUsersTable;
  mfa_applications: MfaApplicationsTable;
  stored_files: StoredFilesTable;
  admin_keys: AdminKeysTable;
  signing_keys: SigningKeysTable;
  attempt_counters: AttemptCountersTable;
  idempotency_keys: IdempotencyKeysTable;
  federated_identities: FederatedIdentitiesTable;
  federation_flows: FederationFlowsTable;
  risk_counters: RiskCountersTable;
  message_budgets: MessageBudgetsTable;
  abuse_stats: AbuseStatsTable;
  captcha_tickets: CaptchaTicketsTable;
}

/** Code requests per risk signal in a one-hour window (migration 0019; bff/src/db/abuse.ts). */
export interface RiskCountersTable {
  tenant_id: string;
  key: string;
  hits: number;
  window_start: Timestamp;
}

/** Messages a tenant sent on a day (UTC+8) against its budget. */
export interface MessageBudgetsTable {
  tenant_id: string;
  /** yyyy-mm-dd */
  day: string;
  sent: number;
}

/** The operator's counters per tenant and day: outcome (sent, challenged, passed, refused) by reason. */
export interface AbuseStatsTable {
  tenant_id: string;
  day: string;
  outcome: 'sent' | 'challenged' | 'passed' | 'refused';
  reason: string;
  count: number;
}

/** A captcha ticket used once (its keyed hash). */
export interface CaptchaTicketsTable {
  tenant_id: string;
  ticket_hash: string;
  used_at: Timestamp;
}

/** A create request's Idempotency-Key and, once answered, its sealed answer (bff/src/http/idempotency.ts). */
export interface IdempotencyKeysTable {
  tenant_id: string;
  /** method, path and the acting account; '' in place of the account when anonymous */
  scope: string;
  key: string;
  /** sha256 of method, path and raw body */
  fingerprint: string;
  state: 'running' | 'done';
  /** the reservation's owner: only it stores or drops the answer */
  run_id: string;
  /** a running reservation not finished by then was abandoned */
  locked_until: Timestamp | null;
  status_code: number | null;
  /** { headers, body } of the answer, sealed with a key derived from JD_SECRET (crypto.ts seal) */
  response_enc: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** One limited key's attempts in its current window (bff/src/services/limits.ts). */
export interface AttemptCountersTable {
  key: string;
  hits: number;
  window_start: Timestamp;
  last_at: Timestamp;
  max_hits: number;
  window_seconds: number;
  backoff_seconds: number;
}

/** A tenant's ES256 key for tokens to its backend; retired_at null = the current signer. */
export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  alg: string;
  public_jwk: ColumnType<Record<string, string>, RawBuilder<Record<string, string>>, never>;
  /** the private JWK, sealed with a key derived from JD_SECRET (crypto.ts seal) */
  private_key_enc: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export type TenantRow = Selectable<TenantsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type ContactRow = Selectable<AccountContactsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxMessage = Insertable<OutboxTable>;
