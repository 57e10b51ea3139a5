import type { Transaction } from 'kysely';
import * as accounts from '../db/accounts.ts';
import { lockKey } from '../db/locks.ts';
import type { ContactKind, ContactRole, Database } from '../db/schema.ts';

/**
 * Binds a phone/email to an account and decides its "can sign in" flag.
 * PRODUCT.md: a phone/email may sign in only if no other account of the tenant had it when it
 * was bound; decided now, kept afterwards. The advisory lock serialises two bindings of one
 * value, and a partial unique index backs it up.
 */
export async function bindContact(
  trx: Transaction<Database>,
  c: { tenantId: string; accountId: string; kind: ContactKind; role: ContactRole; value: string; verifiedAt: Date | null; now: Date },
): Promise<{ canSignIn: boolean }> {
  await lockKey(trx, `contact:${c.tenantId}:${c.kind}:${c.value}`);
  const taken = await accounts.contactTakenElsewhere(trx, c.tenantId, c.kind, c.value, c.accountId);
  const canSignIn = !taken && c.role === 'security';
  await accounts.insertContact(trx, { ...c, canSignIn });
  return { canSignIn };
}
