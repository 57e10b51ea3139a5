/**
 * Every statement of the hot paths finds its rows through an index (docs/architecture.md; "flat as
 * data grows"): the real app, on a scratch Postgres database, registers, signs in, checks its
 * session, reads its security overview, fails a sign-in and signs in by phone, while every
 * statement it sends is recorded (bff/test/hot-paths.ts); then each is explained with its own
 * parameters. Twice: on the empty database with sequential scans switched off — a plan that still
 * scans a table has no index to use, and its cost grows with the table — and on a few thousand
 * seeded accounts (bench/seed.ts, the seed of `npm run bench:scale`), analysed, with the planner's
 * defaults — the plans it actually picks once the tables hold data. Postgres only: the plans of
 * production are Postgres's.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTenantConfig } from '../../shared/src/tenant.ts';
import { seedAccounts, seedTenants } from '../../bench/seed.ts';
import { testConfig } from '../src/config.ts';
import { migrateToLatest, type Db } from '../src/db/create.ts';
import { createTenant, findTenantBySlug, type Tenant } from '../src/services/tenants.ts';
import { ORIGIN } from './harness.ts';
import { explainSeqScans, recordHotPaths, recordingDb, type Statement } from './hot-paths.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.ts';

const url = process.env.DATABASE_URL;

let scratch: ScratchDatabase;
let pool: pg.Pool;
let db: Db;
let recorder: { recording: boolean; statements: Statement[] };

beforeAll(async () => {
  if (!url) return;
  scratch = await createScratchDatabase(url, 'jd_explain');
  pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
  ({ db, recorder } = recordingDb(pool));
  await migrateToLatest(db);
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await scratch?.drop().catch(() => {});
});

/** Tables the seed fills: with its rows, a sequential scan of one is a plan that grows with the data. */
const SEEDED = ['tenants', 'accounts', 'account_contacts', 'consents', 'sessions', 'audit_events', 'mfa_devices'];

describe.skipIf(!url)('the hot paths read through indexes (EXPLAIN on Postgres)', () => {
  it('no statement of register, sign-in, session check, security overview, a failed sign-in or a code scans a table', async () => {
    const tenant: Tenant = await createTenant(db, { slug: 'explain', displayName: 'Explain', origins: [ORIGIN] });
    const statements = await recordHotPaths(db, recorder, tenant, {
      number: '13900007777',
      accountName: 'explain_user',
      password: 'Secret#2026',
    });
    expect(statements.length).toBeGreaterThan(15);

    const scans = await explainSeqScans(pool, statements, { seqscanOff: true });
    expect(scans.map((s) => `${s.table}: ${s.sql.slice(0, 160)}`)).toEqual([]);
  }, 60_000);

  it('on a thousand tenants and 5,000 seeded accounts, analysed, the planner reads none of their tables by a scan', async () => {
    const session = testConfig().session;
    const q = (text: string, values?: unknown[]) => pool.query(text, values);
    await seedTenants(q, 1000, defaultTenantConfig('Scale'));
    await seedAccounts(q, {
      from: 1,
      to: 5000,
      tenants: 1000,
      passwordHash: 'not-a-hash: the seeded accounts are not signed in to here',
      idleSeconds: session.idleSeconds,
      absoluteSeconds: session.absoluteSeconds,
    });
    await pool.query('analyze');
    const { rows } = await pool.query<{ n: number }>(
      'select reltuples::float8 as n from pg_class where oid = $1::regclass',
      ['audit_events'],
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(25_000);

    // a seeded tenant, so the statements carry the id of a tenant with accounts (and the planner's statistics on it)
    const tenant = await findTenantBySlug(db, 'scale-0007');
    expect(tenant).toBeDefined();
    const statements = await recordHotPaths(db, recorder, tenant!, {
      number: '13900008888',
      accountName: 'explain_seeded',
      password: 'Secret#2026',
    });
    expect(statements.length).toBeGreaterThan(15);

    const scans = await explainSeqScans(pool, statements, { seqscanOff: false });
    const onSeeded = scans.filter((s) => SEEDED.includes(s.table));
    expect(onSeeded.map((s) => `${s.table} (${s.rows} rows): ${s.sql.slice(0, 160)}`)).toEqual([]);
  }, 60_000);
});
