import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOperations, type Operation } from '../src/openapi/document.ts';
import { createTenant, type Tenant } from '../src/services/tenants.ts';
import { backend, makeHarness, ORIGIN, type Harness } from './harness.ts';

/**
 * Tenant isolation on every public endpoint (docs/product.md#15-tenants-and-keys): the route list comes from the routes'
 * definitions as the app registered them (what /openapi.json documents: every route the app serves,
 * openapi.test.ts), so a new /v1 endpoint is covered here
 * without anyone remembering to. (The admin API's isolation: admin-api.test.ts.)
 */
let h: Harness;
let b: Tenant;
const A: Record<string, string> = {};
let tokenA = '';
let tokenB = '';

beforeAll(async () => {
  h = await makeHarness();
  publicOps = apiOperations(h.app).filter((o) => o.path.startsWith('/v1/'));
  b = await createTenant(h.db, { slug: 'other-cloud', displayName: 'Other Cloud', origins: [ORIGIN] });
  const regA = await h.register(
    { accountName: 'iso_alice', number: '13788880001' },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  tokenA = regA.json.session.token;
  A.accountId = regA.json.account.id;
  A.sub = (
    await h.request('/v1/sub-users', { token: tokenA, body: { name: 'iso_member', password: 'Sub#Pass2026' } })
  ).json.id;
  A.delivery = (await h.sendCode('13788880009')).res.json.deliveryId;
  const regB = await h.register(
    { accountName: 'iso_bob', number: '13788880002' },
    { pk: b.publishableKey, headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(regB.status).toBe(201);
  tokenB = regB.json.session.token;
}, 60_000);
afterAll(() => h.close());

const fill = (path: string) => path.replace(':id', A.sub).replace(':kind', 'phone');

/** Well-formed bodies, so the session check — not input validation — is what answers. */
const BODIES: Record<string, unknown> = {
  'POST /v1/sessions/mfa': { code: '123456' },
  'POST /v1/consents': { agreements: [{ key: 'privacy', version: '1.0' }] },
  'POST /v1/security/step-up/start': { method: 'phone' },
  'POST /v1/security/step-up/verify': { method: 'phone', code: '123456' },
  'POST /v1/security/contacts/start': { kind: 'email', role: 'contact', email: 'x@example.com' },
  'POST /v1/security/contacts/confirm': { kind: 'email', role: 'contact', email: 'x@example.com', code: '123456' },
  'POST /v1/security/email': { email: 'x@example.com' },
  'POST /v1/security/password': { currentPassword: 'Secret#2026', newPassword: 'New#Pass2026x' },
  'POST /v1/security/mfa/confirm': { code: '123456' },
  'POST /v1/sub-users': { name: 'x_user', password: 'Sub#Pass2026' },
  'PUT /v1/sub-users/:id/mfa-required': { required: true },
  'PUT /v1/sub-users/:id/password': { password: 'New#Pass2026x' },
  'POST /v1/sub-user/mfa/setup': { password: 'Sub#Pass2026' },
  'POST /v1/sub-user/mfa/confirm': { code: '123456' },
};
/** Too large to fake well here; its own test checks that a foreign session is refused. */
const VALIDATED_FIRST = new Set(['POST /v1/mfa-recovery/applications']);
let publicOps: Operation[] = [];

describe(`tenant isolation on every public endpoint (${backend})`, () => {
  it('covers the whole /v1 API', () => {
    expect(publicOps.length).toBeGreaterThan(30);
  });

  it('a session of tenant A is nobody at tenant B: every session endpoint answers 401 (the session check: signed out) and changes nothing', async () => {
    const before = await h.db.selectFrom('sub_users').select('id').execute();
    for (const op of publicOps.filter((o) => o.auth === 'session' || o.auth === 'pending')) {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      const res = await h.request(fill(op.path), {
        method: op.method.toUpperCase(),
        token: tokenA,
        pk: b.publishableKey,
        ...(op.method === 'get' || op.method === 'delete' ? {} : { body: BODIES[key] ?? {} }),
      });
      // the session check answers "no session" as a 200 (a signed-out page load is no error)
      if (key === 'GET /v1/session') {
        expect(res.json, key).toEqual({ signedIn: false });
        continue;
      }
      expect(
        VALIDATED_FIRST.has(key) ? [400, 401] : [401],
        `${key} answered ${res.status} ${res.text.slice(0, 120)}`,
      ).toContain(res.status);
    }
    expect(await h.db.selectFrom('sub_users').select('id').execute()).toEqual(before);
    expect(await h.sessionState({ token: tokenA })).toBe('in'); // still valid at its own tenant
  });

  it("tenant B's own session cannot reach tenant A's records by id", async () => {
    for (const op of publicOps.filter((o) => o.path.includes('/sub-users/:id'))) {
      const res = await h.request(fill(op.path), {
        method: op.method.toUpperCase(),
        token: tokenB,
        pk: b.publishableKey,
        ...(op.method === 'delete' ? {} : { body: BODIES[`${op.method.toUpperCase()} ${op.path}`] ?? {} }),
      });
      expect(res.status, `${op.method} ${op.path}`).toBe(404);
    }
    const delivery = await h.request(`/v1/deliveries/${A.delivery}`, { pk: b.publishableKey });
    expect(delivery.status).toBe(404);
    expect((await h.request(`/v1/deliveries/${A.delivery}`)).status).toBe(200);
    expect(
      (await h.request('/v1/sub-users', { token: tokenA })).json.subUsers.map((s: { id: string }) => s.id),
    ).toEqual([A.sub]);
  });

  it("tenant A's identities do not exist at tenant B; names and phones are per tenant", async () => {
    const signIn = await h.request('/v1/sessions', {
      pk: b.publishableKey,
      body: { identifier: 'iso_alice', password: 'Secret#2026' },
    });
    expect(signIn.status).toBe(401);
    expect(signIn.json.error.code).toBe('invalid_credentials');
    const asSub = await h.request('/v1/sessions', {
      pk: b.publishableKey,
      body: { identifier: A.accountId, subUser: 'iso_member', password: 'Sub#Pass2026' },
    });
    expect(asSub.json.error.code).toBe('invalid_credentials');
    expect(
      (await h.request('/v1/account-names/availability?name=iso_alice', { pk: b.publishableKey })).json.available,
    ).toBe(true);
    expect((await h.request('/v1/account-names/availability?name=iso_alice')).json.available).toBe(false);
    const config = await h.request('/v1/config', { pk: b.publishableKey });
    expect(config.json.slug).toBe('other-cloud');
  });
});
