/**
 * Upstream sign-in's rows (migration 0018): the linked identities, and the flows whose stages are
 * each taken once by an atomic UPDATE … RETURNING, so a replayed callback, handle or ticket
 * finds nothing (docs/product.md#25-sign-in-with-an-upstream-account).
 */
import { sql, type Insertable, type Transaction } from 'kysely';
import type { Db } from './create.ts';
import { jsonb } from './json.ts';
import type { Database, FederationFlowsTable, FederationOutcome } from './schema.ts';

type Trx = Transaction<Database>;
type Conn = Db | Trx;

export function insertFlow(db: Conn, row: Insertable<FederationFlowsTable>) {
  return db.insertInto('federation_flows').values(row).returning('id').executeTakeFirstOrThrow();
}

/**
 * A link flow started by a signed-in page: the browser arrives with the launch token and gets its
 * binding. The launch URL names no tenant: the look-up goes by federation_flows_launch_idx alone
 * (on Citus, to every shard), as does the callback's by its state below.
 */
export function launchFlow(db: Conn, launchHash: string, bindingHash: string, now: Date) {
  return db
    .updateTable('federation_flows')
    .set({ launch_hash: null, binding_hash: bindingHash })
    .where('launch_hash', '=', launchHash)
    .where('binding_hash', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'tenant_id', 'provider', 'nonce', 'code_verifier', 'locale'])
    .executeTakeFirst();
}

/** The flow a callback's `state` names, taken once. */
export function takeFlowByState(db: Conn, stateHash: string, now: Date) {
  return db
    .updateTable('federation_flows')
    .set({ returned_at: now })
    .where('state_hash', '=', stateHash)
    .where('returned_at', 'is', null)
    .where('binding_hash', 'is not', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export function setOutcome(
  db: Conn,
  flow: { tenantId: string; id: string },
  handleHash: string,
  outcome: FederationOutcome,
  expiresAt: Date,
) {
  return db
    .updateTable('federation_flows')
    .set({ handle_hash: handleHash, outcome: jsonb(outcome), expires_at: expiresAt })
    .where('tenant_id', '=', flow.tenantId)
    .where('id', '=', flow.id)
    .execute();
}

/**
 * The outcome a page's handle names, taken once. An activation outcome gets its ticket in the
 * same statement (the handle travelled in a URL; the ticket never does) and a new expiry.
 */
export function takeOutcome(
  db: Conn,
  tenantId: string,
  handleHash: string,
  ticket: { hash: string; expiresAt: Date },
  now: Date,
) {
  return db
    .updateTable('federation_flows')
    .set({
      handle_hash: null,
      ticket_hash: sql<
        string | null
      >`case when outcome->>'kind' = 'activation' then ${ticket.hash}::text else null end`,
      expires_at: sql<Date>`case when outcome->>'kind' = 'activation' then ${ticket.expiresAt}::timestamptz else expires_at end`,
      finished_at: sql<Date | null>`case when outcome->>'kind' = 'activation' then null else ${now}::timestamptz end`,
    })
    .where('tenant_id', '=', tenantId)
    .where('handle_hash', '=', handleHash)
    .where('expires_at', '>', now)
    .returning(['id', 'provider', 'intent', 'account_id', 'outcome', 'mode'])
    .executeTakeFirst();
}

/** The activation a ticket names, taken once (inside the activation's transaction: a failure gives it back). */
export function takeTicket(trx: Trx, tenantId: string, ticketHash: string, now: Date) {
  return trx
    .updateTable('federation_flows')
    .set({ ticket_hash: null, finished_at: now })
    .where('tenant_id', '=', tenantId)
    .where('ticket_hash', '=', ticketHash)
    .where('expires_at', '>', now)
    .returning(['id', 'provider', 'outcome'])
    .executeTakeFirst();
}

/** Flows past their expiry a day ago: nothing can use them any more. */
export function deleteExpiredFlows(db: Conn, now: Date) {
  return db
    .deleteFrom('federation_flows')
    .where('expires_at', '<', new Date(now.getTime() - 86_400_000))
    .executeTakeFirst();
}

export function findIdentity(db: Conn, tenantId: string, provider: string, subject: string) {
  return db
    .selectFrom('federated_identities')
    .select(['account_id'])
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', provider)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

export function insertIdentity(
  db: Conn,
  row: { tenantId: string; accountId: string; provider: string; subject: string; now: Date },
) {
  return db
    .insertInto('federated_identities')
    .values({
      tenant_id: row.tenantId,
      account_id: row.accountId,
      provider: row.provider,
      subject: row.subject,
      created_at: row.now,
      last_used_at: row.now,
    })
    .execute();
}

export function touchIdentity(db: Conn, tenantId: string, provider: string, subject: string, now: Date) {
  return db
    .updateTable('federated_identities')
    .set({ last_used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('provider', '=', provider)
    .where('subject', '=', subject)
    .execute();
}

export function listIdentities(db: Conn, tenantId: string, accountId: string) {
  return db
    .selectFrom('federated_identities')
    .select(['provider', 'created_at', 'last_used_at'])
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
}

export async function deleteIdentity(db: Conn, tenantId: string, accountId: string, provider: string) {
  const r = await db
    .deleteFrom('federated_identities')
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Sets the name and password of an account created upstream, once: false when it has a name already. */
export async function setCredentials(
  trx: Trx,
  tenantId: string,
  accountId: string,
  c: { accountName: string; folded: string; skeleton: string; passwordHash: string; now: Date },
) {
  const r = await trx
    .updateTable('accounts')
    .set({
      account_name: c.accountName,
      account_name_folded: c.folded,
      account_name_skeleton: c.skeleton,
      password_hash: c.passwordHash,
      updated_at: c.now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', accountId)
    .where('account_name', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
