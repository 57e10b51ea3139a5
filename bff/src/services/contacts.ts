import type { Transaction } from 'kysely';
import * as accounts from '../db/accounts.ts';
import { lockKey } from '../db/locks.ts';
import type { ContactKind, ContactRole, ContactRow, Database } from '../db/schema.ts';

/*
 * The "can sign in" flag of a phone/email binding (docs/product.md#7-sign-in-identifiers;
 * docs/security.md#identity-verification-methods). Only a VERIFIED binding proves who owns a value, so only verified
 * bindings count, and squatting an address (binding it without opening its link) takes nothing
 * from its owner:
 *
 * - Who may hold it: only a verified security binding; at most one binding per (tenant, kind,
 *   value) holds it (the partial unique index account_contacts_sign_in_uq; migration 0013 adds a
 *   check that an unverified or contact binding never holds it).
 * - Deciding: a binding can sign in iff, at the moment it becomes verified, no OTHER account of
 *   the tenant has a verified binding (any role) of the value. Phones are verified by code before
 *   they are bound, so this is the binding moment ("decided at binding time": of two verified
 *   owners, the first keeps it). Emails are bound unverified and decided when the 2-hour link is
 *   opened (registration's email and security settings alike); until then they cannot sign in.
 * - An unverified binding of the value that still holds the flag (rows from before this rule)
 *   loses it as soon as a verified binding of the value is decided.
 * - Removal (a changed or reset contact): when no binding of the value holds the flag any more
 *   and the verified bindings left belong to exactly one account, that account's verified
 *   security binding gains it; with two or more accounts left, none does (which one should is not
 *   decidable, so they sign in with their account names).
 * - Every decision takes the advisory lock `contact:<tenant>:<kind>:<value>` first, so bindings,
 *   verifications and removals of one value (by any accounts, on any replica) run one at a time.
 *   A change that needs two values' locks (the old and the new) takes both at once in one order
 *   (replaceContact), and the lock is taken before a binding's row is written (verification too):
 *   two accounts swapping addresses, or a link opened during a change, never wait on each other
 *   in a circle (a deadlock).
 */

type Trx = Transaction<Database>;

const lockValue = (trx: Trx, tenantId: string, kind: ContactKind, value: string) =>
  lockKey(trx, `contact:${tenantId}:${kind}:${value}`);

/** The value's lock, for a caller that writes a binding's row before deciding (the email link). */
export const lockContactValue = lockValue;

/** A binding that holds the flag without the right to it (unverified: rows from before the rule) gives it up. */
async function dropUnverifiedHolders(trx: Trx, tenantId: string, rows: ContactRow[]): Promise<void> {
  for (const row of rows)
    if (row.can_sign_in && (!row.verified_at || row.role !== 'security'))
      await accounts.setContactCanSignIn(trx, tenantId, row.id, false);
}

/** Binds a phone/email to an account and decides its "can sign in" flag (see the rule above). */
export async function bindContact(
  trx: Trx,
  c: {
    tenantId: string;
    accountId: string;
    kind: ContactKind;
    role: ContactRole;
    value: string;
    verifiedAt: Date | null;
    now: Date;
  },
): Promise<{ canSignIn: boolean }> {
  await lockValue(trx, c.tenantId, c.kind, c.value);
  const canSignIn =
    c.role === 'security' &&
    c.verifiedAt !== null &&
    !(await accounts.contactTakenElsewhere(trx, c.tenantId, c.kind, c.value, c.accountId));
  if (canSignIn)
    await dropUnverifiedHolders(trx, c.tenantId, await accounts.bindingsOfValue(trx, c.tenantId, c.kind, c.value));
  await accounts.insertContact(trx, { ...c, canSignIn });
  return { canSignIn };
}

/**
 * Decides the flag of a binding that has just been verified (the email link). Call it in the
 * transaction that set `verified_at`.
 */
export async function decideVerifiedContact(
  trx: Trx,
  c: { tenantId: string; accountId: string; kind: ContactKind; role: ContactRole; value: string },
): Promise<{ canSignIn: boolean }> {
  await lockValue(trx, c.tenantId, c.kind, c.value);
  const rows = await accounts.bindingsOfValue(trx, c.tenantId, c.kind, c.value);
  const own = rows.find((r) => r.account_id === c.accountId && r.role === c.role);
  if (!own?.verified_at) return { canSignIn: false };
  await dropUnverifiedHolders(trx, c.tenantId, rows);
  if (own.can_sign_in) return { canSignIn: true };
  const takenElsewhere = rows.some((r) => r.account_id !== c.accountId && r.verified_at !== null);
  const canSignIn = own.role === 'security' && !takenElsewhere;
  if (canSignIn) await accounts.setContactCanSignIn(trx, c.tenantId, own.id, true);
  return { canSignIn };
}

/**
 * Removes the account's binding of one kind and role, then decides the value's flag again (a
 * binding left alone with it may now sign in). Returns how many rows were removed (0 or 1).
 */
export async function removeContact(
  trx: Trx,
  c: { tenantId: string; accountId: string; kind: ContactKind; role: ContactRole },
): Promise<number> {
  const row = (await accounts.listContacts(trx, c.tenantId, c.accountId)).find(
    (r) => r.kind === c.kind && r.role === c.role,
  );
  if (!row) return 0;
  await lockValue(trx, c.tenantId, c.kind, row.value);
  const removed = await accounts.deleteContact(trx, c.tenantId, c.accountId, c.kind, c.role);
  if (removed && row.verified_at) await redecideValue(trx, c.tenantId, c.kind, row.value);
  return removed;
}

/**
 * Binds a new value in place of the account's binding of this kind and role (or adds it). The
 * locks of the old value and the new one are taken first, in sorted order: two accounts swapping
 * addresses at once would otherwise each hold one lock and wait for the other's.
 */
export async function replaceContact(
  trx: Trx,
  c: {
    tenantId: string;
    accountId: string;
    kind: ContactKind;
    role: ContactRole;
    value: string;
    verifiedAt: Date | null;
    now: Date;
  },
): Promise<{ canSignIn: boolean }> {
  const old = (await accounts.listContacts(trx, c.tenantId, c.accountId)).find(
    (r) => r.kind === c.kind && r.role === c.role,
  );
  for (const value of [...new Set([c.value, ...(old ? [old.value] : [])])].sort())
    await lockValue(trx, c.tenantId, c.kind, value);
  if (old) await removeContact(trx, c);
  return bindContact(trx, c);
}

/** No one holds the flag any more: the only account left with a verified binding gets it (rule above). */
async function redecideValue(trx: Trx, tenantId: string, kind: ContactKind, value: string): Promise<void> {
  const rows = await accounts.bindingsOfValue(trx, tenantId, kind, value);
  await dropUnverifiedHolders(trx, tenantId, rows);
  if (rows.some((r) => r.can_sign_in && r.verified_at && r.role === 'security')) return;
  const verified = rows.filter((r) => r.verified_at !== null);
  if (new Set(verified.map((r) => r.account_id)).size !== 1) return;
  const heir = verified.find((r) => r.role === 'security');
  if (heir) await accounts.setContactCanSignIn(trx, tenantId, heir.id, true);
}
