/**
 * Database faults against the real process (docs/operating.md "During a database outage"): the
 * BFF on a throwaway Postgres cluster of its own, under a burst of requests, while every backend
 * is terminated (a failover or a pooler restart) and while the server is stopped and started
 * again. The process must stay up, every request must be answered — by a success, an expected
 * refusal or a 503 service_unavailable with Retry-After, never a 500 — within the request
 * deadline, and it must serve again by itself once the database is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgCluster, pgClusterAvailable, type PgCluster } from './fakes/pg-cluster.ts';

const PORT = 55437;
const DEADLINE_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  status: number | string;
  code?: string;
  retryAfter?: string | null;
  ms: number;
}

let cluster: PgCluster;
let bff: ChildProcess;
let output = '';
let base = '';
let key = '';
let exited: { code: number | null; signal: string | null } | undefined;

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = output.match(pattern);
    if (m) return m;
    if (exited || Date.now() > until) throw new Error(`no ${pattern} in:\n${output}`);
    await sleep(50);
  }
}

let phoneSeq = 0;
/**
 * One request of the mix: a code sent (a transaction with an outbox row), a sign-in (limits +
 * lookup), or a registration code check (a locked read of the code's row; none was sent for it).
 */
async function one(kind: number): Promise<Outcome> {
  const started = Date.now();
  const headers = { 'content-type': 'application/json', 'x-jd-publishable-key': key };
  const n = String(++phoneSeq).padStart(4, '0');
  const phone = { region: 'CN', number: `1390001${n}` };
  const [path, body] =
    kind % 3 === 0
      ? ['/v1/verification-codes', { phone, purpose: 'register', channel: 'sms' }]
      : kind % 3 === 1
        ? ['/v1/sessions', { identifier: `nobody${n}`, password: 'not-the-password' }]
        : ['/v1/verification-codes/check', { phone, code: '123456', purpose: 'register' }];
  try {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(DEADLINE_MS + 5000),
    });
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    return {
      status: res.status,
      code: json.error?.code,
      retryAfter: res.headers.get('retry-after'),
      ms: Date.now() - started,
    };
  } catch (err) {
    return { status: (err as Error).name, ms: Date.now() - started };
  }
}

/** `concurrency` requests in flight for `ms`, each followed by the next. */
async function burst(ms: number, concurrency: number, during?: () => Promise<void>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const until = Date.now() + ms;
  const lanes = Array.from({ length: concurrency }, async (_, lane) => {
    for (let i = lane; Date.now() < until; i += concurrency) outcomes.push(await one(i));
  });
  await Promise.all([...lanes, during?.()]);
  return outcomes;
}

/** Every answer is a success, the expected refusal of a wrong sign-in or code, or a 503 with Retry-After, inside the deadline. */
function expectNoFailures(outcomes: Outcome[]) {
  const bad = outcomes.filter(
    (o) =>
      !(
        o.status === 202 ||
        (o.status === 401 && o.code === 'invalid_credentials') ||
        (o.status === 400 && o.code === 'code_not_sent') ||
        (o.status === 503 && o.code === 'service_unavailable' && o.retryAfter)
      ),
  );
  const summary = Object.entries(
    outcomes.reduce<Record<string, number>>(
      (acc, o) => (
        (acc[`${o.status}${o.code ? ` ${o.code}` : ''}`] = (acc[`${o.status}${o.code ? ` ${o.code}` : ''}`] ?? 0) + 1),
        acc
      ),
      {},
    ),
  );
  expect(bad, JSON.stringify(summary)).toEqual([]);
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  // the deadline plus slack for a loaded 2-core machine; a request held unbounded would show up here
  expect(slowest, JSON.stringify(summary)).toBeLessThan(DEADLINE_MS + 3000);
  if (process.env.DB_FAULTS_VERBOSE) console.log(JSON.stringify(summary), 'slowest', slowest);
  return summary;
}

async function servesAgainWithin(ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const [a, b] = await Promise.all([one(0), one(1)]);
    if (a.status === 202 && b.status === 401) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not serving again after ${ms} ms: ${JSON.stringify([a, b])}`);
    await sleep(200);
  }
}

describe.skipIf(!pgClusterAvailable())('database faults on a throwaway Postgres cluster', () => {
  beforeAll(async () => {
    cluster = createPgCluster(PORT);
    const { DATABASE_URL: _ignored, ...env } = process.env;
    bff = spawn(process.execPath, ['--import', 'tsx', 'bff/src/main.ts'], {
      env: {
        ...env,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: '0',
        SKIP_WIDGET_BUILD: '1',
        OUTBOX_WORKER: '0',
        RATE_LIMIT_FACTOR: '1000',
        CODES_DAILY_PER_IP: '1000000',
        REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        DATABASE_URL: cluster.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    bff.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    bff.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    bff.on('exit', (code, signal) => (exited = { code, signal }));
    const [, port] = await waitFor(/listening on http:\/\/localhost:(\d+)\//, 120_000);
    [, key] = (await waitFor(/demo tenant publishable key: (pk_[A-Za-z0-9_-]+)[^A-Za-z0-9_-]/, 10_000)) as [
      string,
      string,
    ];
    base = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(() => {
    if (bff && !exited) bff.kill('SIGKILL');
    cluster?.destroy();
  });

  it('serves a burst before any fault', async () => {
    const outcomes = await burst(1500, 20);
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.status === 503)).toEqual([]);
    expectNoFailures(outcomes);
  }, 60_000);

  it('survives every backend being terminated during a burst, answers 503 or success, and serves again', async () => {
    const outcomes = await burst(6000, 30, async () => {
      for (let i = 0; i < 5; i++) {
        await sleep(800);
        cluster.terminateBackends();
      }
    });
    expect(exited, output.slice(-3000)).toBeUndefined();
    expectNoFailures(outcomes);
    await servesAgainWithin(10_000);
    expect(output).not.toMatch(/uncaught|unhandled/i);
  }, 120_000);

  it('survives the database stopped for a while: 503 with Retry-After, no request held past the deadline, serves again when it is back', async () => {
    const outcomes = await burst(9000, 30, async () => {
      await sleep(1000);
      cluster.stop();
      await sleep(5000);
      cluster.start();
    });
    expect(exited, output.slice(-3000)).toBeUndefined();
    const summary = expectNoFailures(outcomes);
    expect(
      outcomes.some((o) => o.status === 503),
      JSON.stringify(summary),
    ).toBe(true);
    await servesAgainWithin(15_000);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
  }, 120_000);

  it('answers /readyz 503 while the database is down, without hanging', async () => {
    cluster.stop();
    try {
      const started = Date.now();
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 3000);
    } finally {
      cluster.start();
    }
    await servesAgainWithin(15_000);
    expect(exited).toBeUndefined();
  }, 60_000);
});
