/**
 * Check-then-act races of the account center: what two or ten concurrent requests of one account
 * do (a double click, a retry, two tabs). Exactly one outcome, never a 500.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const signIn = async (name: string, password: string) =>
  (await h.request('/v1/sessions', { body: { identifier: name, password }, headers: { 'x-jd-session-mode': 'token' } }))
    .json.session.token as string;

/** A registered account, signed in (token mode) with a step-up grant on that session. */
async function userWithGrant(password = 'Race#2026x') {
  n++;
  const name = `race_user_${n}`;
  const number = `1366666${String(n).padStart(4, '0')}`;
  const reg = await h.register(
    { accountName: name, number, password },
    { ip: `192.0.2.${100 + n}`, headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const grant = async (token: string) => {
    h.clock.advance(61); // the step-up code's cooldown
    await h.request('/v1/security/step-up/start', { token, body: { method: 'phone', channel: 'sms' } });
    const code = (await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 }))[0].code!;
    expect((await h.request('/v1/security/step-up/verify', { token, body: { method: 'phone', code } })).status).toBe(
      200,
    );
  };
  const token = reg.json.session.token as string;
  await grant(token);
  return { name, password, token, grant };
}

describe(`races in the account center (${backend})`, () => {
  it('10 concurrent MFA setups answer one secret, no 5xx, and that secret binds', async () => {
    const u = await userWithGrant();
    const starts = await Promise.all(
      Array.from({ length: 10 }, () => h.request('/v1/security/mfa/setup', { token: u.token, body: {} })),
    );
    expect(starts.map((r) => r.status)).toEqual(Array(10).fill(200));
    const secrets = new Set(starts.map((r) => r.json.secret as string));
    expect(secrets.size).toBe(1);
    const rows = await h.db.selectFrom('mfa_devices').select('id').where('confirmed_at', 'is', null).execute();
    expect(rows.length).toBeGreaterThanOrEqual(1);
    const [secret] = [...secrets];
    const confirmed = await h.request('/v1/security/mfa/confirm', {
      token: u.token,
      body: { code: await generate({ secret: secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(confirmed.status).toBe(200);
  });

  it('a setup started over a minute ago is replaced by a new one (a dialog opened again later)', async () => {
    const u = await userWithGrant();
    const first = await h.request('/v1/security/mfa/setup', { token: u.token, body: {} });
    h.clock.advance(61);
    const second = await h.request('/v1/security/mfa/setup', { token: u.token, body: {} });
    expect(second.status).toBe(200);
    expect(second.json.secret).not.toBe(first.json.secret);
  });

  it("two sessions changing the password at once: exactly one wins, the other is told, and the winner's password signs in", async () => {
    const u = await userWithGrant();
    const other = await signIn(u.name, u.password);
    await u.grant(other);
    const [a, b] = await Promise.all([
      h.request('/v1/security/password', {
        token: u.token,
        body: { currentPassword: u.password, newPassword: 'First#Winner26' },
      }),
      h.request('/v1/security/password', {
        token: other,
        body: { currentPassword: u.password, newPassword: 'Second#Winner26' },
      }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    expect(statuses[1]).toBeLessThan(500);
    const winner = a.status === 200 ? 'First#Winner26' : 'Second#Winner26';
    const loser = a.status === 200 ? 'Second#Winner26' : 'First#Winner26';
    expect((await h.request('/v1/sessions', { body: { identifier: u.name, password: winner } })).status).toBe(200);
    expect((await h.request('/v1/sessions', { body: { identifier: u.name, password: loser } })).status).toBe(401);
  });
});
