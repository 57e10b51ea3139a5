import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { checkTotp } from '../src/services/mfa.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf, userWithMfa as bindMfaUser } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const totp = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: epochOf(h.clock.now()) + offsetSeconds });

async function userWithMfa() {
  const number = `1372222${String(n++).padStart(4, '0')}`;
  const u = await bindMfaUser(h, { number, name: `mfa_user_${n}` });
  const { otpauthUri, qrSvg, secret } = u.setup;
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
  expect(otpauthUri).toContain(`secret=${secret}`);
  expect(qrSvg).toMatch(/^<svg/);
  return u;
}

const passwordStep = (name: string, password: string) =>
  h.request('/v1/sessions', {
    body: { identifier: name, password },
    headers: { 'x-jd-session-mode': 'token' },
    locale: 'en',
  });
const mfaStep = (token: string, body: unknown) => h.request('/v1/sessions/mfa', { token, body, locale: 'en' });

describe(`virtual MFA (${backend})`, () => {
  it('the TOTP rule: t and t±30 s accepted, ±60 s refused, a replay refused, ±3 min is clock drift', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const now = new Date('2026-11-24T08:00:15Z');
    const at = (offset: number) => generate({ secret, epoch: epochOf(now) + offset });
    for (const offset of [0, -30, 30]) expect((await checkTotp(secret, await at(offset), now, null)).ok).toBe(true);
    for (const offset of [-60, 60]) expect((await checkTotp(secret, await at(offset), now, null)).ok).toBe(false);
    const ok = await checkTotp(secret, await at(0), now, null);
    expect(ok.ok && (await checkTotp(secret, await at(0), now, ok.step))).toEqual({
      ok: false,
      code: 'mfa_code_reused',
    });
    expect(await checkTotp(secret, await at(-180), now, null)).toEqual({
      ok: false,
      code: 'mfa_clock_drift',
      driftSeconds: -180,
    });
    expect(await checkTotp(secret, await at(180), now, null)).toEqual({
      ok: false,
      code: 'mfa_clock_drift',
      driftSeconds: 180,
    });
    expect((await checkTotp(secret, '12ab56', now, null)).ok).toBe(false);
  });

  it('binds with a QR code and a confirming code; the secret is stored encrypted and never shown again', async () => {
    const u = await userWithMfa();
    expect(u.recoveryCodes).toHaveLength(10);
    expect(new Set(u.recoveryCodes).size).toBe(10);
    const overview = (await u.call('')).json;
    expect(overview.mfa).toMatchObject({ bound: true, recoveryCodesLeft: 10 });
    expect(overview.stepUpMethods).toContain('totp');
    expect(JSON.stringify(overview)).not.toContain(u.secret);
    const row = await h.db.selectFrom('mfa_devices').select('secret_enc').executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(u.secret);
    expect((await u.call('/mfa/setup', {})).json.error.code).toBe('mfa_already_bound');
    expect((await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 }))[0].purpose).toBe('mfa_change');
  });

  it('sign-in asks for the code after the password; the pending session can do nothing else', async () => {
    const u = await userWithMfa();
    const first = await passwordStep(u.name, u.password);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ mfaRequired: true, session: { mfaPending: true } });
    const pending = first.json.session.token as string;
    const session = await h.request('/v1/session', { token: pending, locale: 'en' });
    expect(session.status).toBe(401);
    expect(session.json.error.code).toBe('mfa_required');
    expect((await u.call('', undefined, pending)).json.error.code).toBe('mfa_required');
    expect((await u.call('/step-up/start', { method: 'phone' }, pending)).json.error.code).toBe('mfa_required');
    const done = await mfaStep(pending, { code: await totp(u.secret) });
    expect(done.status).toBe(200);
    expect(done.json.session.mfaPending).toBeUndefined();
    const full = done.json.session.token as string;
    expect(full).not.toBe(pending); // rotated
    expect(await h.sessionState({ token: full })).toBe('in');
    expect(await h.sessionState({ token: pending })).toBe('out'); // the pending session was spent
  });

  it('refuses a replayed code, explains clock drift, and ends the pending session after 5 wrong codes', async () => {
    const u = await userWithMfa();
    const pending = (await passwordStep(u.name, u.password)).json.session.token as string;
    const code = await totp(u.secret);
    const firstPending = pending;
    expect((await mfaStep(firstPending, { code })).status).toBe(200);
    const again = (await passwordStep(u.name, u.password)).json.session.token as string;
    const replay = await mfaStep(again, { code });
    expect(replay.json.error.code).toBe('mfa_code_reused');
    const drift = await mfaStep(again, { code: await totp(u.secret, -180) });
    expect(drift.status).toBe(400);
    expect(drift.json.error).toMatchObject({ code: 'mfa_clock_drift', params: { seconds: 180 } });
    expect(drift.json.error.message).toContain('date and time');
    const events = await h.db
      .selectFrom('audit_events')
      .select(['type', 'detail'])
      .where('type', '=', 'mfa_failed')
      .orderBy('seq', 'desc')
      .limit(1)
      .execute();
    expect(events[0].detail).toMatchObject({ reason: 'mfa_clock_drift', driftSeconds: -180 });
    await mfaStep(again, { code: '000000' });
    await mfaStep(again, { code: '000001' });
    const fifth = await mfaStep(again, { code: '000002' });
    expect(fifth.status).toBe(401);
    expect(fifth.json.error.code).toBe('mfa_too_many_attempts');
    expect((await mfaStep(again, { code: await totp(u.secret, 30) })).json.error.code).toBe('not_signed_in');
  });

  it('a recovery code works once', async () => {
    const u = await userWithMfa();
    const pending = (await passwordStep(u.name, u.password)).json.session.token as string;
    const used = u.recoveryCodes[3];
    const ok = await mfaStep(pending, { recoveryCode: used.toUpperCase() });
    expect(ok.status).toBe(200);
    const pending2 = (await passwordStep(u.name, u.password)).json.session.token as string;
    const twice = await mfaStep(pending2, { recoveryCode: used });
    expect(twice.status).toBe(400);
    expect(twice.json.error.code).toBe('recovery_code_invalid');
    expect((await u.call('')).json.mfa.recoveryCodesLeft).toBe(9);
  });

  it('step-up by TOTP; unbinding and regenerating need step-up; unbinding notifies and turns MFA off', async () => {
    const u = await userWithMfa();
    const fresh = (
      await mfaStep((await passwordStep(u.name, u.password)).json.session.token, { code: await totp(u.secret) })
    ).json.session.token as string;
    expect((await u.call('/mfa', undefined, fresh, 'DELETE')).json.error.code).toBe('step_up_required');
    expect((await u.call('/mfa/recovery-codes', {}, fresh)).json.error.code).toBe('step_up_required');
    h.clock.advance(30);
    expect((await u.call('/step-up/start', { method: 'totp' }, fresh)).status).toBe(202);
    expect((await u.call('/step-up/verify', { method: 'totp', code: await totp(u.secret) }, fresh)).status).toBe(200);
    const regenerated = await u.call('/mfa/recovery-codes', {}, fresh);
    expect(regenerated.json.recoveryCodes).toHaveLength(10);
    expect(regenerated.json.recoveryCodes).not.toContain(u.recoveryCodes[0]);
    const unbound = await u.call('/mfa', undefined, fresh, 'DELETE');
    expect(unbound.json.mfa).toEqual({ bound: false, boundAt: null, recoveryCodesLeft: 0 });
    expect((await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 }))[0].purpose).toBe('mfa_change');
    const plain = await passwordStep(u.name, u.password);
    expect(plain.json.mfaRequired).toBeUndefined();
  });

  it('refuses binding without step-up, and a wrong or expired confirming code', async () => {
    const number = `1373333${String(n++).padStart(4, '0')}`;
    const reg = await h.register(
      { accountName: `mfa_plain_${n}`, number },
      { headers: { 'x-jd-session-mode': 'token' } },
    );
    const token = reg.json.session.token as string;
    const call = (path: string, body?: unknown) =>
      h.request(`/v1/security${path}`, { token, ...(body !== undefined ? { body } : {}) });
    expect((await call('/mfa/setup', {})).json.error.code).toBe('step_up_required');
    await call('/step-up/start', { method: 'phone' });
    await call('/step-up/verify', {
      method: 'phone',
      code: (await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 }))[0].code,
    });
    const { secret } = (await call('/mfa/setup', {})).json;
    expect((await call('/mfa/confirm', { code: '000000' })).json.error.code).toBe('mfa_code_invalid');
    h.clock.advance(601);
    // the grant ended with the setup: the grant is checked at commit too (docs/product.md#9-step-up-verification)
    expect((await call('/mfa/confirm', { code: await totp(secret) })).json.error.code).toBe('step_up_required');
    h.clock.advance(60);
    await call('/step-up/start', { method: 'phone' });
    await call('/step-up/verify', {
      method: 'phone',
      code: (await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 }))[0].code,
    });
    expect((await call('/mfa/confirm', { code: await totp(secret) })).json.error.code).toBe('mfa_setup_expired');
    expect((await call('/mfa/confirm', { code: 'abc' })).status).toBe(400);
  });
});
