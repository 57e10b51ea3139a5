/**
 * Consent survives a reload (docs/product.md#16-agreements): when the tenant publishes an agreement
 * version the account has not accepted, the session check names it as the sign-in does, and the
 * tenant's backend gets no token for that account — POST /v1/session/token answers 403
 * agreements_pending, sign-in answers carry no accessToken — until POST /v1/consents.
 */
import { jwtVerify, createLocalJWKSet } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { createTenant, type Tenant } from '../src/services/tenants.ts';
import { backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';
import { generate } from 'otplib';

let h: Harness;
let other: Tenant;
let seq = 0;
const PASSWORD = 'Agree#Gate2026';

beforeAll(async () => {
  h = await makeHarness();
  other = await createTenant(h.db, { slug: 'gate-other', displayName: 'Globex', origins: ['https://globex.test'] });
});
afterAll(() => h.close());

/** The harness registers with every agreement at 1.0; publishing privacy 2.0 makes it pending for them. */
const publish = (version: string) =>
  h.setTenantConfig({
    agreements: h.tenant.config.agreements.map((a) => (a.key === 'privacy' ? { ...a, version } : a)),
  });

async function account() {
  const name = `gate_user_${seq}`;
  const number = `1352222${String(seq++).padStart(4, '0')}`;
  const res = await h.register(
    { accountName: name, number, password: PASSWORD },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(res.status).toBe(201);
  return { name, number, id: res.json.account.id as string, token: res.json.session.token as string };
}

const signIn = (name: string, o: { cookie?: boolean; pk?: string } = {}) =>
  h.request('/v1/sessions', {
    body: { identifier: name, password: PASSWORD },
    ...(o.cookie ? {} : { headers: { 'x-jd-session-mode': 'token' } }),
    ...(o.pk ? { pk: o.pk } : {}),
  });
/** POST /v1/session/token; with a cookie, from the tenant's page (a cookie-carrying POST needs an allowed Origin). */
const tokenFor = (o: { token?: string; cookie?: string; pk?: string; locale?: string }) =>
  h.request('/v1/session/token', { body: {}, ...(o.cookie ? { origin: ORIGIN } : {}), ...o });
const accept = (token: string, version: string, pk?: string) =>
  h.request('/v1/consents', {
    token,
    body: { agreements: [{ key: 'privacy', version }] },
    ...(pk ? { pk } : {}),
  });

describe(`agreements pending: the session check and tokens (${backend})`, () => {
  // every account here registers with the harness's agreements (all 1.0): back to those after each test
  afterEach(() => publish('1.0'));

  it('registration accepts every agreement: its answer carries a token, and so does the token route', async () => {
    const u = await account();
    expect(await h.sessionState({ token: u.token })).toBe('in');
    const res = await tokenFor({ token: u.token });
    expect(res.status).toBe(200);
    expect(res.json.token).toMatch(/^ey/);
  });

  it('after a new version: the sign-in names it and carries no token; the session check names it too (a reload)', async () => {
    const u = await account();
    await publish('2.0');
    const signedIn = await signIn(u.name);
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.agreementsToAccept).toEqual([expect.objectContaining({ key: 'privacy', version: '2.0' })]);
    expect(signedIn.json.accessToken).toBeUndefined();
    const token = signedIn.json.session.token as string;
    // the page reloads: the widget reads the session and must still ask
    const state = await h.request('/v1/session', { token });
    expect(state.json).toMatchObject({ signedIn: true, agreementsToAccept: [{ key: 'privacy', version: '2.0' }] });
    expect(state.json.agreementsToAccept).toHaveLength(1);
    // an older session of the account (registered before the new version) is held back too
    expect((await h.request('/v1/session', { token: u.token })).json.agreementsToAccept).toHaveLength(1);
    for (const [locale, text] of [
      ['en', 'Please accept the updated agreements first.'],
      ['zh-CN', '协议已更新，请先同意。'],
    ] as const) {
      const refused = await tokenFor({ token, locale });
      expect([refused.status, refused.json.error.code, refused.json.error.message]).toEqual([
        403,
        'agreements_pending',
        text,
      ]);
    }
    expect((await tokenFor({ token: u.token })).status).toBe(403);
  });

  it('POST /v1/consents lifts it at once (the memoised check too), and a token is issued that verifies', async () => {
    const u = await account();
    await publish('2.1');
    const token = (await signIn(u.name)).json.session.token as string;
    expect((await h.request('/v1/session', { token })).json.agreementsToAccept).toHaveLength(1); // now memoised
    expect((await accept(token, '2.1')).json).toEqual({ agreementsToAccept: [] });
    const state = await h.request('/v1/session', { token });
    expect(state.json.signedIn).toBe(true);
    expect(state.json.agreementsToAccept).toBeUndefined();
    const issued = await tokenFor({ token });
    expect(issued.status).toBe(200);
    const jwks = (await h.request('/tenants/acme/.well-known/jwks.json', { pk: null })).json;
    const { payload } = await jwtVerify(issued.json.token, createLocalJWKSet(jwks), {
      audience: 'acme',
      currentDate: h.clock.now(),
    });
    expect(payload.sub).toBe(u.id);
    // the next sign-in carries its token again
    const again = await signIn(u.name);
    expect(again.json.agreementsToAccept).toBeUndefined();
    expect(again.json.accessToken.token).toMatch(/^ey/);
  });

  it('cookie mode alike', async () => {
    const u = await account();
    await publish('2.2');
    const res = await signIn(u.name, { cookie: true });
    const cookie = cookieFrom(res.headers.get('set-cookie'));
    expect(res.json.accessToken).toBeUndefined();
    expect((await h.request('/v1/session', { cookie })).json.agreementsToAccept).toHaveLength(1);
    expect((await tokenFor({ cookie })).json.error.code).toBe('agreements_pending');
  });

  it('with MFA: the answer that completes the sign-in names the agreements and carries no token', async () => {
    const u = await userWithMfa(h, { number: '13522229901', name: 'gate_mfa', password: PASSWORD });
    await publish('2.3');
    const pending = await signIn(u.name);
    expect(pending.json.mfaRequired).toBe(true);
    const done = await h.request('/v1/sessions/mfa', {
      token: pending.json.session.token,
      body: { code: await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(done.status).toBe(200);
    expect(done.json.agreementsToAccept).toHaveLength(1);
    expect(done.json.accessToken).toBeUndefined();
    expect((await tokenFor({ token: done.json.session.token })).status).toBe(403);
  });

  it("a sub-user is not held back by its primary's pending agreements (it cannot accept them)", async () => {
    const p = await account();
    expect(
      (await h.request('/v1/sub-users', { token: p.token, body: { name: 'gate_member', password: PASSWORD } })).status,
    ).toBe(201);
    await publish('2.4');
    const sub = await h.request('/v1/sessions', {
      body: { identifier: p.name, subUser: 'gate_member', password: PASSWORD },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(sub.json.agreementsToAccept).toBeUndefined();
    expect(sub.json.accessToken.token).toMatch(/^ey/);
    const subToken = sub.json.session.token as string;
    expect((await h.request('/v1/session', { token: subToken })).json.agreementsToAccept).toBeUndefined();
    expect((await tokenFor({ token: subToken })).status).toBe(200);
    expect((await accept(subToken, '2.4')).json.error.code).toBe('sub_user_forbidden');
    // its primary is held back
    expect((await tokenFor({ token: p.token })).json.error.code).toBe('agreements_pending');
  });

  it("another tenant's key or session sees and accepts nothing of this tenant's agreements", async () => {
    const u = await account();
    await publish('2.5');
    const mine = (await signIn(u.name)).json.session.token as string;
    // this tenant's session at the other tenant's key: no session, no token, no consent
    expect(await h.sessionState({ token: mine, pk: other.publishableKey })).toBe('out');
    expect((await tokenFor({ token: mine, pk: other.publishableKey })).json.error.code).toBe('not_signed_in');
    expect((await accept(mine, '2.5', other.publishableKey)).status).toBe(401);
    // the other tenant's own account: its agreements are its tenant's, all accepted
    const theirs = await h.register(
      { accountName: `gate_other_${seq++}`, number: '13522229902', password: PASSWORD },
      { pk: other.publishableKey, headers: { 'x-jd-session-mode': 'token' } },
    );
    expect(theirs.status).toBe(201);
    const theirToken = theirs.json.session.token as string;
    expect(
      (await h.request('/v1/session', { token: theirToken, pk: other.publishableKey })).json.agreementsToAccept,
    ).toBeUndefined();
    // …and at this tenant's key it is nobody: it cannot accept this tenant's version for anyone
    expect((await accept(theirToken, '2.5')).status).toBe(401);
    // an admin key is no session
    const { secretKey } = await createAdminKey(h.db, h.clock, other.id);
    expect(
      (
        await h.request('/v1/consents', {
          token: secretKey,
          body: { agreements: [{ key: 'privacy', version: '2.5' }] },
        })
      ).status,
    ).toBe(401);
    const rows = await h.db.selectFrom('consents').select('id').where('version', '=', '2.5').execute();
    expect(rows).toEqual([]);
    expect((await tokenFor({ token: mine })).json.error.code).toBe('agreements_pending');
  });

  it('a future version slipped into the registration body is not taken for consent when it is published', async () => {
    const number = '13522229903';
    const { code } = await h.sendCode(number);
    const res = await h.request('/v1/accounts', {
      headers: { 'x-jd-session-mode': 'token' },
      body: {
        accountName: 'gate_future',
        password: PASSWORD,
        phone: { region: 'CN', number },
        code,
        agreements: [
          ...h.tenant.config.agreements.map((a) => ({ key: a.key, version: a.version })),
          { key: 'privacy', version: '2.7' },
          { key: 'privacy', version: '1.0' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const stored = await h.db
      .selectFrom('consents')
      .select(['agreement_key', 'version'])
      .where('account_id', '=', res.json.account.id)
      .execute();
    expect(stored.map((r) => `${r.agreement_key}@${r.version}`).sort()).toEqual([
      'privacy@1.0',
      'registration@1.0',
      'service@1.0',
    ]);
    await publish('2.7');
    expect((await tokenFor({ token: res.json.session.token })).json.error.code).toBe('agreements_pending');
  });

  it('100 acceptances at once record the version once; 100 token requests while pending are all 403', async () => {
    const u = await account();
    await publish('2.6');
    const token = (await signIn(u.name)).json.session.token as string;
    const refused = await Promise.all(Array.from({ length: 100 }, () => tokenFor({ token })));
    expect(new Set(refused.map((r) => `${r.status} ${r.json.error?.code}`))).toEqual(
      new Set(['403 agreements_pending']),
    );
    const accepted = await Promise.all(Array.from({ length: 100 }, () => accept(token, '2.6')));
    expect(new Set(accepted.map((r) => r.status))).toEqual(new Set([200]));
    const rows = await h.db
      .selectFrom('consents')
      .select('id')
      .where('account_id', '=', u.id)
      .where('version', '=', '2.6')
      .execute();
    expect(rows).toHaveLength(1);
    expect((await tokenFor({ token })).status).toBe(200);
  });
});
