import type { Selectable } from 'kysely';
import type { Db } from './create.ts';
import type { IdempotencyKeysTable } from './schema.ts';

/** Which key: keys are scoped per tenant and per (method, path, acting account). */
export interface IdempotencyKeyId {
  tenantId: string;
  scope: string;
  key: string;
}

export type IdempotencyKeyRow = Pick<
  Selectable<IdempotencyKeysTable>,
  'fingerprint' | 'state' | 'status_code' | 'response_enc'
>;

const byId = (id: IdempotencyKeyId) => ({ tenant_id: id.tenantId, scope: id.scope, key: id.key });

/**
 * Reserves a key for one run of the handler, in one statement: a new key is inserted; an existing
 * one is taken over only when it has expired (not swept yet) or when a run with the same request
 * was abandoned (its lease ended unanswered: a crashed process). Postgres serialises the upserts of
 * one key, so of any number of concurrent requests exactly one gets the reservation. True when
 * this call holds it.
 */
export async function reserveIdempotencyKey(
  db: Db,
  id: IdempotencyKeyId,
  run: { fingerprint: string; runId: string; now: Date; lockedUntil: Date; expiresAt: Date },
): Promise<boolean> {
  const reserved = await db
    .insertInto('idempotency_keys')
    .values({
      ...byId(id),
      fingerprint: run.fingerprint,
      state: 'running',
      run_id: run.runId,
      locked_until: run.lockedUntil,
      status_code: null,
      response_enc: null,
      created_at: run.now,
      expires_at: run.expiresAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'scope', 'key'])
        .doUpdateSet((eb) => ({
          fingerprint: eb.ref('excluded.fingerprint'),
          state: 'running',
          run_id: eb.ref('excluded.run_id'),
          locked_until: eb.ref('excluded.locked_until'),
          status_code: null,
          response_enc: null,
          created_at: eb.ref('excluded.created_at'),
          expires_at: eb.ref('excluded.expires_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('idempotency_keys.expires_at', '<=', run.now),
            eb.and([
              eb('idempotency_keys.state', '=', 'running'),
              eb('idempotency_keys.locked_until', '<=', run.now),
              eb('idempotency_keys.fingerprint', '=', eb.ref('excluded.fingerprint')),
            ]),
          ]),
        ),
    )
    .returning('run_id')
    .executeTakeFirst();
  return reserved?.run_id === run.runId;
}

/** The key as it stands, unless it has expired. */
export async function findIdempotencyKey(
  db: Db,
  id: IdempotencyKeyId,
  now: Date,
): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'state', 'status_code', 'response_enc'])
    .where('tenant_id', '=', id.tenantId)
    .where('scope', '=', id.scope)
    .where('key', '=', id.key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Stores the answer of the run that holds the reservation (a run whose lease was taken over stores nothing). */
export async function completeIdempotencyKey(
  db: Db,
  id: IdempotencyKeyId,
  runId: string,
  answer: { statusCode: number; responseEnc: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'done', status_code: answer.statusCode, response_enc: answer.responseEnc, locked_until: null })
    .where('tenant_id', '=', id.tenantId)
    .where('scope', '=', id.scope)
    .where('key', '=', id.key)
    .where('run_id', '=', runId)
    .execute();
}

/** Drops the reservation of a run that has no answer worth keeping (a 5xx): a retry runs again. */
export async function releaseIdempotencyKey(db: Db, id: IdempotencyKeyId, runId: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('tenant_id', '=', id.tenantId)
    .where('scope', '=', id.scope)
    .where('key', '=', id.key)
    .where('run_id', '=', runId)
    .where('state', '=', 'running')
    .execute();
}

/** Deletes expired keys (served by the expires_at index). */
export async function sweepIdempotencyKeys(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute();
}
