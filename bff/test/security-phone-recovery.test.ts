/**
 * A lost security phone (docs/product.md#23-lost-security-phone): with another method (a verified
 * security email, MFA) the step-up goes by it and the phone is changed as usual; with none, a
 * real-name verified account applies (the same review queue as a lost MFA device, purpose
 * `security_phone`), and once approved binds a new security phone by that phone's code alone, once,
 * within 7 days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { reviewApplication, setRealName } from '../src/services/mfa-recovery.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');

async function user() {
  n++;
  const number = `1376666${String(n).padStart(4, '0')}`;
  const newNumber = `1376667${String(n).padStart(4, '0')}`;
  const reg = await h.register(
    { accountName: `lost_phone_${n}`, number },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, o: { body?: unknown; method?: string } = {}) =>
    h.request(path, {
      token,
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.method ? { method: o.method } : {}),
      locale: 'en',
    });
  const application = {
    purpose: 'security_phone',
    type: 'personal',
    name: '李四',
    phone: { region: 'CN', number: newNumber },
    idNumber: '11010119900307123X',
    idPhoto: { data: PNG },
  };
  return { accountId: reg.json.account.id as string, number, newNumber, token, call, application };
}

const changePhone = async (u: Awaited<ReturnType<typeof user>>) => {
  const start = await u.call('/v1/security/contacts/start', {
    body: { kind: 'phone', role: 'security', phone: { region: 'CN', number: u.newNumber } },
  });
  return start;
};

describe(`lost security phone (${backend})`, () => {
  it('without another method: an application, approved, then the new phone by its own code alone, once', async () => {
    const u = await user();
    // nothing but the phone: changing it needs a step-up the user cannot pass
    expect((await changePhone(u)).json.error.code).toBe('step_up_required');
    // not real-name verified: may not apply, and is told why
    const eligibility = await u.call('/v1/mfa-recovery?purpose=security_phone');
    expect(eligibility.json).toEqual({ realNameVerified: false, type: null, pendingApplication: false });
    expect((await u.call('/v1/mfa-recovery/applications', { body: u.application })).json.error.code).toBe(
      'real_name_required',
    );
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'personal',
      name: '李四',
      idNumber: '11010119900307123X',
    });
    const applied = await u.call('/v1/mfa-recovery/applications', { body: u.application });
    expect(applied.status).toBe(201);
    expect((await u.call('/v1/mfa-recovery/applications', { body: u.application })).json.error.code).toBe(
      'application_pending',
    );
    expect((await u.call('/v1/mfa-recovery?purpose=security_phone')).json.pendingApplication).toBe(true);
    // a lost-MFA application is another purpose: not pending
    expect((await u.call('/v1/mfa-recovery')).json.pendingApplication).toBe(false);

    // the admin queue shows its purpose
    const admin = await h.db
      .selectFrom('mfa_applications')
      .select(['purpose', 'status'])
      .where('id', '=', applied.json.id)
      .executeTakeFirstOrThrow();
    expect(admin).toEqual({ purpose: 'security_phone', status: 'pending' });

    await reviewApplication(h.deps, h.tenant, applied.json.id, { approve: true });
    const [notice] = await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 });
    expect(notice.purpose).toBe('security_phone_approved');
    expect(notice.text).toContain('已通过审核'); // the account's language: zh-CN, the tenant's default
    // the session still works; the overview says a new phone may be bound
    const overview = await u.call('/v1/security');
    expect(overview.json.securityPhoneRebindUntil).toEqual(expect.any(String));

    const started = await changePhone(u);
    expect(started.status).toBe(202);
    const [code] = await readDevOutbox(h.db, { to: `+86${u.newNumber}`, limit: 1 });
    const confirmed = await u.call('/v1/security/contacts/confirm', {
      body: { kind: 'phone', role: 'security', phone: { region: 'CN', number: u.newNumber }, code: code.code },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.securityPhone.value).toBe(`137****${u.newNumber.slice(-4)}`);
    expect(confirmed.json.securityPhoneRebindUntil).toBeNull();
    const events = await h.db
      .selectFrom('audit_events')
      .select('type')
      .where('account_id', '=', u.accountId)
      .where('type', 'in', ['security_phone_application_submitted', 'security_phone_rebound'])
      .execute();
    expect(events.map((e) => e.type).sort()).toEqual([
      'security_phone_application_submitted',
      'security_phone_rebound',
    ]);
    // once: the next change needs a step-up again
    const again = await u.call('/v1/security/contacts/start', {
      body: { kind: 'phone', role: 'security', phone: { region: 'CN', number: u.number } },
    });
    expect(again.json.error.code).toBe('step_up_required');
  });

  it('the grant ends after 7 days, covers the security phone only, and a rejection says so', async () => {
    const u = await user();
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'personal',
      name: '李四',
      idNumber: '11010119900307123X',
    });
    const applied = await u.call('/v1/mfa-recovery/applications', { body: u.application });
    await reviewApplication(h.deps, h.tenant, applied.json.id, { approve: true });
    // not the security email
    const email = await u.call('/v1/security/email', { body: { email: `lost${n}@example.com` } });
    expect(email.json.error.code).toBe('step_up_required');
    h.clock.advance(7 * 24 * 3600 + 1);
    // the session itself has expired by now: sign in again and try
    const fresh = await h.request('/v1/sessions', {
      body: { identifier: `lost_phone_${n}`, password: 'Secret#2026' },
      headers: { 'x-jd-session-mode': 'token' },
    });
    const start = await h.request('/v1/security/contacts/start', {
      token: fresh.json.session.token,
      body: { kind: 'phone', role: 'security', phone: { region: 'CN', number: u.newNumber } },
    });
    expect(start.json.error.code).toBe('step_up_required');
    const overview = await h.request('/v1/security', { token: fresh.json.session.token });
    expect(overview.json.securityPhoneRebindUntil).toBeNull();

    const v = await user();
    await setRealName(h.deps, h.tenant.id, v.accountId, {
      type: 'personal',
      name: '李四',
      idNumber: '11010119900307123X',
    });
    const rejected = await v.call('/v1/mfa-recovery/applications', { body: v.application });
    await reviewApplication(h.deps, h.tenant, rejected.json.id, { approve: false, reason: 'photo unclear' });
    const [notice] = await readDevOutbox(h.db, { to: `+86${v.number}`, limit: 1 });
    expect(notice.purpose).toBe('security_phone_rejected');
    expect(notice.text).toContain('未通过审核');
    expect(notice.text).not.toContain('photo unclear');
    expect((await v.call('/v1/security')).json.securityPhoneRebindUntil).toBeNull();
  });

  it('a pending sign-in may not apply for a security phone; a stranger gets 401', async () => {
    const stranger = await h.request('/v1/mfa-recovery?purpose=security_phone');
    expect(stranger.status).toBe(401);
    const bad = await h.request('/v1/mfa-recovery?purpose=sms', { token: (await user()).token });
    expect(bad.status).toBe(400);
  });
});
