import type { Transaction } from 'kysely';
import type { Db } from './create.ts';
import { jsonb } from './json.ts';
import { lockKey } from './locks.ts';
import type { Database } from './schema.ts';

type Conn = Db | Transaction<Database>;

export interface NewSigningKey {
  kid: string;
  tenantId: string;
  alg: string;
  publicJwk: Record<string, string>;
  privateKeyEnc: string;
  createdAt: Date;
}

/** The tenant's current signer (at most one: signing_keys_signer_uq). */
export function findSigner(db: Conn, tenantId: string) {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'private_key_enc', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
}

/** Keys a verifier may still meet: the signer and those retired after `retiredSince`, newest first. */
export function publishedKeys(db: Conn, tenantId: string, retiredSince: Date) {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'public_jwk', 'retired_at'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredSince)]))
    .orderBy('retired_at', (ob) => ob.desc().nullsFirst())
    .execute();
}

/** Inserts a signer unless the tenant has one already (a concurrent first use won): true if inserted. */
export async function insertSignerIfNone(db: Conn, key: NewSigningKey): Promise<boolean> {
  const inserted = await db
    .insertInto('signing_keys')
    .values(row(key))
    .onConflict((oc) => oc.column('tenant_id').where('retired_at', 'is', null).doNothing())
    .returning('kid')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Retires the current signer (it keeps verifying until its tokens expired) and inserts the new one. */
export async function replaceSigner(trx: Transaction<Database>, key: NewSigningKey): Promise<string | undefined> {
  // serialise rotations of one tenant: two at once would otherwise both retire the same key
  await lockKey(trx, `signing-keys:${key.tenantId}`);
  const retired = await trx
    .updateTable('signing_keys')
    .set({ retired_at: key.createdAt })
    .where('tenant_id', '=', key.tenantId)
    .where('retired_at', 'is', null)
    .returning('kid')
    .executeTakeFirst();
  await trx.insertInto('signing_keys').values(row(key)).execute();
  return retired?.kid;
}

function row(key: NewSigningKey) {
  return {
    kid: key.kid,
    tenant_id: key.tenantId,
    alg: key.alg,
    public_jwk: jsonb(key.publicJwk),
    private_key_enc: key.privateKeyEnc,
    created_at: key.createdAt,
  };
}

/** What a token says about its session: the stable public id and whether MFA was passed. */
export function findSessionClaims(db: Conn, tenantId: string, idHash: string) {
  return db
    .selectFrom('sessions')
    .select(['sid', 'mfa_pending', 'mfa_verified_at', 'sign_in_method', 'idp'])
    .where('tenant_id', '=', tenantId)
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
}
