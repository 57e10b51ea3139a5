/**
 * Every statement of the hot paths finds its rows through an index (docs/architecture.md; issue 17's
 * "flat as data grows"): the real app, on a scratch Postgres database, registers, signs in, checks its
 * session, reads its security overview, fails a sign-in and asks for a code, while every statement
 * it sends is recorded; then each is explained with its own parameters and sequential scans switched
 * off. A plan that still scans a table has no index to use, and its cost grows with the table.
 * Postgres only: the plans of production are Postgres's.
 */
import { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { testConfig } from '../src/config.ts';
import { migrateToLatest, type Db } from '../src/db/create.ts';
import { PgDialect } from '../src/db/pg-dialect.ts';
import type { Database } from '../src/db/schema.ts';
import { nodeDeps } from '../src/deps.node.ts';
import { createTenant, TenantDirectory, type Tenant } from '../src/services/tenants.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { AGREEMENTS, ORIGIN, TestClock } from './harness.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.ts';

const url = process.env.DATABASE_URL;

interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

let scratch: ScratchDatabase;
let pool: pg.Pool;
let db: Db;
const recorded: Statement[] = [];
let recording = false;

beforeAll(async () => {
  if (!url) return;
  scratch = await createScratchDatabase(url, 'jd_explain');
  pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
  db = new Kysely<Database>({
    dialect: new PgDialect(pool),
    log: (event) => {
      if (recording && event.level === 'query')
        recorded.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  await migrateToLatest(db);
}, 60_000);

afterAll(async () => {
  await db?.destroy();
  await scratch?.drop().catch(() => {});
});

/** The tables a plan reads by a sequential scan. */
function seqScans(plan: unknown, out: string[] = []): string[] {
  if (Array.isArray(plan)) plan.forEach((p) => seqScans(p, out));
  else if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (node['Node Type'] === 'Seq Scan') out.push(String(node['Relation Name']));
    for (const v of Object.values(node)) if (typeof v === 'object') seqScans(v, out);
  }
  return out;
}

describe.skipIf(!url)('the hot paths read through indexes (EXPLAIN on Postgres)', () => {
  it('no statement of register, sign-in, session check, security overview, a failed sign-in or a code scans a table', async () => {
    const clock = new TestClock();
    const deps = nodeDeps(db, testConfig({ codes: { dailyPerTarget: 10, dailyPerIp: 1000 } }), { clock });
    const app = createApp({ deps, tenants: new TenantDirectory(db, 0) });
    const tenant: Tenant = await createTenant(db, { slug: 'explain', displayName: 'Explain', origins: [ORIGIN] });
    const call = async (path: string, o: { body?: unknown; token?: string; method?: string } = {}) => {
      const res = await app.request(`http://localhost${path}`, {
        method: o.method ?? (o.body ? 'POST' : 'GET'),
        headers: {
          'x-forwarded-for': '203.0.113.50',
          'x-jd-publishable-key': tenant.publishableKey,
          'x-jd-session-mode': 'token',
          ...(o.body ? { 'content-type': 'application/json' } : {}),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
        ...(o.body ? { body: JSON.stringify(o.body) } : {}),
      });
      const json: { session?: { token?: string } } | undefined = await res.json().catch(() => undefined);
      return { status: res.status, json };
    };

    recording = true;
    const phone = { region: 'CN', number: '13900007777' };
    expect(
      (await call('/v1/verification-codes', { body: { phone, purpose: 'register', channel: 'sms' } })).status,
    ).toBe(202);
    recording = false; // the dev outbox is read as a developer would, not on a path a user takes
    const [message] = await readDevOutbox(db, { to: '+8613900007777', limit: 1 });
    recording = true;
    const registered = await call('/v1/accounts', {
      body: {
        accountName: 'explain_user',
        password: 'Secret#2026',
        phone,
        code: message.code,
        agreements: AGREEMENTS,
      },
    });
    expect(registered.status).toBe(201);
    const signedIn = await call('/v1/sessions', { body: { identifier: 'explain_user', password: 'Secret#2026' } });
    expect(signedIn.status).toBe(200);
    const token = signedIn.json?.session?.token ?? '';
    expect(token).not.toBe('');
    expect((await call('/v1/session', { token })).status).toBe(200);
    expect((await call('/v1/security', { token })).status).toBe(200);
    expect(
      (await call('/v1/sessions', { body: { identifier: 'explain_user', password: 'wrong-Password1' } })).status,
    ).toBe(401);
    expect((await call('/v1/sessions', { body: { identifier: '13900007777', password: 'Secret#2026' } })).status).toBe(
      200,
    );
    recording = false;

    const statements = new Map<string, Statement>();
    for (const s of recorded) if (/^\s*(select|update|delete|insert|with)\b/i.test(s.sql)) statements.set(s.sql, s);
    expect(statements.size).toBeGreaterThan(15);

    const offenders: string[] = [];
    const client = await pool.connect();
    try {
      for (const s of statements.values()) {
        await client.query('begin');
        try {
          await client.query('set local enable_seqscan = off');
          const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
            `explain (format json) ${s.sql}`,
            s.parameters as unknown[],
          );
          for (const table of seqScans(rows[0]['QUERY PLAN'])) offenders.push(`${table}: ${s.sql.slice(0, 160)}`);
        } finally {
          await client.query('rollback');
        }
      }
    } finally {
      client.release();
    }
    expect(offenders).toEqual([]);
  }, 60_000);
});
