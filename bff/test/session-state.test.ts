/**
 * GET /v1/session answers "no session" as 200 `{ signedIn: false }` (a signed-out page load logs
 * no failed request in the browser's console); the signed-in answer carries `signedIn: true`.
 * Every other endpoint still answers 401 not_signed_in, and the OpenAPI document shows both shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStateSchema } from '../../shared/src/api.ts';
import { createTenant } from '../src/services/tenants.ts';
import { backend, cookieFrom, makeHarness, type Harness } from './harness.ts';
import { userWithMfa } from './mfa-helpers.ts';

let h: Harness;
let user: { name: string; token: string };
beforeAll(async () => {
  h = await makeHarness();
  const res = await h.register(
    { accountName: 'state_user', number: '13511110001', password: 'State#2026' },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(res.status).toBe(201);
  user = { name: 'state_user', token: res.json.session.token };
});
afterAll(() => h.close());

const check = (o: Parameters<Harness['request']>[1] = {}) => h.request('/v1/session', o);

describe(`GET /v1/session without a session (${backend})`, () => {
  it('answers 200 { signedIn: false } to a visitor with no cookie and no token, never cached', async () => {
    const res = await check();
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ signedIn: false });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(SessionStateSchema.parse(res.json)).toEqual({ signedIn: false });
  });

  it('answers the same to a stale token, an ended session, garbage and a cookie of nobody', async () => {
    const signedIn = await h.request('/v1/sessions', {
      body: { identifier: user.name, password: 'State#2026' },
      headers: { 'x-jd-session-mode': 'token' },
    });
    const stale = signedIn.json.session.token as string;
    expect(await h.sessionState({ token: stale })).toBe('in');
    expect((await h.request('/v1/session', { method: 'DELETE', token: stale })).status).toBe(204);
    for (const o of [
      { token: stale },
      { token: 'A'.repeat(43) },
      { token: 'x' },
      { headers: { authorization: 'Bearer' } },
      { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { cookie: 'jd_session_000000000000=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ]) {
      const res = await check(o);
      expect([res.status, res.json], JSON.stringify(o)).toEqual([200, { signedIn: false }]);
    }
  });

  it('an expired session is no session', async () => {
    const res = await h.request('/v1/sessions', {
      body: { identifier: user.name, password: 'State#2026' },
      headers: { 'x-jd-session-mode': 'token' },
    });
    const token = res.json.session.token as string;
    h.clock.advance(h.deps.config.session.absoluteSeconds + 1);
    expect(await h.sessionState({ token })).toBe('out');
    user.token = (
      await h.request('/v1/sessions', {
        body: { identifier: user.name, password: 'State#2026' },
        headers: { 'x-jd-session-mode': 'token' },
      })
    ).json.session.token;
  });

  it("a session of this tenant is no session at another tenant's key", async () => {
    const other = await createTenant(h.db, { slug: 'state-other', origins: [] });
    const res = await check({ token: user.token, pk: other.publishableKey });
    expect([res.status, res.json]).toEqual([200, { signedIn: false }]);
    expect(await h.sessionState({ token: user.token })).toBe('in');
  });

  it('a signed-in check says signedIn: true with the account and the session, and parses as the documented union', async () => {
    const res = await check({ token: user.token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      signedIn: true,
      account: { accountName: 'state_user' },
      session: { mode: 'token' },
    });
    expect(res.json.session.token).toBeUndefined();
    expect(res.json.accessToken).toBeUndefined();
    expect(SessionStateSchema.parse(res.json).signedIn).toBe(true);
    // cookie mode alike
    const cookieSignIn = await h.request('/v1/sessions', { body: { identifier: user.name, password: 'State#2026' } });
    expect(await h.sessionState({ cookie: cookieFrom(cookieSignIn.headers.get('set-cookie')) })).toBe('in');
  });

  it('a session whose MFA step is due still answers 401 mfa_required (the widget continues that step)', async () => {
    const u = await userWithMfa(h, { number: '13511110002', name: 'state_mfa' });
    const pending = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: u.password },
      headers: { 'x-jd-session-mode': 'token' },
      locale: 'en',
    });
    const res = await check({ token: pending.json.session.token, locale: 'en' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('mfa_required');
  });

  it('every other endpoint still answers 401 not_signed_in without a session, in both languages', async () => {
    for (const [path, method] of [
      ['/v1/security', 'GET'],
      ['/v1/session/token', 'POST'],
      ['/v1/consents', 'POST'],
      ['/v1/sub-users', 'GET'],
    ] as const) {
      for (const [locale, text] of [
        ['en', 'You are not signed in.'],
        ['zh-CN', '您尚未登录。'],
      ] as const) {
        const res = await h.request(path, {
          method,
          locale,
          ...(method === 'POST'
            ? { body: path === '/v1/consents' ? { agreements: [{ key: 'privacy', version: '1.0' }] } : {} }
            : {}),
        });
        expect([res.status, res.json.error.code, res.json.error.message], `${method} ${path}`).toEqual([
          401,
          'not_signed_in',
          text,
        ]);
      }
    }
  });
});

describe(`the OpenAPI document (${backend})`, () => {
  type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
  let doc: Doc;
  beforeAll(async () => {
    doc = (await h.request('/openapi.json')).json;
  });

  it('documents both shapes of the session check', () => {
    const schema = doc.paths['/v1/session'].get.responses['200'].content['application/json'].schema;
    const branches: { $ref?: string }[] = schema.oneOf ?? schema.anyOf;
    expect(branches.map((b) => b.$ref).sort()).toEqual([
      '#/components/schemas/CurrentSession',
      '#/components/schemas/SignedOut',
    ]);
    const out = doc.components.schemas.SignedOut;
    expect(out.required).toEqual(['signedIn']);
    expect(out.properties.signedIn).toMatchObject({ type: 'boolean', enum: [false] });
    const current = doc.components.schemas.CurrentSession;
    expect(current.required).toEqual(expect.arrayContaining(['account', 'session', 'signedIn']));
    expect(current.properties.signedIn).toMatchObject({ enum: [true] });
    expect(current.properties.agreementsToAccept).toBeDefined();
    // the sign-in answers keep their shape
    expect(doc.components.schemas.SignedIn.required).toEqual(['account', 'session']);
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('agreements_pending');
  });

  it('is still a whole document: every $ref resolves, every operation has one success answer', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9_.-]+$/);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item))
        expect(
          Object.keys(op.responses).filter((s) => /^(2\d\d|302)$/.test(s)),
          `${method} ${path}`,
        ).toHaveLength(1);
  });
});
