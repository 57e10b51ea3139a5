import type { Transaction } from 'kysely';
import type { Db } from './create.ts';
import type { Database, SessionsTable } from './schema.ts';
import type { Insertable } from 'kysely';
import { accountSummaryQuery } from './accounts.ts';

type Conn = Db | Transaction<Database>;

export async function insertSession(trx: Conn, row: Insertable<SessionsTable>) {
  await trx.insertInto('sessions').values(row).execute();
}

/** The session check: one indexed lookup joined with the account summary. */
export function findSessionWithAccount(db: Db, tenantId: string, idHash: string) {
  return accountSummaryQuery(db, tenantId)
    .innerJoin('sessions as s', (j) => j.onRef('s.account_id', '=', 'a.id').onRef('s.tenant_id', '=', 'a.tenant_id'))
    .select(['s.mode', 's.last_seen_at', 's.idle_expires_at', 's.expires_at'])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, lastSeen: Date, idleExpires: Date) {
  await db.updateTable('sessions').set({ last_seen_at: lastSeen, idle_expires_at: idleExpires }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: Conn, tenantId: string, idHash: string) {
  await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('id_hash', '=', idHash).execute();
}
