import type { InferResult, Transaction } from 'kysely';
import { compiledStatement } from './compiled.ts';
import type { Db } from './create.ts';
import type { Database, SessionsTable } from './schema.ts';
import { eventRow, eventRowOf, eventValues, type AuditEvent } from './audit.ts';
import { sql, type Insertable } from 'kysely';
import { consentedColumn } from './accounts.ts';
import { settlementCtes, type SettleKey } from './attempts.ts';

type Conn = Db | Transaction<Database>;

/** A sign-in's session with its attempt settlement (and its audit event), built and compiled once (db/compiled.ts). */
const sessionWithSettlement = compiledStatement(
  (
    trx: Conn,
    v: { row: Insertable<SessionsTable>; settle: readonly SettleKey[]; event?: ReturnType<typeof eventValues> },
  ) => {
    const session = trx.insertInto('sessions').values(v.row);
    return v.event
      ? sql`with ${settlementCtes(v.settle)}, new_session as (${session.returning('id_hash')}) ${trx.insertInto('audit_events').values(eventRowOf(v.event))}`
      : sql`with ${settlementCtes(v.settle)} ${session}`;
  },
);

/**
 * Writes a session, with its audit event when one is given, in one statement and one commit
 * (sign-in's hot path). `settle` settles the sign-in's attempt reservation in that same
 * statement (db/attempts.ts settlementCtes): the password was right, and the session it opens
 * and the counters it clears commit together.
 */
export async function insertSession(
  trx: Conn,
  row: Insertable<SessionsTable>,
  event?: AuditEvent,
  settle?: readonly SettleKey[],
) {
  if (settle?.length) {
    await trx.executeQuery(
      sessionWithSettlement(trx, { row, settle, ...(event ? { event: eventValues(event) } : {}) }),
    );
    return;
  }
  if (!event) {
    await trx.insertInto('sessions').values(row).execute();
    return;
  }
  await trx
    .with('new_session', (db) => db.insertInto('sessions').values(row).returning('id_hash'))
    .insertInto('audit_events')
    .values(eventRow(event))
    .execute();
}

/**
 * A timestamp as seconds since the epoch, a float8 (`date_part`: `extract` computes in numeric,
 * which made the query slower on PGlite), made whole milliseconds by `msOf` as node-postgres's `Date`
 * truncated them: the session check only compares these and prints three of them, where the
 * driver would parse each timestamp's text into a `Date` (a regular expression and several `Date`
 * operations per column, on every request: docs/benchmarks.md#the-floor).
 */
const epochSeconds = (column: string) => sql<number>`date_part('epoch', ${sql.ref(column)})`;
const epochSecondsOrNull = (column: string) => sql<number | null>`date_part('epoch', ${sql.ref(column)})`;

/**
 * Exact: until the year 2106 the float8 seconds, times 10^6, are within half a microsecond of the
 * stored microseconds, so rounding recovers them, and the division truncates to milliseconds.
 */
const msOf = (seconds: number) => Math.floor(Math.round(seconds * 1e6) / 1000);

/**
 * The session check's one read: the session by its key, its account's summary (name, security
 * phone and email), the sub-user, the accepted agreements. Only what an answer or a check uses is
 * read; a disabled account (admin API) or sub-user, and an account being closed
 * (docs/product.md#24-closing-an-account), match no row: their sessions are deleted when that
 * happens, and one a sign-in created in the same instant is refused here all the same.
 */
function sessionWithAccount(db: Db, tenantId: string, idHash: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('accounts as a', (j) => j.onRef('a.id', '=', 's.account_id').onRef('a.tenant_id', '=', 's.tenant_id'))
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
    .leftJoin('sub_users as su', (j) =>
      j.onRef('su.id', '=', 's.sub_user_id').onRef('su.tenant_id', '=', 's.tenant_id'),
    )
    .select([
      'a.id as account_id',
      'a.account_name',
      sql<boolean>`a.password_hash is not null`.as('has_password'),
      epochSeconds('a.created_at').as('account_created_at'),
      'p.value as phone',
      'e.value as email',
      epochSecondsOrNull('e.verified_at').as('email_verified_at'),
      's.mode',
      epochSeconds('s.last_seen_at').as('last_seen_ms'),
      epochSeconds('s.idle_expires_at').as('idle_expires_ms'),
      epochSeconds('s.expires_at').as('expires_ms'),
      epochSecondsOrNull('s.step_up_expires_at').as('step_up_expires_ms'),
      's.mfa_pending',
      's.sign_in_method',
      's.idp',
      'su.id as sub_user_id',
      'su.name as sub_user_name',
      // the user's last locale and accepted agreements: the session check records a new locale
      // and names agreements still to accept (docs/product.md#16-agreements) from this one read
      'a.locale as account_locale',
      consentedColumn(),
    ])
    .where('s.tenant_id', '=', tenantId)
    .where('s.id_hash', '=', idHash)
    .where('a.disabled_at', 'is', null)
    .where('a.closing_requested_at', 'is', null)
    .where('su.disabled_at', 'is', null);
}

type SessionRow = InferResult<ReturnType<typeof sessionWithAccount>>[number];

// The session check runs on every request of a signed-in widget: built and compiled once, its
// row read as one json value (db/compiled.ts)
const sessionWithAccountStatement = compiledStatement(
  (db: Db, v: { tenantId: string; idHash: string }) => sessionWithAccount(db, v.tenantId, v.idHash),
  { rowAsJson: true },
);

/** The session check: one indexed lookup joined with the account summary. */
export async function findSessionWithAccount(
  db: Db,
  tenantId: string,
  idHash: string,
): Promise<SessionRow | undefined> {
  const row = (await db.executeQuery<{ r: SessionRow }>(sessionWithAccountStatement(db, { tenantId, idHash }))).rows[0]
    ?.r;
  if (!row) return undefined;
  // read as seconds (epochSeconds), answered as milliseconds
  row.account_created_at = msOf(row.account_created_at);
  row.last_seen_ms = msOf(row.last_seen_ms);
  row.idle_expires_ms = msOf(row.idle_expires_ms);
  row.expires_ms = msOf(row.expires_ms);
  if (row.step_up_expires_ms !== null) row.step_up_expires_ms = msOf(row.step_up_expires_ms);
  return row;
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
