/**
 * The schema is ready to be distributed by tenant on Citus (docs/operating.md#scaling-out; migration
 * 0020): every tenant's table has `tenant_id`, every primary key and unique index contains it, and
 * every foreign key between two tenants' tables pairs `tenant_id` with `tenant_id` — Citus refuses
 * any other on distributed tables, and on one Postgres such a key also refuses a row that points
 * into another tenant. Read from the catalog of a migrated database: PGlite, or Postgres with
 * DATABASE_URL.
 */
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { createDb, migrateToLatest, type Db } from '../src/db/create.ts';
import { createScratchDatabase } from './scratch-db.ts';

/** Tables without tenant_id, and why. */
const NOT_TENANT_OWNED: Record<string, string> = {
  tenants: 'the tenants themselves: a Citus reference table, copied to every node',
  kysely_migration: "the migrator's own bookkeeping, on the coordinator",
  kysely_migration_lock: "the migrator's own lock, on the coordinator",
  attempt_counters:
    'a client address is counted across tenants (docs/product.md#17-attempt-limits-and-lockout): distributed by its key, apart from the tenants (bff/src/db/attempts.ts)',
};
/** Tables any table may reference without tenant_id: Citus reference tables. */
const REFERENCE_TABLES = new Set(['tenants']);

/** What breaks the rule in the database's public schema, one line per offence, sorted. */
async function offences(db: Db): Promise<string[]> {
  const found: string[] = [];
  const missing = await sql<{ table: string }>`
    select c.relname as table from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
      and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)`.execute(
    db,
  );
  const untenanted = new Set(missing.rows.map((r) => r.table));
  for (const t of untenanted) if (!(t in NOT_TENANT_OWNED)) found.push(`${t}: no tenant_id`);

  // primary keys, unique constraints and unique indexes alike: each has a unique index
  const uniques = await sql<{ table: string; index: string; primary: boolean; def: string }>`
    select t.relname as table, i.relname as index, x.indisprimary as primary, pg_get_indexdef(x.indexrelid) as def
    from pg_index x
    join pg_class t on t.oid = x.indrelid
    join pg_class i on i.oid = x.indexrelid
    where t.relnamespace = 'public'::regnamespace and x.indisunique
      and not exists (select 1 from pg_attribute a
                      where a.attrelid = t.oid and a.attname = 'tenant_id' and a.attnum = any (x.indkey::int2[]))`.execute(
    db,
  );
  for (const u of uniques.rows)
    if (!(u.table in NOT_TENANT_OWNED))
      found.push(`${u.table}: ${u.primary ? 'primary key' : 'unique index'} ${u.def.replace(/^.* USING \w+ /, '')}`);

  const fks = await sql<{ name: string; from: string; to: string; def: string; paired: boolean }>`
    select c.conname as name, s.relname as from, d.relname as to, pg_get_constraintdef(c.oid) as def,
      exists (select 1 from unnest(c.conkey, c.confkey) k (a, b)
              join pg_attribute sa on sa.attrelid = c.conrelid and sa.attnum = k.a
              join pg_attribute da on da.attrelid = c.confrelid and da.attnum = k.b
              where sa.attname = 'tenant_id' and da.attname = 'tenant_id') as paired
    from pg_constraint c
    join pg_class s on s.oid = c.conrelid
    join pg_class d on d.oid = c.confrelid
    where c.contype = 'f' and s.relnamespace = 'public'::regnamespace`.execute(db);
  for (const f of fks.rows)
    if (!REFERENCE_TABLES.has(f.to) && !f.paired) found.push(`${f.from}: ${f.def.replace(/ ON DELETE .*$/, '')}`);
  return found.sort();
}

/** An empty database on the test backend (PGlite, or a fresh one on DATABASE_URL's server). */
async function emptyDb(): Promise<{ db: Db; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { db: createDb({}), drop: async () => {} };
  const scratch = await createScratchDatabase(url, 'jd_test_keys');
  return { db: createDb({ url: scratch.url, poolSize: 2 }), drop: scratch.drop };
}

const migrator = (db: Db) => new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });

describe('every key of a tenant’s rows includes tenant_id', () => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await emptyDb());
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await drop?.();
  });

  it('the check names every key of the schema before migration 0020 that lacks tenant_id', async () => {
    const { error } = await migrator(db).migrateTo('0019_abuse_protection');
    expect(error).toBeUndefined();
    expect(await offences(db)).toEqual([
      'account_contacts: primary key (id)',
      'accounts: primary key (id)',
      'admin_keys: primary key (key_id)',
      'audit_events: primary key (id)',
      'consents: primary key (id)',
      'email_verifications: primary key (id)',
      'email_verifications: unique index (token_hash)',
      'federation_flows: primary key (id)',
      'federation_flows: unique index (handle_hash) WHERE (handle_hash IS NOT NULL)',
      'federation_flows: unique index (launch_hash) WHERE (launch_hash IS NOT NULL)',
      'federation_flows: unique index (state_hash)',
      'federation_flows: unique index (ticket_hash) WHERE (ticket_hash IS NOT NULL)',
      'mfa_applications: primary key (id)',
      'mfa_devices: FOREIGN KEY (sub_user_id) REFERENCES sub_users(id)',
      'mfa_devices: primary key (id)',
      'mfa_recovery_codes: primary key (id)',
      'outbox: primary key (id)',
      'outbox_attempts: FOREIGN KEY (outbox_id) REFERENCES outbox(id)',
      'outbox_attempts: primary key (id)',
      'sessions: FOREIGN KEY (sub_user_id) REFERENCES sub_users(id)',
      'sessions: primary key (id_hash)',
      'signing_keys: primary key (kid)',
      'stored_files: primary key (id)',
      'sub_users: primary key (id)',
      'verification_codes: primary key (id)',
    ]);
  });

  it('after migration 0020 nothing is left, and every table it allows without tenant_id exists', async () => {
    await seed(db);
    await migrateToLatest(db);
    expect(await offences(db)).toEqual([]);
    const tables = await sql<{ relname: string }>`
      select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')`.execute(db);
    const names = new Set(tables.rows.map((r) => r.relname));
    expect(Object.keys(NOT_TENANT_OWNED).filter((t) => !names.has(t))).toEqual([]);
  });

  it('keeps the rows it found, and a row can no longer point into another tenant', async () => {
    const count = async (table: string) =>
      Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0].n);
    expect([await count('sessions'), await count('outbox_attempts'), await count('email_verifications')]).toEqual([
      1, 1, 1,
    ]);
    // tenant B's session naming tenant A's sub-user: the old key (sub_user_id alone) let it in
    await expect(
      sql`insert into sessions (id_hash, tenant_id, account_id, sub_user_id, mode, created_at, last_seen_at, idle_expires_at, expires_at)
          values ('b-session', ${TENANT_B}, ${ACCOUNT_B}, ${SUB_USER_A}, 'token', now(), now(), now(), now())`.execute(
        db,
      ),
    ).rejects.toMatchObject({ code: '23503' });
    // the cascades still find their rows through the new keys
    await sql`delete from sub_users where tenant_id = ${TENANT_A} and id = ${SUB_USER_A}`.execute(db);
    await sql`delete from outbox where tenant_id = ${TENANT_A}`.execute(db);
    expect([await count('sessions'), await count('outbox_attempts')]).toEqual([0, 0]);
  });

  it('goes down and up again', async () => {
    const m = migrator(db);
    expect((await m.migrateDown()).error).toBeUndefined();
    expect(await offences(db)).toContain('sessions: primary key (id_hash)');
    expect((await m.migrateToLatest()).error).toBeUndefined();
    expect(await offences(db)).toEqual([]);
  });
});

const TENANT_A = '00000000-0000-4000-8000-00000000000a';
const TENANT_B = '00000000-0000-4000-8000-00000000000b';
const ACCOUNT_A = '00000000-0000-4000-8000-0000000000a1';
const ACCOUNT_B = '00000000-0000-4000-8000-0000000000b1';
const SUB_USER_A = '00000000-0000-4000-8000-0000000000a2';
const OUTBOX_A = '00000000-0000-4000-8000-0000000000a3';

/** Rows in the tables whose keys 0020 rebuilds, written before it runs. */
async function seed(db: Db) {
  for (const [id, slug] of [
    [TENANT_A, 'keys-a'],
    [TENANT_B, 'keys-b'],
  ])
    await sql`insert into tenants (id, slug, publishable_key, config) values (${id}, ${slug}, ${`pk_${slug}`}, '{}'::jsonb)`.execute(
      db,
    );
  for (const [id, tenant] of [
    [ACCOUNT_A, TENANT_A],
    [ACCOUNT_B, TENANT_B],
  ])
    await sql`insert into accounts (id, tenant_id, created_at, updated_at) values (${id}, ${tenant}, now(), now())`.execute(
      db,
    );
  await sql`insert into sub_users (id, tenant_id, primary_account_id, name, name_folded, password_hash, created_at, updated_at)
    values (${SUB_USER_A}, ${TENANT_A}, ${ACCOUNT_A}, 'dev', 'dev', 'x', now(), now())`.execute(db);
  await sql`insert into sessions (id_hash, tenant_id, account_id, sub_user_id, mode, created_at, last_seen_at, idle_expires_at, expires_at)
    values ('a-session', ${TENANT_A}, ${ACCOUNT_A}, ${SUB_USER_A}, 'token', now(), now(), now(), now())`.execute(db);
  await sql`insert into outbox (id, tenant_id, channel, recipient, purpose, locale, body, created_at, next_attempt_at)
    values (${OUTBOX_A}, ${TENANT_A}, 'sms', '+8613800000000', 'register', 'zh-CN', 'x', now(), now())`.execute(db);
  await sql`insert into outbox_attempts (tenant_id, outbox_id, attempt, provider, started_at, finished_at, ok, retryable)
    values (${TENANT_A}, ${OUTBOX_A}, 1, 'dev', now(), now(), true, false)`.execute(db);
  await sql`insert into email_verifications (tenant_id, account_id, email, token_hash, created_at, expires_at)
    values (${TENANT_A}, ${ACCOUNT_A}, 'a@example.com', 'token-a', now(), now())`.execute(db);
}
