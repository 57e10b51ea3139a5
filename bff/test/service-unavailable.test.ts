/**
 * A database that cannot serve is answered 503 service_unavailable with Retry-After and a
 * localised message, never 500 and never a hang (docs/operating.md "During a database outage").
 * The services run on a real node-postgres pool pointed at a port that refuses connections, or
 * at one that accepts and then stays silent; tenants still resolve through the harness database.
 * bff/test/db-faults.test.ts does the same against a real server that is stopped and killed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { createDb, databaseUnavailable, type Db } from '../src/db/create.ts';
import { createLogger } from '../src/log.ts';
import { makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
let silent: Server;
const sockets: Socket[] = [];
const dbs: Db[] = [];
const lines: string[] = [];

function appOn(url: string, opts: { deadlineMs?: number; connectTimeoutMs?: number } = {}): App {
  const db = createDb({
    url,
    poolSize: 2,
    timeouts: {
      connectTimeoutMs: opts.connectTimeoutMs ?? 500,
      statementTimeoutMs: 1000,
      idleInTransactionTimeoutMs: 1000,
    },
  });
  dbs.push(db);
  const config = { ...h.deps.config, requestDeadlineMs: opts.deadlineMs ?? 5000 };
  return createApp({
    deps: { ...h.deps, db, config, log: createLogger({ write: (l) => lines.push(l), level: 'debug' }) },
    tenants: h.tenants,
  });
}

async function signIn(app: App, locale = 'en') {
  const started = Date.now();
  const res = await app.request('http://localhost/v1/sessions', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ORIGIN,
      'x-jd-publishable-key': h.tenant.publishableKey,
      'accept-language': locale,
      'x-forwarded-for': '203.0.113.50',
    },
    body: JSON.stringify({ identifier: 'somebody', password: 'Secret#2468xyz' }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { error: { code: string; message: string } },
    ms: Date.now() - started,
  };
}

beforeAll(async () => {
  h = await makeHarness();
  silent = createServer((s) => sockets.push(s)); // accepts, never answers: a server that hangs
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await Promise.all(dbs.map((db) => db.destroy().catch(() => {})));
  await h.close();
});

describe('service_unavailable', () => {
  it('a refused database connection answers 503 with Retry-After and a localised message', async () => {
    const app = appOn('postgres://postgres@127.0.0.1:1/none');
    const en = await signIn(app);
    expect(en.status).toBe(503);
    expect(en.body.error.code).toBe('service_unavailable');
    expect(en.retryAfter).toBe('5');
    expect(en.body.error.message).toMatch(/try again shortly/i);
    const zh = await signIn(app, 'zh-CN');
    expect(zh.status).toBe(503);
    expect(zh.body.error.message).toBe('服务繁忙或暂时不可用，请稍后再试。');
    // logged as a warning with the reason's code only: no address, no query, no password
    const logged = lines.filter((l) => l.includes('database unavailable'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).toContain('ECONNREFUSED');
    expect(lines.join('\n')).not.toContain('Secret#2468xyz');
    expect(lines.join('\n')).not.toContain('127.0.0.1:1');
  });

  it('a database that accepts and never answers is cut by the connect timeout: 503, not a hang', async () => {
    const port = (silent.address() as AddressInfo).port;
    const r = await signIn(appOn(`postgres://postgres@127.0.0.1:${port}/none`, { connectTimeoutMs: 300 }));
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('service_unavailable');
    expect(r.retryAfter).toBe('5');
  });

  it('the request deadline answers 503 when the database is slower than the request may take', async () => {
    const port = (silent.address() as AddressInfo).port;
    const r = await signIn(
      appOn(`postgres://postgres@127.0.0.1:${port}/none`, { connectTimeoutMs: 10_000, deadlineMs: 200 }),
    );
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('service_unavailable');
    expect(r.retryAfter).toBe('5');
    expect(r.ms).toBeLessThan(5000); // well before the 10 s connect timeout
  });

  it('tells database outages from other failures', () => {
    const shown = (e: unknown) => (e instanceof Error ? String(e) : JSON.stringify(e));
    for (const e of [
      { code: '57P01' },
      { code: '08006' },
      { code: '53300' },
      { code: '57014' },
      { code: 'ECONNRESET' },
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      expect(databaseUnavailable(e), shown(e)).toBe(true);
    }
    for (const e of [
      { code: '23505' },
      { code: '22P02' },
      new Error('boom'),
      new TypeError("Cannot read properties of null (reading 'write')"),
      null,
      'ECONNRESET',
    ]) {
      expect(databaseUnavailable(e), shown(e)).toBe(false);
    }
  });
});
