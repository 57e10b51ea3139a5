/**
 * Structured logs: every line is one JSON object with the request id, the id is echoed as
 * X-Request-Id, and no secret — verification code, password, session token, cookie, query
 * string — ever reaches a line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { createLogger } from '../src/log.ts';
import type { ServiceDeps } from '../src/services/deps.ts';
import { AGREEMENTS, backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
let app: App;
const lines: string[] = [];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function appWith(overrides: Partial<ServiceDeps>): App {
  // the harness's services and database, with a logger that keeps its lines (debug: everything)
  return createApp({
    deps: { ...h.deps, log: createLogger({ write: (l) => lines.push(l), level: 'debug' }), ...overrides },
    tenants: h.tenants,
  });
}

async function send(
  path: string,
  o: { method?: string; body?: unknown; headers?: Record<string, string>; via?: App } = {},
) {
  const headers: Record<string, string> = {
    'x-forwarded-for': '203.0.113.9',
    'x-jd-publishable-key': h.tenant.publishableKey,
    ...o.headers,
  };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await (o.via ?? app).request(`http://localhost${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
  };
}

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
const linesOf = (requestId: string | null) => parsed().filter((l) => l.requestId === requestId);

beforeAll(async () => {
  h = await makeHarness();
  app = appWith({});
});
afterAll(() => h.close());

describe(`structured logs (${backend})`, () => {
  const password = 'Logg3d#Secret';
  const secrets: string[] = [password];
  const ids: string[] = [];

  beforeAll(async () => {
    // registration (cookie mode), sign-in (token mode), session check, sign-out, a wrong password
    const sent = await send('/v1/verification-codes', {
      body: { phone: { region: 'CN', number: '13900001111' }, purpose: 'register', channel: 'sms' },
    });
    expect(sent.status).toBe(202);
    const [message] = await readDevOutbox(h.db, { to: '+8613900001111', limit: 1 });
    const code = message.code!;
    secrets.push(code);
    ids.push(sent.headers.get('x-request-id')!);

    const registered = await send('/v1/accounts', {
      body: {
        accountName: 'log_user',
        password,
        phone: { region: 'CN', number: '13900001111' },
        code,
        agreements: AGREEMENTS,
      },
    });
    expect(registered.status).toBe(201);
    const cookie = cookieFrom(registered.headers.get('set-cookie'));
    secrets.push(cookie.split('=')[1]);
    ids.push(registered.headers.get('x-request-id')!);

    const signedIn = await send('/v1/sessions', {
      body: { identifier: 'log_user', password },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(signedIn.status).toBe(200);
    const token = signedIn.json.session.token as string;
    secrets.push(token);
    ids.push(signedIn.headers.get('x-request-id')!);

    const checked = await send('/v1/session', { headers: { authorization: `Bearer ${token}` } });
    expect(checked.status).toBe(200);
    ids.push(checked.headers.get('x-request-id')!);
    const byCookie = await send('/v1/session', { headers: { cookie } });
    expect(byCookie.status).toBe(200);
    const out = await send('/v1/session', { method: 'DELETE', headers: { cookie, origin: ORIGIN } });
    expect(out.status).toBe(204);
  });

  it('writes every line as one JSON object with time, level, msg and a request id', () => {
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of parsed()) {
      expect(Object.keys(line).slice(0, 3)).toEqual(['time', 'level', 'msg']);
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(line.requestId).toEqual(expect.any(String));
      expect(line.requestId.length).toBeGreaterThan(0);
    }
  });

  it('logs one line per request under the id it echoes as X-Request-Id', () => {
    expect(ids.every((id) => UUID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const [, register, signIn] = ids.map((id) => linesOf(id).filter((l) => l.msg === 'request'));
    expect(register).toHaveLength(1);
    expect(register[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/v1/accounts',
      status: 201,
      tenant: 'acme',
    });
    expect(signIn[0]).toMatchObject({ method: 'POST', path: '/v1/sessions', status: 200, tenant: 'acme' });
    expect(signIn[0].durationMs).toEqual(expect.any(Number));
  });

  it('never writes the verification code, the password, the session token or the cookie', () => {
    expect(secrets).toHaveLength(4);
    const all = lines.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/authorization|bearer|cookie/i);
  });

  it('logs a refused request as an info line with its error code, and the failure in the request line', async () => {
    const res = await send('/v1/sessions', { body: { identifier: 'log_user', password: 'Wrong#Pass99' } });
    expect(res.status).toBe(401);
    const id = res.headers.get('x-request-id');
    expect(res.json.error.requestId).toBe(id);
    const mine = linesOf(id);
    expect(mine).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'request refused', code: 'invalid_credentials', status: 401 }),
    );
    expect(mine).toContainEqual(expect.objectContaining({ msg: 'request', status: 401, path: '/v1/sessions' }));
    expect(lines.join('\n')).not.toContain('Wrong#Pass99');
  });

  it('a request refused before any route (a control character in its URL, a Host not of this machine) is answered and logged like any other', async () => {
    for (const [path, headers, code] of [
      ['/v1/config?pk=%00', {}, 'invalid_input'],
      ['/v1/config', { host: 'rebound.attacker.example' }, 'host_not_allowed'],
    ] as const) {
      const res = await send(path, { headers });
      expect(res.status, path).toBe(code === 'invalid_input' ? 400 : 403);
      expect(res.json.error.code, path).toBe(code);
      const id = res.headers.get('x-request-id');
      expect(id, path).toMatch(UUID);
      expect(res.json.error.requestId, path).toBe(id);
      // the security headers are on the refusal too
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), path).toBe("default-src 'none'; frame-ancestors 'none'");
      const mine = linesOf(id);
      expect(mine, path).toContainEqual(expect.objectContaining({ msg: 'request refused', code }));
      expect(
        mine.filter((l) => l.msg === 'request'),
        path,
      ).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/config', status: res.status })]);
    }
  });

  it('logs the path without its query string', async () => {
    const res = await send(`/v1/account-names/availability?name=query_secret_name&pk=${h.tenant.publishableKey}`);
    expect(res.status).toBe(200);
    const [line] = linesOf(res.headers.get('x-request-id')).filter((l) => l.msg === 'request');
    expect(line.path).toBe('/v1/account-names/availability');
    expect(lines.join('\n')).not.toContain('query_secret_name');
  });

  it('keeps a safe incoming X-Request-Id and replaces a forged or oversized one', async () => {
    const kept = await send('/healthz', { headers: { 'x-request-id': 'trace-42.a:b_c' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-42.a:b_c');
    expect(linesOf('trace-42.a:b_c')).toHaveLength(1);

    const huge = 'A'.repeat(10_000);
    const injected = 'x","level":"error","msg":"forged';
    for (const forged of [huge, injected, 'a'.repeat(65), 'has space', 'tab\there']) {
      const res = await send('/healthz', { headers: { 'x-request-id': forged } });
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(linesOf(id)).toHaveLength(1);
    }
    expect(lines.join('\n')).not.toContain('AAAAAAAAAA');
    expect(lines.join('\n')).not.toContain('forged');
  });

  it('logs an unexpected error once with its stack, and answers 500 with the request id only', async () => {
    const failing = appWith({
      hasher: {
        ...h.deps.hasher,
        verify: async () => {
          throw new Error('hasher exploded');
        },
      },
    });
    const res = await send('/v1/sessions', { via: failing, body: { identifier: 'log_user', password } });
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('internal_error');
    expect(res.text).not.toContain('exploded');
    const id = res.headers.get('x-request-id');
    expect(res.json.error.requestId).toBe(id);
    const errors = linesOf(id).filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toBe('unhandled error');
    expect(errors[0].error.message).toBe('hasher exploded');
    expect(errors[0].error.stack).toContain('logging.test.ts');
    expect(lines.join('\n')).not.toContain(password);
  });

  it('redacts a field whose name says it holds a secret', () => {
    const out: string[] = [];
    const log = createLogger({ write: (l) => out.push(l) }).child({ requestId: 'r1' });
    log.info('x', { password: 'p', sessionToken: 't', Authorization: 'a', code: 'invalid_input', status: 400 });
    log.debug('dropped below the default level');
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0])).toMatchObject({
      requestId: 'r1',
      password: '[redacted]',
      sessionToken: '[redacted]',
      Authorization: '[redacted]',
      code: 'invalid_input',
    });
  });
});
