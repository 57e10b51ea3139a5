/**
 * A sub-user that forgot its password asks its owner (docs/product.md#21-forgot-password): the
 * primary account sets a new one after a step-up; the sub-user's sessions end and its sign-in lock
 * is lifted. Only the primary account's own session may do it, for its own sub-users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const TOKEN = { 'x-jd-session-mode': 'token' };

async function primary() {
  n++;
  const name = `sub_pw_owner_${n}`;
  const number = `1375555${String(n).padStart(4, '0')}`;
  const reg = await h.register({ accountName: name, number }, { headers: TOKEN });
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, o: { body?: unknown; method?: string; t?: string } = {}) =>
    h.request(path, {
      token: o.t ?? token,
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.method ? { method: o.method } : {}),
      locale: 'en',
    });
  const stepUp = async () => {
    expect((await call('/v1/security/step-up/start', { body: { method: 'phone' } })).status).toBe(202);
    const [m] = await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 });
    expect((await call('/v1/security/step-up/verify', { body: { method: 'phone', code: m.code } })).status).toBe(200);
  };
  const created = await call('/v1/sub-users', { body: { name: 'auditor', password: 'Sub#Pass2026' } });
  expect(created.status).toBe(201);
  return { name, token, call, stepUp, subId: created.json.id as string };
}

const subSignIn = (identifier: string, password: string, ip = '203.0.113.50') =>
  h.request('/v1/sessions', { body: { identifier, subUser: 'auditor', password }, headers: TOKEN, ip, locale: 'en' });

describe(`a sub-user's password set by its primary account (${backend})`, () => {
  it('needs a step-up; then the new password works, the old does not, the sub-user is signed out and unlocked', async () => {
    const p = await primary();
    const signedIn = await subSignIn(p.name, 'Sub#Pass2026');
    expect(signedIn.status).toBe(200);
    const subToken = signedIn.json.session.token as string;
    // lock the sub-user's sign-in: 20 wrong passwords from many clients
    for (let i = 0; i < 20; i++) await subSignIn(p.name, `Wrong#${i}x`, `10.44.${i}.1`);
    expect((await subSignIn(p.name, 'Sub#Pass2026')).json.error.code).toBe('account_locked');

    const put = (password: string) =>
      p.call(`/v1/sub-users/${p.subId}/password`, { method: 'PUT', body: { password } });
    expect((await put('Owner#Set2026')).json.error.code).toBe('step_up_required');
    await p.stepUp();
    const weak = await put('weak');
    expect(weak.status).toBe(400);
    expect(weak.json.error.fields[0].path).toBe('password');
    expect((await put('auditor')).status).toBe(400);
    const ok = await put('Owner#Set2026');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id: p.subId, name: 'auditor' });

    expect(await h.sessionState({ token: subToken })).toBe('out');
    expect((await subSignIn(p.name, 'Sub#Pass2026')).json.error.code).toBe('invalid_credentials');
    expect((await subSignIn(p.name, 'Owner#Set2026')).status).toBe(200);
    const events = await h.db
      .selectFrom('audit_events')
      .select('type')
      .where('type', '=', 'sub_user_password_set')
      .execute();
    expect(events.length).toBeGreaterThanOrEqual(1);
  });

  it("only the primary's own session, for its own sub-users; unknown ids and other tenants' answer not found", async () => {
    const p = await primary();
    const q = await primary();
    await q.stepUp();
    // another primary account's sub-user
    const other = await q.call(`/v1/sub-users/${p.subId}/password`, {
      method: 'PUT',
      body: { password: 'Owner#Set2026' },
    });
    expect(other.json.error.code).toBe('sub_user_not_found');
    const bogus = await q.call('/v1/sub-users/not-a-uuid/password', {
      method: 'PUT',
      body: { password: 'Owner#Set2026' },
    });
    expect(bogus.status).toBe(400); // the id's shape, as every sub-user route answers it
    // the sub-user itself may not
    const sub = await subSignIn(p.name, 'Sub#Pass2026');
    const self = await p.call(`/v1/sub-users/${p.subId}/password`, {
      method: 'PUT',
      body: { password: 'Self#Set2026' },
      t: sub.json.session.token as string,
    });
    expect(self.json.error.code).toBe('sub_user_forbidden');
    // no session at all
    const stranger = await h.request(`/v1/sub-users/${p.subId}/password`, {
      method: 'PUT',
      body: { password: 'Owner#Set2026' },
    });
    expect(stranger.status).toBe(401);
  });
});
