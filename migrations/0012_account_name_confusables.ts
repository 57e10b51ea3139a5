import { sql, type Kysely } from 'kysely';
import { accountNameSkeleton, foldAccountName } from '../shared/src/rules/account-name.ts';

/**
 * Look-alike account names (shared/src/rules/account-name.ts): names are folded with NFKC + lower
 * case (was NFC + lower case), and a new column holds each name's skeleton, so registration can
 * refuse a name that looks like an existing one with one indexed look-up.
 *
 * - account_name_skeleton: indexed, NOT unique — existing data may already hold look-alike pairs,
 *   and registration serialises on the skeleton with an advisory lock instead.
 * - account_name_folded / sub_users.name_folded are recomputed with the new fold so sign-in by name
 *   keeps finding every account. If two existing names fold to the same value under NFKC (only
 *   possible with Kangxi/CJK radicals, the one NFKC difference the old rule let through), the
 *   unique index must hold and no account may take over another's sign-in: the account whose
 *   stored fold already is the new value keeps it, and the other keeps its old (NFC) fold — it
 *   still exists with all its data and signs in with its phone/email or after a rename by the
 *   tenant's back office.
 * Skeletons and folds are computed by shared/ in JavaScript, so Postgres and PGlite agree whatever
 * their ICU/locale. Stored display names are left as they were.
 */
const BATCH = 1000;

type Row = { id: string; tenant_id: string; name: string; folded: string; scope: string };

/** The new fold of every row, unless another row of the same scope holds it already. */
function newFolds(rows: Row[]): Map<string, string> {
  const taken = new Set(rows.map((r) => `${r.scope}\u0000${r.folded}`));
  const changes = new Map<string, string>();
  for (const r of rows) {
    const folded = foldAccountName(r.name);
    if (folded === r.folded) continue;
    const key = `${r.scope}\u0000${folded}`;
    if (taken.has(key)) continue; // collision: keep the old fold (see above)
    taken.delete(`${r.scope}\u0000${r.folded}`);
    taken.add(key);
    changes.set(r.id, folded);
  }
  return changes;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table accounts add column account_name_skeleton text`.execute(db);

  const accounts = (
    await sql<Row>`select id, tenant_id, account_name as name, account_name_folded as folded, tenant_id::text as scope from accounts order by created_at, id`.execute(
      db,
    )
  ).rows;
  const accountFolds = newFolds(accounts);
  for (let i = 0; i < accounts.length; i += BATCH) {
    const batch = accounts.slice(i, i + BATCH);
    const ids = batch.map((r) => r.id);
    const folds = batch.map((r) => accountFolds.get(r.id) ?? r.folded);
    const skeletons = batch.map((r) => accountNameSkeleton(r.name));
    await sql`update accounts a set account_name_folded = v.folded, account_name_skeleton = v.skeleton
      from unnest(${ids}::uuid[], ${folds}::text[], ${skeletons}::text[]) as v(id, folded, skeleton)
      where a.id = v.id`.execute(db);
  }
  await sql`alter table accounts alter column account_name_skeleton set not null`.execute(db);
  await sql`create index accounts_tenant_skeleton_idx on accounts (tenant_id, account_name_skeleton)`.execute(db);

  // sub-user names are unique per primary account, folded the same way
  const subs = (
    await sql<Row>`select id, tenant_id, name, name_folded as folded, primary_account_id::text as scope from sub_users order by created_at, id`.execute(
      db,
    )
  ).rows;
  const subFolds = newFolds(subs);
  const changed = [...subFolds];
  for (let i = 0; i < changed.length; i += BATCH) {
    const batch = changed.slice(i, i + BATCH);
    await sql`update sub_users s set name_folded = v.folded
      from unnest(${batch.map(([id]) => id)}::uuid[], ${batch.map(([, f]) => f)}::text[]) as v(id, folded)
      where s.id = v.id`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // folds stay NFKC: for every name the old rule accepted but a Kangxi/CJK radical, NFKC = NFC
  await sql`drop index if exists accounts_tenant_skeleton_idx`.execute(db);
  await sql`alter table accounts drop column if exists account_name_skeleton`.execute(db);
}
