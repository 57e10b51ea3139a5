import type { CompiledQuery, InferResult, Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database, SessionsTable } from './schema.ts';
import { eventRow, type AuditEvent } from './audit.ts';
import type { Insertable } from 'kysely';
import { accountSummaryQuery, consentedColumn } from './accounts.ts';

type Conn = Db | Transaction<Database>;

export async function insertSession(trx: Conn, row: Insertable<SessionsTable>, event?: AuditEvent) {
  if (!event) {
    await trx.insertInto('sessions').values(row).execute();
    return;
  }
  // one statement, one commit: the session and its audit event (sign-in's hot path)
  await trx
    .with('new_session', (db) => db.insertInto('sessions').values(row).returning('id_hash'))
    .insertInto('audit_events')
    .values(eventRow(event))
    .execute();
}

function sessionWithAccount(db: Db, tenantId: string, idHash: string) {
  return accountSummaryQuery(db, tenantId)
    .innerJoin('sessions as s', (j) => j.onRef('s.account_id', '=', 'a.id').onRef('s.tenant_id', '=', 'a.tenant_id'))
    .leftJoin('sub_users as su', (j) =>
      j.onRef('su.id', '=', 's.sub_user_id').onRef('su.tenant_id', '=', 's.tenant_id'),
    )
    .select([
      's.id_hash',
      's.mode',
      's.last_seen_at',
      's.idle_expires_at',
      's.expires_at',
      's.step_up_expires_at',
      's.mfa_pending',
      's.sign_in_method',
      's.idp',
    ])
    .select([
      'su.id as sub_user_id',
      'su.name as sub_user_name',
      'su.disabled_at as sub_user_disabled_at',
      'a.disabled_at as account_disabled_at',
      // set once the account is being closed (docs/product.md#24-closing-an-account): no session counts
      'a.closing_requested_at as account_closing_at',
      // the user's last locale and accepted agreements: the session check records a new locale
      // and names agreements still to accept (docs/product.md#16-agreements) from this one read
      'a.locale as account_locale',
      consentedColumn(),
    ])
    .where('s.id_hash', '=', idHash);
}

type SessionRow = InferResult<ReturnType<typeof sessionWithAccount>>[number];

// The session check runs on every request of a signed-in widget: build and compile its query
// once (with placeholder values) and only swap the parameters per call.
const TENANT = '\u0000tenant';
const ID_HASH = '\u0000id_hash';
const compiledFor = new WeakMap<Db, CompiledQuery>();

/** The session check: one indexed lookup joined with the account summary. */
export async function findSessionWithAccount(
  db: Db,
  tenantId: string,
  idHash: string,
): Promise<SessionRow | undefined> {
  let compiled = compiledFor.get(db);
  if (!compiled) {
    compiled = sessionWithAccount(db, TENANT, ID_HASH).compile();
    compiledFor.set(db, compiled);
  }
  const parameters = compiled.parameters.map((p) => (p === TENANT ? tenantId : p === ID_HASH ? idHash : p));
  const result = await db.executeQuery<SessionRow>({ ...compiled, parameters });
  return result.rows[0];
}

export async function touchSession(db: Db, tenantId: string, idHash: string, lastSeen: Date, idleExpires: Date) {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: lastSeen, idle_expires_at: idleExpires })
    .where('tenant_id', '=', tenantId)
    .where('id_hash', '=', idHash)
    .execute();
}

/** Deletes one session; false when it was gone already (ended by a concurrent request). */
export async function deleteSession(db: Conn, tenantId: string, idHash: string): Promise<boolean> {
  const res = await db
    .deleteFrom('sessions')
    .where('tenant_id', '=', tenantId)
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function setStepUp(db: Conn, tenantId: string, idHash: string, until: Date) {
  await db
    .updateTable('sessions')
    .set({ step_up_expires_at: until })
    .where('tenant_id', '=', tenantId)
    .where('id_hash', '=', idHash)
    .execute();
}

/** Signs out every session of the account but one (after a password change). */
export async function deleteOtherSessions(
  db: Conn,
  tenantId: string,
  accountId: string,
  keepIdHash: string,
): Promise<number> {
  const res = await db
    .deleteFrom('sessions')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('id_hash', '<>', keepIdHash)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Counts a wrong MFA code on a pending session; returns the count so far. */
/**
 * Reserves one MFA attempt of a pending session before its code is checked: counted only while
 * fewer than `max` were made, in one statement, so concurrent codes cannot pass the cap.
 * Returns the attempts made including this one, or undefined when none is left.
 */
export async function reserveMfaAttempt(
  db: Conn,
  tenantId: string,
  idHash: string,
  max: number,
): Promise<number | undefined> {
  const row = await db
    .updateTable('sessions')
    .set((eb) => ({ mfa_failures: eb('mfa_failures', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('id_hash', '=', idHash)
    .where('mfa_failures', '<', max)
    .returning('mfa_failures')
    .executeTakeFirst();
  return row?.mfa_failures;
}
