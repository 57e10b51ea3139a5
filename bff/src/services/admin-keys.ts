/**
 * The tenant's secret keys for the admin API (docs/product.md#15-tenants-and-keys). A key is `sk_<key id>_<secret>`:
 * - the key id (16 hex digits, not secret) finds the row and, through it, the tenant — the key
 *   alone decides which tenant a request acts for;
 * - the secret is 256 random bits, so the stored SHA-256 of the whole key is enough (a slow or
 *   keyed hash adds nothing against guessing 2^256 values, and a plain hash keeps the keys valid
 *   when JD_SECRET rotates); it is compared in constant time;
 * - the key is shown once, at creation, and can be revoked.
 */
import type { AdminKeyView } from '../../../shared/src/admin-api.ts';
import { randomBytes, randomToken, sha256Hex, timingSafeEqualHex } from '../crypto.ts';
import type { Db } from '../db/create.ts';
import * as keys from '../db/admin-keys.ts';
import type { Clock } from './deps.ts';

const KEY_PATTERN = /^sk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is written at most this often, so a busy key does not write on every request */
const TOUCH_AFTER_MS = 60_000;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const iso = (d: Date | string | null) => (d === null ? null : (d instanceof Date ? d : new Date(d)).toISOString());

export interface CreatedAdminKey {
  keyId: string;
  /** the whole secret key: shown to the operator once, stored nowhere */
  secretKey: string;
}

export async function createAdminKey(db: Db, clock: Clock, tenantId: string, label?: string): Promise<CreatedAdminKey> {
  const keyId = hex(randomBytes(8));
  const secretKey = `sk_${keyId}_${randomToken(32)}`;
  await keys.insertAdminKey(db, {
    keyId,
    tenantId,
    secretHash: sha256Hex(secretKey),
    label: label?.trim().slice(0, 200) || null,
    now: clock.now(),
  });
  return { keyId, secretKey };
}

export async function listAdminKeys(db: Db, tenantId: string): Promise<AdminKeyView[]> {
  return (await keys.listAdminKeys(db, tenantId)).map((k) => ({
    keyId: k.key_id,
    label: k.label,
    createdAt: iso(k.created_at)!,
    lastUsedAt: iso(k.last_used_at),
    revokedAt: iso(k.revoked_at),
  }));
}

export function revokeAdminKey(db: Db, clock: Clock, tenantId: string, keyId: string): Promise<boolean> {
  return keys.revokeAdminKey(db, tenantId, keyId, clock.now());
}

/** The tenant and key id a presented secret key stands for; undefined for a malformed, unknown, wrong or revoked key. */
export async function authenticateAdminKey(
  db: Db,
  clock: Clock,
  presented: string,
): Promise<{ tenantId: string; keyId: string } | undefined> {
  const m = KEY_PATTERN.exec(presented);
  if (!m) return undefined;
  const row = await keys.findAdminKey(db, m[1]);
  if (!row || !timingSafeEqualHex(row.secret_hash, sha256Hex(presented)) || row.revoked_at) return undefined;
  const now = clock.now();
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= TOUCH_AFTER_MS)
    await keys.touchAdminKey(db, row.tenant_id, row.key_id, now);
  return { tenantId: row.tenant_id, keyId: row.key_id };
}
