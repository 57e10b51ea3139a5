import { sql, type Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import type { ContactKind, ContactRole, Database } from './schema.ts';

type Trx = Transaction<Database>;
type Conn = Db | Trx;

export async function insertAccount(
  trx: Trx,
  a: {
    tenantId: string;
    accountName: string | null;
    folded: string | null;
    skeleton: string | null;
    passwordHash: string | null;
    referralCode: string | null;
    /** the locale the user registered in, when the request named one */
    locale: Locale | null;
    now: Date;
  },
) {
  return trx
    .insertInto('accounts')
    .values({
      locale: a.locale,
      tenant_id: a.tenantId,
      account_name: a.accountName,
      account_name_folded: a.folded,
      account_name_skeleton: a.skeleton,
      password_hash: a.passwordHash,
      referral_code: a.referralCode,
      created_at: a.now,
      updated_at: a.now,
    })
    .returning(['id', 'account_name', 'created_at'])
    .executeTakeFirstOrThrow();
}

/**
 * Is a name with this fold or this skeleton (shared/src/rules/account-name.ts) registered in the
 * tenant? The skeleton catches look-alikes; the fold also catches an account whose fold was kept
 * through a collision by migration 0012.
 */
export async function accountNameExists(
  db: Conn,
  tenantId: string,
  name: { folded: string; skeleton: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([eb('account_name_skeleton', '=', name.skeleton), eb('account_name_folded', '=', name.folded)]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Everything sign-in needs about the candidate accounts in one round trip: the password hash,
 * whether MFA is bound, the binding's flags for a phone/email, and
 * the account summary for the answer.
 */
export function signInCandidates(
  db: Db,
  tenantId: string,
  by: { folded: string } | { kind: ContactKind; value: string },
) {
  return signInCandidatesQuery(db, tenantId, by).execute();
}

/** signInCandidates's query, unsent: password sign-in sends it along with its attempt reservation (services/limits.ts). */
export function signInCandidatesQuery(
  db: Db,
  tenantId: string,
  by: { folded: string } | { kind: ContactKind; value: string },
) {
  const q = signInCandidateQuery(db, tenantId);
  if ('folded' in by) {
    return q
      .select([sql<boolean>`true`.as('can_sign_in'), sql<Date | null>`null`.as('bound_verified_at')])
      .where('a.account_name_folded', '=', by.folded)
      .limit(1);
  }
  return q
    .innerJoin('account_contacts as c', (j) =>
      j.onRef('c.account_id', '=', 'a.id').onRef('c.tenant_id', '=', 'a.tenant_id'),
    )
    .select(['c.can_sign_in', 'c.verified_at as bound_verified_at'])
    .where('c.kind', '=', by.kind)
    .where('c.value', '=', by.value)
    .orderBy('c.created_at')
    .limit(20);
}

/** signInCandidatesQuery from one plain value (a compiled statement's: db/compiled.ts), sent along with the attempt reservation. */
export function signInCandidatesRead(
  db: Db,
  v: { tenantId: string; folded: string } | { tenantId: string; kind: ContactKind; value: string },
) {
  return signInCandidatesQuery(db, v.tenantId, 'folded' in v ? { folded: v.folded } : { kind: v.kind, value: v.value });
}

/** The account an upstream identity is linked to, as sign-in reads a candidate (docs/product.md#25-sign-in-with-an-upstream-account). */
export function signInCandidateById(db: Db, tenantId: string, accountId: string) {
  return signInCandidateQuery(db, tenantId)
    .select([sql<boolean>`true`.as('can_sign_in'), sql<Date | null>`null`.as('bound_verified_at')])
    .where('a.id', '=', accountId)
    .executeTakeFirst();
}

function signInCandidateQuery(db: Db, tenantId: string) {
  return accountSummaryQuery(db, tenantId).select([
    'a.password_hash',
    'a.disabled_at', // a disabled account is refused, after the right password only
    'a.closes_at', // so is one being closed (docs/product.md#24-closing-an-account)
    'a.closed_at',
    'a.locale', // recorded again only when the sign-in's differs

    sql<boolean>`exists (select 1 from mfa_devices m where m.tenant_id = a.tenant_id and m.account_id = a.id and m.sub_user_id is null and m.confirmed_at is not null)`.as(
      'has_mfa',
    ),
    // "key@version" of every agreement the account accepted: a tenant's new version is asked for at sign-in
    consentedColumn(),
  ]);
}

export function findAccountByFoldedName(db: Conn, tenantId: string, folded: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'password_hash'])
    .where('tenant_id', '=', tenantId)
    .where('account_name_folded', '=', folded)
    .executeTakeFirst();
}

/**
 * Is this value bound, VERIFIED, to any account of the tenant other than `exceptAccountId` (to
 * any account at all without one: registration asks before the account exists)? An unverified
 * binding proves nothing about who owns the value, so it never counts (services/contacts.ts:
 * the "can sign in" rule).
 */
export async function contactTakenElsewhere(
  db: Trx | Db,
  tenantId: string,
  kind: ContactKind,
  value: string,
  exceptAccountId?: string,
) {
  let query = db
    .selectFrom('account_contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('value', '=', value)
    .where('verified_at', 'is not', null);
  if (exceptAccountId !== undefined) query = query.where('account_id', '<>', exceptAccountId);
  const row = await query.limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Every binding of one value in the tenant, oldest first (to re-decide its "can sign in" flag). */
export function bindingsOfValue(trx: Trx, tenantId: string, kind: ContactKind, value: string) {
  return trx
    .selectFrom('account_contacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('value', '=', value)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Sets the "can sign in" flag of one binding (by its id). */
export async function setContactCanSignIn(trx: Trx, tenantId: string, id: string, canSignIn: boolean) {
  await trx
    .updateTable('account_contacts')
    .set({ can_sign_in: canSignIn })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function insertContact(
  trx: Trx,
  c: {
    tenantId: string;
    accountId: string;
    kind: ContactKind;
    role: ContactRole;
    value: string;
    verifiedAt: Date | null;
    canSignIn: boolean;
    now: Date;
  },
) {
  await trx
    .insertInto('account_contacts')
    .values({
      tenant_id: c.tenantId,
      account_id: c.accountId,
      kind: c.kind,
      role: c.role,
      value: c.value,
      verified_at: c.verifiedAt,
      can_sign_in: c.canSignIn,
      created_at: c.now,
    })
    .execute();
}

export async function insertConsents(
  trx: Trx,
  rows: { tenantId: string; accountId: string; key: string; version: string; locale: string; at: Date }[],
) {
  if (rows.length === 0) return;
  await trx
    .insertInto('consents')
    .values(
      rows.map((r) => ({
        tenant_id: r.tenantId,
        account_id: r.accountId,
        agreement_key: r.key,
        version: r.version,
        locale: r.locale,
        accepted_at: r.at,
      })),
    )
    .execute();
}

/**
 * "key@version" of every agreement the account (`a`) accepted, as a column: a tenant's new version
 * is asked for at sign-in and on the session check, and blocks tokens until accepted.
 */
export const consentedColumn = () =>
  sql<
    string[]
  >`coalesce((select array_agg(k.agreement_key || '@' || k.version) from consents k where k.tenant_id = a.tenant_id and k.account_id = a.id), '{}')`.as(
    'consented',
  );

/**
 * Records the user's locale on the account (docs/product.md#19-languages) — a write only when it
 * differs from the stored one, so repeating it costs no row lock and no dead tuple.
 */
export async function recordAccountLocale(db: Conn, tenantId: string, accountId: string, locale: Locale) {
  await db
    .updateTable('accounts')
    .set({ locale })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('locale', 'is', null), eb('locale', '<>', locale)]))
    .execute();
}

/** The account's last locale, if recorded. */
export async function accountLocale(db: Conn, tenantId: string, accountId: string): Promise<Locale | null> {
  const row = await db
    .selectFrom('accounts')
    .select('locale')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.locale ?? null;
}

/** Account summary columns: name and the security phone/email, in one query. */
export function accountSummaryQuery(db: Conn, tenantId: string) {
  return db
    .selectFrom('accounts as a')
    .leftJoin('account_contacts as p', (j) =>
      j
        .onRef('p.account_id', '=', 'a.id')
        .onRef('p.tenant_id', '=', 'a.tenant_id')
        .on('p.kind', '=', 'phone')
        .on('p.role', '=', 'security'),
    )
    .leftJoin('account_contacts as e', (j) =>
      j
        .onRef('e.account_id', '=', 'a.id')
        .onRef('e.tenant_id', '=', 'a.tenant_id')
        .on('e.kind', '=', 'email')
        .on('e.role', '=', 'security'),
    )
    .select([
      'a.id as account_id',
      'a.account_name',
      sql<boolean>`a.password_hash is not null`.as('has_password'),
      'a.created_at as account_created_at',
      'p.value as phone',
      'e.value as email',
      'e.verified_at as email_verified_at',
    ])
    .where('a.tenant_id', '=', tenantId);
}

export function findAccountSummary(db: Conn, tenantId: string, accountId: string) {
  return accountSummaryQuery(db, tenantId).where('a.id', '=', accountId).executeTakeFirst();
}

/** Locks the account row: concurrent changes of one account's contacts/password run one after another. */
export function lockAccount(trx: Trx, tenantId: string, accountId: string) {
  return trx
    .selectFrom('accounts')
    .select(['id', 'account_name', 'password_hash', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export function findAccount(db: Conn, tenantId: string, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'account_name', 'password_hash', 'created_at', 'security_phone_rebind_until'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
}

export function listContacts(db: Conn, tenantId: string, accountId: string) {
  return db
    .selectFrom('account_contacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .execute();
}

export async function deleteContact(
  trx: Trx,
  tenantId: string,
  accountId: string,
  kind: ContactKind,
  role: ContactRole,
): Promise<number> {
  const res = await trx
    .deleteFrom('account_contacts')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('kind', '=', kind)
    .where('role', '=', role)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function updatePasswordHash(trx: Trx, tenantId: string, accountId: string, hash: string, now: Date) {
  await trx
    .updateTable('accounts')
    .set({ password_hash: hash, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .execute();
}

/** Has the tenant's back office disabled this account (admin API)? */
export async function isAccountDisabled(db: Conn, tenantId: string, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('accounts')
    .select('disabled_at')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .executeTakeFirst();
  return Boolean(row?.disabled_at);
}

/** "key@version" of every agreement the account accepted. */
export async function consentedAgreements(db: Conn, tenantId: string, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('consents')
    .select(['agreement_key', 'version'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .execute();
  return rows.map((r) => `${r.agreement_key}@${r.version}`);
}
