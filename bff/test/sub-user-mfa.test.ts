import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';

/** Sub-users' own virtual MFA (docs/product.md#13-sub-users): required by the primary, bound at sign-in, disassociated by the primary. */
let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const PW = 'Sub#Pass2026';

async function primary(name = `mfa_primary_${n++}`) {
  const reg = await h.register(
    { accountName: name, number: `1375555${String(n).padStart(4, '0')}` },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, o: { body?: unknown; method?: string; t?: string } = {}) =>
    h.request(`/v1/sub-users${path}`, {
      token: o.t ?? token,
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.method ? { method: o.method } : {}),
      locale: 'en',
    });
  return { name, id: reg.json.account.id as string, token, call };
}
const subSignIn = (identifier: string, subUser: string, password = PW) =>
  h.request('/v1/sessions', {
    body: { identifier, subUser, password },
    headers: { 'x-jd-session-mode': 'token' },
    locale: 'en',
  });
const mfaStep = (token: string, body: unknown) => h.request('/v1/sessions/mfa', { token, body, locale: 'en' });
const totp = (secret: string) => generate({ secret, epoch: epochOf(h.clock.now()) });

/** Signs the sub-user in through the required binding step; returns the device secret and the final answer. */
async function bindAtSignIn(primaryName: string, sub: string) {
  const pending = await subSignIn(primaryName, sub);
  expect(pending.status).toBe(200);
  expect(pending.json).toMatchObject({ mfaRequired: true, mfaSetupRequired: true, session: { mfaPending: true } });
  const token = pending.json.session.token as string;
  const setup = await h.request('/v1/sessions/mfa/setup', { token, body: {}, locale: 'en' });
  expect(setup.status).toBe(200);
  const done = await mfaStep(token, { code: await totp(setup.json.secret) });
  expect(done.status).toBe(200);
  h.clock.advance(30); // that code's step is spent
  return { secret: setup.json.secret as string, pending: pending.json, setup: setup.json, done: done.json };
}

describe(`sub-users' MFA (${backend})`, () => {
  it('"MFA required": the sub-user binds a device at sign-in before getting in, then signs in with its code', async () => {
    const p = await primary();
    const created = await p.call('', { body: { name: 'ops_admin', password: PW, mfaRequired: true } });
    expect(created.json).toMatchObject({ mfaRequired: true, mfaBound: false });

    const pending = await subSignIn(p.name, 'ops_admin');
    expect(pending.json).toMatchObject({
      mfaRequired: true,
      mfaSetupRequired: true,
      account: { subUser: { name: 'ops_admin' } },
    });
    const pendingToken = pending.json.session.token as string;
    // the pending session can do nothing else
    expect((await h.request('/v1/session', { token: pendingToken })).json.error.code).toBe('mfa_required');
    expect((await h.request('/v1/sub-user/mfa', { token: pendingToken })).json.error.code).toBe('mfa_required');
    expect((await h.request('/v1/mfa-recovery', { token: pendingToken })).json.error.code).toBe('sub_user_forbidden');
    // a code before any device is being bound: nothing to confirm
    expect((await mfaStep(pendingToken, { code: '123456' })).json.error.code).toBe('mfa_not_bound');

    const setup = await h.request('/v1/sessions/mfa/setup', { token: pendingToken, body: {}, locale: 'en' });
    expect(setup.status).toBe(200);
    expect(decodeURIComponent(setup.json.otpauthUri)).toContain(`ops_admin@${p.name}`);
    expect(setup.json.qrSvg).toContain('<svg');
    const wrong = await mfaStep(pendingToken, { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('mfa_code_invalid');
    const done = await mfaStep(pendingToken, { code: await totp(setup.json.secret) });
    expect(done.status).toBe(200);
    expect(done.json.session.mfaPending).toBeUndefined();
    expect(done.json.account.subUser.name).toBe('ops_admin');
    expect(done.json.notices).toBeUndefined();
    expect(await h.sessionState({ token: done.json.session.token })).toBe('in');
    expect((await h.request('/v1/sub-user/mfa', { token: done.json.session.token })).json).toMatchObject({
      bound: true,
      required: true,
    });
    expect((await p.call('')).json.subUsers[0]).toMatchObject({ name: 'ops_admin', mfaBound: true });

    // next sign-in: the code of the bound device; a replay and recovery codes are refused
    h.clock.advance(30);
    const next = await subSignIn(p.name, 'ops_admin');
    expect(next.json).toMatchObject({ mfaRequired: true });
    expect(next.json.mfaSetupRequired).toBeUndefined();
    const t = next.json.session.token as string;
    expect((await h.request('/v1/sessions/mfa/setup', { token: t, body: {}, locale: 'en' })).json.error.code).toBe(
      'mfa_already_bound',
    );
    expect((await mfaStep(t, { recoveryCode: 'abcde-fghjk' })).json.error.code).toBe('recovery_codes_unavailable');
    const code = await totp(setup.json.secret);
    expect((await mfaStep(t, { code })).status).toBe(200);
    const again = await subSignIn(p.name, 'ops_admin');
    expect((await mfaStep(again.json.session.token, { code })).json.error.code).toBe('mfa_code_reused');
  });

  it("the primary disassociates a sub-user's device: the sub-user is told at the next sign-in and binds again", async () => {
    const p = await primary();
    const sub = (await p.call('', { body: { name: 'lost_phone', password: PW, mfaRequired: true } })).json;
    await bindAtSignIn(p.name, 'lost_phone');

    const res = await p.call(`/${sub.id}/mfa/disassociate`, { body: {} });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ mfaBound: false, mfaRequired: true });
    expect((await p.call(`/${sub.id}/mfa/disassociate`, { body: {} })).json.error.code).toBe('mfa_not_bound');
    const audit = await h.db
      .selectFrom('audit_events')
      .select(['type'])
      .where('account_id', '=', p.id)
      .where('type', '=', 'sub_user_mfa_disassociated')
      .execute();
    expect(audit).toHaveLength(1);

    const rebound = await bindAtSignIn(p.name, 'lost_phone');
    expect(rebound.pending.notices).toEqual(['mfa_reset_by_primary']);
    expect(rebound.done.notices).toEqual(['mfa_reset_by_primary']);
    // told once only
    const later = await subSignIn(p.name, 'lost_phone');
    expect(later.json.notices).toBeUndefined();
  });

  it('without "MFA required" a sub-user signs in directly, may bind its own device (password asked again), and is then asked for the code', async () => {
    const p = await primary();
    const sub = (await p.call('', { body: { name: 'optional', password: PW } })).json;
    expect(sub.mfaRequired).toBe(false);
    const first = await subSignIn(p.name, 'optional');
    expect(first.json.mfaRequired).toBeUndefined();
    const t = first.json.session.token as string;
    expect((await h.request('/v1/sub-user/mfa', { token: t })).json).toEqual({
      bound: false,
      boundAt: null,
      required: false,
    });
    const wrongPw = await h.request('/v1/sub-user/mfa/setup', {
      token: t,
      body: { password: 'Wrong#2026' },
      locale: 'en',
    });
    expect(wrongPw.status).toBe(400);
    expect(wrongPw.json.error.fields[0]).toMatchObject({ path: 'password', code: 'password_incorrect' });
    const setup = await h.request('/v1/sub-user/mfa/setup', { token: t, body: { password: PW }, locale: 'en' });
    expect(setup.status).toBe(200);
    const confirmed = await h.request('/v1/sub-user/mfa/confirm', {
      token: t,
      body: { code: await totp(setup.json.secret) },
      locale: 'en',
    });
    expect(confirmed.json).toMatchObject({ bound: true, required: false });
    h.clock.advance(30);
    const next = await subSignIn(p.name, 'optional');
    expect(next.json.mfaRequired).toBe(true);
    expect((await mfaStep(next.json.session.token, { code: await totp(setup.json.secret) })).status).toBe(200);
    // a primary's session has no sub-user MFA
    expect((await h.request('/v1/sub-user/mfa', { token: p.token })).json.error.code).toBe('sub_user_only');
    // the primary toggles "MFA required"
    expect((await p.call(`/${sub.id}/mfa-required`, { method: 'PUT', body: { required: true } })).json).toMatchObject({
      mfaRequired: true,
      mfaBound: true,
    });
    expect((await p.call(`/${sub.id}/mfa-required`, { method: 'PUT', body: { required: 'yes' } })).status).toBe(400);
  });

  it('isolation: only the own primary disassociates; devices of a primary and its sub-users are separate', async () => {
    const p = await userWithMfa(h, { number: '13756660001', name: 'mfa_owner_iso' });
    const call = (path: string, o: { body?: unknown; method?: string; t?: string } = {}) =>
      h.request(`/v1/sub-users${path}`, {
        token: o.t ?? p.token,
        ...(o.body !== undefined ? { body: o.body } : {}),
        ...(o.method ? { method: o.method } : {}),
        locale: 'en',
      });
    const sub = (await call('', { body: { name: 'member', password: PW } })).json;
    // the primary's device does not gate its sub-user
    const subIn = await subSignIn(p.name, 'member');
    expect(subIn.json.mfaRequired).toBeUndefined();
    // the sub-user cannot disassociate anything; another primary cannot see this sub-user
    expect((await call(`/${sub.id}/mfa/disassociate`, { body: {}, t: subIn.json.session.token })).json.error.code).toBe(
      'sub_user_forbidden',
    );
    const other = await primary();
    expect((await other.call(`/${sub.id}/mfa/disassociate`, { body: {} })).json.error.code).toBe('sub_user_not_found');
    expect(
      (await other.call(`/${sub.id}/mfa-required`, { method: 'PUT', body: { required: true } })).json.error.code,
    ).toBe('sub_user_not_found');
    // the primary's own MFA is untouched by the sub-user's binding and by disassociation
    const setup = await h.request('/v1/sub-user/mfa/setup', {
      token: subIn.json.session.token,
      body: { password: PW },
      locale: 'en',
    });
    await h.request('/v1/sub-user/mfa/confirm', {
      token: subIn.json.session.token,
      body: { code: await totp(setup.json.secret) },
      locale: 'en',
    });
    expect((await call(`/${sub.id}/mfa/disassociate`, { body: {} })).status).toBe(200);
    const overview = await h.request('/v1/security', { token: p.token });
    expect(overview.json.mfa.bound).toBe(true);
    // a primary's pending session has no binding step to start
    const primaryPending = await h.request('/v1/sessions', {
      body: { identifier: p.name, password: p.password },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(
      (await h.request('/v1/sessions/mfa/setup', { token: primaryPending.json.session.token, body: {}, locale: 'en' }))
        .json.error.code,
    ).toBe('mfa_setup_not_required');
  });

  it("a sub-user's wrong passwords throttle that sub-user only, never the primary account", async () => {
    const p = await primary();
    await p.call('', { body: { name: 'guessed', password: PW } });
    for (let i = 0; i < 5; i++)
      expect((await subSignIn(p.name, 'guessed', `Wrong#${i}x2026`)).json.error.code).toBe('invalid_credentials');
    const throttled = await subSignIn(p.name, 'guessed');
    expect(throttled.status).toBe(429);
    expect(throttled.json.error.code).toBe('too_many_attempts');
    const primaryIn = await h.request('/v1/sessions', {
      body: { identifier: p.name, password: 'Secret#2026' },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(primaryIn.status).toBe(200);
    h.clock.advance(15 * 60 + 1);
    expect((await subSignIn(p.name, 'guessed')).status).toBe(200);
  });
});
