/**
 * The BFF on Bun (bff/src/main.bun.ts, Bun from the npm registry) against real Postgres: a fresh
 * database on the machine's server (DATABASE_URL as the admin connection, else the local
 * default), migrated and given a tenant with the project's own services, then the registration
 * and sign-in API flows over HTTP. Always Postgres, so scripts/test-all.ts leaves this file out
 * of its second, PGlite-only pass.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrateToLatest } from '../src/db/create.ts';
import { createTenant } from '../src/services/tenants.ts';
import { AGREEMENTS } from './harness.ts';

const root = resolve(import.meta.dirname, '../..');
const bunBin = join(root, 'node_modules', '.bin', 'bun');
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let scratch: ScratchDatabase | undefined;
let child: ChildProcess | undefined;
let output = '';
let base = '';
let publishableKey = '';

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

beforeAll(async () => {
  expect(existsSync(bunBin), 'bun is a devDependency: run npm install').toBe(true);
  scratch = await createScratchDatabase(adminUrl, 'jd_bun');
  const db = createDb({ url: scratch.url, poolSize: 2 });
  try {
    await migrateToLatest(db);
    publishableKey = (await createTenant(db, { slug: 'bun-tenant', displayName: 'Bun Tenant', origins: [] }))
      .publishableKey;
  } finally {
    await db.destroy();
  }

  const port = await freePort();
  child = spawn(bunBin, ['bff/src/main.bun.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: scratch.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development', // the dev outbox, read below as a user of the demo would
      SKIP_WIDGET_BUILD: '1',
      TRUST_PROXY: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`bun did not start in time:\n${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.includes('listening on')) {
        clearTimeout(timer);
        ok();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`bun exited (${code}) before listening:\n${output}`));
    });
  });
  base = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    if (!stopped) child.kill('SIGKILL');
  }
  if (scratch) {
    await scratch.drop();
  }
}, 30_000);

async function call(path: string, o: { method?: string; body?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = { 'x-jd-publishable-key': publishableKey, 'x-jd-session-mode': 'token' };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const res = await fetch(`${base}${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
}

describe('the BFF on Bun against Postgres', () => {
  const password = 'Bun#Runtime2026';
  let token = '';

  it('says it runs on Bun and is ready', async () => {
    expect(output).toMatch(/"msg":"runtime: bun \d+\.\d+\.\d+"/);
    const ready = await call('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: 'ready' });
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('registers with a code read from the dev outbox', async () => {
    const sent = await call('/v1/verification-codes', {
      body: { phone: { region: 'CN', number: '13700002222' }, purpose: 'register', channel: 'sms' },
    });
    expect(sent.status).toBe(202);
    const outbox = await fetch(`${base}/dev/outbox?to=${encodeURIComponent('+8613700002222')}`).then(
      (r) => r.json() as Promise<{ code: string | null }[]>,
    );
    const code = outbox[0]?.code;
    expect(code).toMatch(/^\d{6}$/);

    const registered = await call('/v1/accounts', {
      body: {
        accountName: 'bun_user',
        password,
        phone: { region: 'CN', number: '13700002222' },
        code,
        agreements: AGREEMENTS,
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.json.account.accountName).toBe('bun_user');
    expect(registered.json.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs in, checks the session and signs out', async () => {
    const wrong = await call('/v1/sessions', { body: { identifier: 'bun_user', password: 'Wrong#Pass2026' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');

    const signedIn = await call('/v1/sessions', { body: { identifier: 'bun_user', password } });
    expect(signedIn.status).toBe(200);
    token = signedIn.json.session.token;

    const checked = await call('/v1/session', { token });
    expect(checked.status).toBe(200);
    expect(checked.json.signedIn).toBe(true);
    expect(checked.json.account.accountName).toBe('bun_user');

    expect((await call('/v1/session', { method: 'DELETE', token })).status).toBe(204);
    const after = await call('/v1/session', { token });
    // no session is an answer, not an error (a signed-out page load logs nothing)
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ signedIn: false });
  });

  it('stored an argon2id hash with the configured cost and the peer address from Bun', async () => {
    const [account] = await scratch!.query<{ password_hash: string }>(
      `select password_hash from accounts where account_name = 'bun_user'`,
    );
    expect(account.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const ips = await scratch!.query<{ ip: string | null }>('select ip from sessions');
    expect(ips.length).toBeGreaterThan(0);
    for (const { ip } of ips) expect(ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('wrote JSON log lines on stdout without the password or the token', () => {
    const lines = output.split('\n').filter((l) => l.startsWith('{'));
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/v1/accounts', status: 201, tenant: 'bun-tenant' }),
    );
    expect(output).not.toContain(password);
    expect(output).not.toContain(token);
  });
});
