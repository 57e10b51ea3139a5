/**
 * The hot paths' statements, recorded and explained: shared by bff/test/explain-hot-queries.test.ts
 * (a scratch database) and `npm run bench:scale` (a million seeded accounts). The real app, in
 * process, registers, signs in, checks its session, reads its security overview, fails a sign-in
 * and signs in by phone, while every statement it sends is recorded; each is then explained with
 * its own parameters (docs/architecture.md: the hot paths stay flat as data grows).
 */
import { Kysely, type LogEvent } from 'kysely';
import type pg from 'pg';
import { createApp } from '../src/app.ts';
import { testConfig } from '../src/config.ts';
import type { Db } from '../src/db/create.ts';
import { PgDialect } from '../src/db/pg-dialect.ts';
import type { Database } from '../src/db/schema.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { nodeDeps } from '../src/deps.node.ts';
import { TenantDirectory, type Tenant } from '../src/services/tenants.ts';
import { AGREEMENTS, TestClock } from './harness.ts';

export interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/** A Kysely on `pool` that records what it sends while `recording` is on. */
export function recordingDb(pool: pg.Pool): { db: Db; recorder: { recording: boolean; statements: Statement[] } } {
  const recorder = { recording: false, statements: [] as Statement[] };
  // its database is dropped `with (force)` at the end: pool.end() resolves before its connections
  // have closed, and the server's "terminating connection" reaches a client still closing; without
  // listeners the pool re-emits it as an uncaught 'error' (as bff/src/db/create.ts's pool does not)
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({
    dialect: new PgDialect(pool),
    log: (event: LogEvent) => {
      if (recorder.recording && event.level === 'query')
        recorder.statements.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  return { db, recorder };
}

export interface HotPathUser {
  /** a CN mobile number no account of the tenant holds yet (11 digits) */
  number: string;
  accountName: string;
  password: string;
}

/**
 * Drives the hot paths through the app on `db` for a new account of `tenant`, recording every
 * statement; throws naming the step whose answer was not the expected one. Returns the distinct
 * reads and writes (one per SQL text, with the parameters of its last use).
 */
export async function recordHotPaths(
  db: Db,
  recorder: { recording: boolean; statements: Statement[] },
  tenant: Tenant,
  user: HotPathUser,
): Promise<Statement[]> {
  const clock = new TestClock();
  const deps = nodeDeps(db, testConfig({ codes: { dailyPerTarget: 10, dailyPerIp: 1000 } }), { clock });
  const app = createApp({ deps, tenants: new TenantDirectory(db, 0) });
  const call = async (step: string, expected: number, path: string, o: { body?: unknown; token?: string } = {}) => {
    const res = await app.request(`http://localhost${path}`, {
      method: o.body ? 'POST' : 'GET',
      headers: {
        'x-forwarded-for': '203.0.113.50',
        'x-jd-publishable-key': tenant.publishableKey,
        'x-jd-session-mode': 'token',
        ...(o.body ? { 'content-type': 'application/json' } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      },
      ...(o.body ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    if (res.status !== expected)
      throw new Error(`${step}: expected ${expected}, got ${res.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as { session?: { token?: string } };
    } catch {
      return {};
    }
  };

  const phone = { region: 'CN', number: user.number };
  const { accountName, password } = user;
  recorder.statements.length = 0;
  recorder.recording = true;
  try {
    await call('send a registration code', 202, '/v1/verification-codes', {
      body: { phone, purpose: 'register', channel: 'sms' },
    });
    recorder.recording = false; // the dev outbox is read as a developer would, not on a path a user takes
    const [message] = await readDevOutbox(db, { to: `+86${user.number}`, limit: 1 });
    if (!message?.code) throw new Error('register: no code in the dev outbox');
    recorder.recording = true;
    await call('register', 201, '/v1/accounts', {
      body: { accountName, password, phone, code: message.code, agreements: AGREEMENTS },
    });
    const signedIn = await call('sign in by name', 200, '/v1/sessions', {
      body: { identifier: accountName, password },
    });
    const token = signedIn.session?.token;
    if (!token) throw new Error('sign in by name: no session token');
    await call('session check', 200, '/v1/session', { token });
    // a minute on, the check also writes the session's sliding expiry (touchAfterSeconds)
    clock.advance(deps.config.session.touchAfterSeconds + 1);
    await call('session check a minute on', 200, '/v1/session', { token });
    await call('security overview', 200, '/v1/security', { token });
    await call('wrong password', 401, '/v1/sessions', {
      body: { identifier: accountName, password: 'wrong-Password1' },
    });
    await call('sign in by phone', 200, '/v1/sessions', { body: { identifier: user.number, password } });
  } finally {
    recorder.recording = false;
  }
  const distinct = new Map<string, Statement>();
  for (const s of recorder.statements)
    if (/^\s*(select|update|delete|insert|with)\b/i.test(s.sql)) distinct.set(s.sql, s);
  return [...distinct.values()];
}

/** The tables a plan reads by a sequential scan. */
export function seqScans(plan: unknown, out: string[] = []): string[] {
  if (Array.isArray(plan)) plan.forEach((p) => seqScans(p, out));
  else if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (node['Node Type'] === 'Seq Scan') out.push(String(node['Relation Name']));
    for (const v of Object.values(node)) if (typeof v === 'object') seqScans(v, out);
  }
  return out;
}

export interface SeqScan {
  table: string;
  sql: string;
  /** the table's row count as the planner knows it (pg_class.reltuples; -1 before its first ANALYZE) */
  rows: number;
}

/**
 * EXPLAINs each statement with its parameters, in a transaction rolled back (EXPLAIN without
 * ANALYZE runs nothing, the rollback is belt and braces), and returns the sequential scans.
 * `seqscanOff`: plan as if a scan were unaffordable, which shows whether an index exists at all
 * whatever the table's size; without it, the plans are those the planner picks for the data as it is.
 */
export async function explainSeqScans(
  pool: pg.Pool,
  statements: readonly Statement[],
  opts: { seqscanOff: boolean },
): Promise<SeqScan[]> {
  const found: SeqScan[] = [];
  const client = await pool.connect();
  try {
    for (const s of statements) {
      await client.query('begin');
      try {
        if (opts.seqscanOff) await client.query('set local enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
          `explain (format json) ${s.sql}`,
          s.parameters as unknown[],
        );
        for (const table of seqScans(rows[0]['QUERY PLAN'])) found.push({ table, sql: s.sql, rows: -1 });
      } finally {
        await client.query('rollback');
      }
    }
    for (const scan of found) {
      const { rows } = await client.query<{ n: number }>(
        `select reltuples::float8 as n from pg_class where oid = to_regclass($1)`,
        [scan.table],
      );
      scan.rows = rows[0]?.n ?? -1;
    }
  } finally {
    client.release();
  }
  return found;
}
