import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

async function primary(name = `primary_${n++}`) {
  const reg = await h.register(
    { accountName: name, number: `1374444${String(n).padStart(4, '0')}` },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, o: { body?: unknown; method?: string; t?: string; pk?: string } = {}) =>
    h.request(`/v1/sub-users${path}`, {
      token: o.t ?? token,
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.method ? { method: o.method } : {}),
      ...(o.pk ? { pk: o.pk } : {}),
      locale: 'en',
    });
  return { name, id: reg.json.account.id as string, token, call };
}
const subSignIn = (identifier: string, subUser: string, password: string) =>
  h.request('/v1/sessions', {
    body: { identifier, subUser, password },
    headers: { 'x-jd-session-mode': 'token' },
    locale: 'en',
  });

describe(`sub-users (${backend})`, () => {
  it('a primary account creates and lists sub-users; names are unique per primary, case-insensitively', async () => {
    const p = await primary();
    const created = await p.call('', { body: { name: 'Dev_Ops', password: 'Sub#Pass2026' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'Dev_Ops', disabled: false });
    expect((await p.call('', { body: { name: 'dev_ops', password: 'Sub#Pass2026' } })).json.error.code).toBe(
      'sub_user_name_taken',
    );
    const weak = await p.call('', { body: { name: 'weakling', password: 'weak' } });
    expect(weak.status).toBe(400);
    expect(weak.json.error.fields[0]).toMatchObject({ path: 'password', code: 'password_too_short' });
    expect((await p.call('')).json.subUsers.map((s: { name: string }) => s.name)).toEqual(['Dev_Ops']);
    // another primary may use the same name
    const q = await primary();
    expect((await q.call('', { body: { name: 'Dev_Ops', password: 'Sub#Pass2026' } })).status).toBe(201);
  });

  it('a sub-user signs in with the primary name (or id) + its name + password; the session says so', async () => {
    const p = await primary();
    await p.call('', { body: { name: 'auditor', password: 'Sub#Pass2026' } });
    const byName = await subSignIn(p.name, 'Auditor', 'Sub#Pass2026');
    expect(byName.status).toBe(200);
    expect(byName.json.account).toMatchObject({ accountName: p.name, subUser: { name: 'auditor' } });
    const session = await h.request('/v1/session', { token: byName.json.session.token });
    expect(session.json.account.subUser).toMatchObject({ name: 'auditor' });
    expect((await subSignIn(p.id, 'auditor', 'Sub#Pass2026')).status).toBe(200);
    for (const [who, sub, pw] of [
      [p.name, 'auditor', 'Wrong#2026'],
      [p.name, 'nobody', 'Sub#Pass2026'],
      ['no_such_primary', 'auditor', 'Sub#Pass2026'],
    ]) {
      const res = await subSignIn(who, sub, pw);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('invalid_credentials');
    }
  });

  it("isolation: a sub-user cannot manage sub-users or the primary contacts; one primary cannot touch another primary's sub-users", async () => {
    const p = await primary();
    const sub = (await p.call('', { body: { name: 'limited', password: 'Sub#Pass2026' } })).json;
    const subToken = (await subSignIn(p.name, 'limited', 'Sub#Pass2026')).json.session.token as string;
    expect((await p.call('', { t: subToken })).json.error.code).toBe('sub_user_forbidden');
    expect((await h.request('/v1/security', { token: subToken })).json.error.code).toBe('sub_user_forbidden');
    const other = await primary();
    expect((await other.call(`/${sub.id}/disable`, { body: {} })).json.error.code).toBe('sub_user_not_found');
    expect((await other.call(`/${sub.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await other.call('')).json.subUsers).toEqual([]);
    const { createTenant } = await import('../src/services/tenants.ts');
    const t2 = await createTenant(h.db, { slug: `sub-other-${n}`, origins: [] });
    expect((await p.call('', { pk: t2.publishableKey })).status).toBe(401);
  });

  it('disabling signs the sub-user out and refuses its sign-in; enabling and deleting work', async () => {
    const p = await primary();
    const sub = (await p.call('', { body: { name: 'temp_user', password: 'Sub#Pass2026' } })).json;
    const subToken = (await subSignIn(p.name, 'temp_user', 'Sub#Pass2026')).json.session.token as string;
    expect((await p.call(`/${sub.id}/disable`, { body: {} })).json.disabled).toBe(true);
    expect(await h.sessionState({ token: subToken })).toBe('out');
    const refused = await subSignIn(p.name, 'temp_user', 'Sub#Pass2026');
    // the right password, but this sign-in is not allowed: 403, as for a disabled account (account_disabled)
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('sub_user_disabled');
    expect((await subSignIn(p.name, 'temp_user', 'Wrong#2026')).json.error.code).toBe('invalid_credentials');
    expect((await p.call(`/${sub.id}/enable`, { body: {} })).json.disabled).toBe(false);
    expect((await subSignIn(p.name, 'temp_user', 'Sub#Pass2026')).status).toBe(200);
    expect((await p.call(`/${sub.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await subSignIn(p.name, 'temp_user', 'Sub#Pass2026')).status).toBe(401);
    expect((await p.call('/not-a-uuid', { method: 'DELETE' })).status).toBe(400);
    // the primary's audit log shows the management events (and the sub-user's sign-ins, marked as such)
    const events = (await h.request('/v1/security', { token: p.token })).json.events as {
      type: string;
      detail: Record<string, string>;
    }[];
    expect(events.map((e) => e.type).filter((t) => t.startsWith('sub_user_'))).toEqual([
      'sub_user_deleted',
      'sub_user_enabled',
      'sub_user_disabled',
      'sub_user_created',
    ]);
    expect(events.find((e) => e.type === 'sign_in')!.detail.subUser).toBe(sub.id);
  });
});
