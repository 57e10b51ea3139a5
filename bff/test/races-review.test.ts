/**
 * The race review of every service: what N identical or conflicting requests sent at once do.
 * Each path has exactly one outcome (one winner, or an idempotent answer for all), never a 5xx,
 * and the stored state the rules allow. PGlite runs one query at a time, so most of these races
 * show on Postgres only (DATABASE_URL); both engines must pass.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { useRecoveryCode } from '../src/services/mfa.ts';
import { setRealName } from '../src/services/mfa-recovery.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
let adminKey: string;
beforeAll(async () => {
  h = await makeHarness();
  adminKey = (await createAdminKey(h.db, h.clock, h.tenant.id, 'race review')).secretKey;
});
afterAll(() => h.close());

const PASSWORD = 'Review#2026x';
const SUB_PASSWORD = 'Sub#Pass2026';
const TOKEN_MODE = { 'x-jd-session-mode': 'token' };
// a 1×1 PNG header: uploads are checked by content
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
const NO_CTX = { ip: null, userAgent: null, locale: 'en' as const };

type Answer = Awaited<ReturnType<Harness['request']>>;
const times = <T>(count: number, f: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, i) => f(i)));
const totp = (secret: string) => generate({ secret, epoch: epochOf(h.clock.now()) });

/** No answer is a 5xx; returns the winners (2xx) and the error codes of the others. */
function outcome(answers: Answer[]) {
  expect(answers.map((a) => a.status).filter((s) => s >= 500)).toEqual([]);
  return {
    won: answers.filter((a) => a.status < 300),
    refused: answers.filter((a) => a.status >= 400).map((a) => a.json?.error?.code as string),
  };
}

async function events(accountId: string, type: string): Promise<number> {
  return (
    await h.db
      .selectFrom('audit_events')
      .select('id')
      .where('account_id', '=', accountId)
      .where('type', '=', type as never)
      .execute()
  ).length;
}

async function unusedRecoveryCodes(accountId: string): Promise<number> {
  return (
    await h.db
      .selectFrom('mfa_recovery_codes')
      .select('id')
      .where('account_id', '=', accountId)
      .where('used_at', 'is', null)
      .execute()
  ).length;
}

/** A registered account (token mode, its own client address) whose session holds a step-up grant. */
async function user(o: { email?: string } = {}) {
  n++;
  const name = `review_${n}`;
  const number = `1367777${String(n).padStart(4, '0')}`;
  const ip = `198.18.${n}.1`;
  const reg = await h.register(
    { accountName: name, number, password: PASSWORD, ...(o.email ? { email: o.email } : {}) },
    { ip, headers: TOKEN_MODE },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, body?: unknown, x: { method?: string; t?: string; ip?: string } = {}) =>
    h.request(path, {
      token: x.t ?? token,
      ip: x.ip ?? ip,
      locale: 'en',
      ...(body !== undefined ? { body } : {}),
      ...(x.method ? { method: x.method } : {}),
    });
  const grant = async (t = token) => {
    h.clock.advance(61); // the step-up code's cooldown
    expect((await call('/v1/security/step-up/start', { method: 'phone', channel: 'sms' }, { t })).status).toBe(202);
    const code = (await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 }))[0].code!;
    expect((await call('/v1/security/step-up/verify', { method: 'phone', code }, { t })).status).toBe(200);
  };
  await grant();
  const signIn = (x: { ip?: string } = {}) =>
    h.request('/v1/sessions', {
      body: { identifier: name, password: PASSWORD },
      headers: TOKEN_MODE,
      ip: x.ip ?? ip,
      locale: 'en',
    });
  return { name, number, ip, token, accountId: reg.json.account.id as string, call, grant, signIn };
}

/** An account with virtual MFA bound through the API. */
async function userWithMfa() {
  const u = await user();
  const setup = await u.call('/v1/security/mfa/setup', {});
  expect(setup.status).toBe(200);
  const confirmed = await u.call('/v1/security/mfa/confirm', { code: await totp(setup.json.secret) });
  expect(confirmed.status).toBe(200);
  h.clock.advance(30); // the confirming code's step is spent
  return { ...u, secret: setup.json.secret as string, recoveryCodes: confirmed.json.recoveryCodes as string[] };
}

/** A primary account's sub-user, signed in (token mode). */
async function subUser(u: Awaited<ReturnType<typeof user>>, name: string, mfaRequired = false) {
  const created = await u.call('/v1/sub-users', { name, password: SUB_PASSWORD, mfaRequired });
  expect(created.status).toBe(201);
  const signIn = () =>
    h.request('/v1/sessions', {
      body: { identifier: u.name, subUser: name, password: SUB_PASSWORD },
      headers: TOKEN_MODE,
      ip: u.ip,
      locale: 'en',
    });
  return { id: created.json.id as string, signIn };
}

describe(`race review: MFA (${backend})`, () => {
  it('10 concurrent confirmations of one setup with one code: one binds and gets recovery codes, the others are refused', async () => {
    const u = await user();
    const setup = await u.call('/v1/security/mfa/setup', {});
    const code = await totp(setup.json.secret);
    const { won, refused } = outcome(await times(10, () => u.call('/v1/security/mfa/confirm', { code })));
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const c of refused) expect(['mfa_already_bound', 'mfa_code_reused', 'too_many_attempts']).toContain(c);
    expect(await events(u.accountId, 'mfa_bound')).toBe(1);
    // the codes shown are the codes stored
    expect(await unusedRecoveryCodes(u.accountId)).toBe(10);
    await expect(
      useRecoveryCode(h.deps, h.tenant, u.accountId, won[0].json.recoveryCodes[0], NO_CTX),
    ).resolves.toBeUndefined();
  });

  it('10 concurrent unbinds: one unbinds (and one notice goes out), the others hear mfa_not_bound', async () => {
    const u = await userWithMfa();
    const notices = async () =>
      (await readDevOutbox(h.db, { to: `+86${u.number}` })).filter((m) => m.purpose === 'mfa_change').length;
    const before = await notices();
    const { won, refused } = outcome(
      await times(10, () => u.call('/v1/security/mfa', undefined, { method: 'DELETE' })),
    );
    expect(won).toHaveLength(1);
    expect(refused).toEqual(Array(9).fill('mfa_not_bound'));
    expect(await events(u.accountId, 'mfa_unbound')).toBe(1);
    expect((await notices()) - before).toBe(1);
  });

  it('10 concurrent regenerations of recovery codes: exactly one set of ten is valid afterwards', async () => {
    const u = await userWithMfa();
    const { won } = outcome(await times(10, () => u.call('/v1/security/mfa/recovery-codes', {})));
    expect(won).toHaveLength(10);
    expect(await unusedRecoveryCodes(u.accountId)).toBe(10);
    const valid = await Promise.all(
      won.map((a) =>
        useRecoveryCode(h.deps, h.tenant, u.accountId, a.json.recoveryCodes[0], NO_CTX).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(valid.filter(Boolean)).toHaveLength(1);
  });

  it('one recovery code sent by 20 pending sign-ins at once is used once', async () => {
    const u = await userWithMfa();
    const pending: string[] = [];
    for (let i = 0; i < 20; i++)
      pending.push((await u.signIn({ ip: `198.19.${n}.${i}` })).json.session.token as string);
    const [code] = u.recoveryCodes;
    const { won, refused } = outcome(
      await times(20, (i) =>
        h.request('/v1/sessions/mfa', { token: pending[i], body: { recoveryCode: code }, ip: `198.19.${n}.${i}` }),
      ),
    );
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const c of refused) expect(['recovery_code_invalid', 'account_locked', 'too_many_attempts']).toContain(c);
    expect(await unusedRecoveryCodes(u.accountId)).toBe(9);
  });

  it('one pending sign-in completed by 5 different recovery codes at once yields one session, not five', async () => {
    const u = await userWithMfa();
    const pending = (await u.signIn()).json.session.token as string;
    const { won, refused } = outcome(
      await times(5, (i) =>
        h.request('/v1/sessions/mfa', { token: pending, body: { recoveryCode: u.recoveryCodes[i] }, ip: u.ip }),
      ),
    );
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(4);
    const full = await h.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('account_id', '=', u.accountId)
      .where('mfa_verified_at', 'is not', null)
      .execute();
    expect(full).toHaveLength(1);
  });
});

describe(`race review: attempt limits (${backend})`, () => {
  it('secrets checked behind a session, 10 at once, some passing: counted and settled, never a deadlock', async () => {
    // each check reserves on the account's and the client's counters, and a passed one settles both
    for (let round = 0; round < 3; round++) {
      const u = await userWithMfa();
      const code = await totp(u.secret);
      const { won, refused } = outcome(
        await times(10, () => u.call('/v1/security/step-up/verify', { method: 'totp', code })),
      );
      expect(won).toHaveLength(1);
      for (const c of refused) expect(['mfa_code_reused', 'too_many_attempts']).toContain(c);
    }
  });
});

describe(`race review: lost-device applications (${backend})`, () => {
  async function applicant() {
    const u = await userWithMfa();
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'personal',
      name: '张三',
      idNumber: '11010119900307123X',
    });
    const pending = (await u.signIn()).json.session.token as string;
    const body = {
      type: 'personal',
      name: '张三',
      phone: { region: 'CN', number: u.number },
      idNumber: '11010119900307123X',
      idPhoto: { data: PNG },
    };
    const apply = () => h.request('/v1/mfa-recovery/applications', { token: pending, body, ip: u.ip, locale: 'en' });
    return { ...u, apply };
  }
  const pendingOf = (accountId: string) =>
    h.db.selectFrom('mfa_applications').select(['id', 'status']).where('account_id', '=', accountId).execute();

  it('10 concurrent applications of one account: one is filed, the others hear application_pending', async () => {
    const u = await applicant();
    const { won, refused } = outcome(await times(10, () => u.apply()));
    expect(won).toHaveLength(1);
    expect(refused).toEqual(Array(9).fill('application_pending'));
    const rows = await pendingOf(u.accountId);
    expect(rows).toHaveLength(1);
    expect(
      await h.db.selectFrom('stored_files').select('id').where('owner_id', '=', rows[0].id).execute(),
    ).toHaveLength(1);
  });

  it('two admins approving and rejecting one application at once: one decision, the others hear application_not_pending', async () => {
    const u = await applicant();
    expect((await u.apply()).status).toBe(201);
    const [app] = await pendingOf(u.accountId);
    const admin = (i: number) =>
      h.request(`/admin/v1/mfa-applications/${app.id}/${i % 2 ? 'reject' : 'approve'}`, {
        pk: null,
        token: adminKey,
        method: 'POST',
        ...(i % 2 ? { body: { reason: 'does not match' } } : {}),
      });
    const { won, refused } = outcome(await times(10, admin));
    expect(won).toHaveLength(1);
    expect(refused).toEqual(Array(9).fill('application_not_pending'));
    const [row] = await pendingOf(u.accountId);
    expect(row.status).toBe(won[0].json.status);
    expect(
      (await events(u.accountId, 'mfa_application_approved')) + (await events(u.accountId, 'mfa_application_rejected')),
    ).toBe(1);
    expect(await events(u.accountId, 'mfa_unbound')).toBe(row.status === 'approved' ? 1 : 0);
  });
});

describe(`race review: sub-users (${backend})`, () => {
  it('10 concurrent creations of one name: one sub-user, the others hear sub_user_name_taken', async () => {
    const u = await user();
    const { won, refused } = outcome(
      await times(10, (i) =>
        u.call('/v1/sub-users', { name: i % 2 ? 'Same_Name' : 'same_name', password: SUB_PASSWORD }),
      ),
    );
    expect(won).toHaveLength(1);
    expect(refused).toEqual(Array(9).fill('sub_user_name_taken'));
    expect((await u.call('/v1/sub-users')).json.subUsers).toHaveLength(1);
  });

  it('10 concurrent disables, then 10 enables: each answers the final state, and each change is audited once', async () => {
    const u = await user();
    const sub = await subUser(u, 'flapper');
    const session = (await sub.signIn()).json.session.token as string;
    const disabled = outcome(await times(10, () => u.call(`/v1/sub-users/${sub.id}/disable`, {})));
    expect(disabled.won.map((a) => a.json.disabled)).toEqual(Array(10).fill(true));
    expect(await events(u.accountId, 'sub_user_disabled')).toBe(1);
    expect(await h.sessionState({ token: session })).toBe('out');
    const enabled = outcome(await times(10, () => u.call(`/v1/sub-users/${sub.id}/enable`, {})));
    expect(enabled.won.map((a) => a.json.disabled)).toEqual(Array(10).fill(false));
    expect(await events(u.accountId, 'sub_user_enabled')).toBe(1);
    expect((await sub.signIn()).status).toBe(200);
  });

  it('10 concurrent deletions: one deletes, the others hear sub_user_not_found', async () => {
    const u = await user();
    const sub = await subUser(u, 'leaver');
    const { won, refused } = outcome(
      await times(10, () => u.call(`/v1/sub-users/${sub.id}`, undefined, { method: 'DELETE' })),
    );
    expect(won).toHaveLength(1);
    expect(refused).toEqual(Array(9).fill('sub_user_not_found'));
    expect(await events(u.accountId, 'sub_user_deleted')).toBe(1);
  });

  it("a sub-user's 10 concurrent confirmations of one setup: one binds, the others are refused", async () => {
    const u = await user();
    const sub = await subUser(u, 'binder');
    const t = (await sub.signIn()).json.session.token as string;
    const setup = await u.call('/v1/sub-user/mfa/setup', { password: SUB_PASSWORD }, { t });
    expect(setup.status).toBe(200);
    const code = await totp(setup.json.secret);
    const { won, refused } = outcome(await times(10, () => u.call('/v1/sub-user/mfa/confirm', { code }, { t })));
    expect(won).toHaveLength(1);
    for (const c of refused) expect(['mfa_already_bound', 'mfa_code_reused', 'too_many_attempts']).toContain(c);
    expect(await events(u.accountId, 'mfa_bound')).toBe(1);
  });

  it("10 concurrent disassociations of a sub-user's device: one removes it, the others hear mfa_not_bound", async () => {
    const u = await user();
    const sub = await subUser(u, 'lost_phone', true);
    const t = (await sub.signIn()).json.session.token as string;
    const setup = await h.request('/v1/sessions/mfa/setup', { token: t, body: {}, ip: u.ip });
    expect(
      (await h.request('/v1/sessions/mfa', { token: t, body: { code: await totp(setup.json.secret) }, ip: u.ip }))
        .status,
    ).toBe(200);
    const { won, refused } = outcome(await times(10, () => u.call(`/v1/sub-users/${sub.id}/mfa/disassociate`, {})));
    expect(won).toHaveLength(1);
    expect(refused).toEqual(Array(9).fill('mfa_not_bound'));
    expect(await events(u.accountId, 'sub_user_mfa_disassociated')).toBe(1);
  });
});

describe(`race review: contacts, codes, consents (${backend})`, () => {
  it('one contact-change code confirmed 10 times at once is consumed once', async () => {
    const u = await user();
    const phone = { region: 'CN', number: `1368888${String(n).padStart(4, '0')}` };
    expect((await u.call('/v1/security/contacts/start', { kind: 'phone', role: 'contact', phone })).status).toBe(202);
    const code = (await readDevOutbox(h.db, { to: `+86${phone.number}`, limit: 1 }))[0].code!;
    const { won, refused } = outcome(
      await times(10, () => u.call('/v1/security/contacts/confirm', { kind: 'phone', role: 'contact', phone, code })),
    );
    expect(won).toHaveLength(1);
    for (const c of refused) expect(['code_expired', 'code_not_sent']).toContain(c);
    expect(await events(u.accountId, 'contact_added')).toBe(1);
  });

  it('two accounts swapping security emails at once, over and over: no deadlock surfaces as a 5xx', async () => {
    const x = await user({ email: `swap.x.${n}@example.com` });
    const y = await user({ email: `swap.y.${n}@example.com` });
    const [a, b] = [`swap.a.${n}@example.com`, `swap.b.${n}@example.com`];
    expect((await x.call('/v1/security/email', { email: a })).status).toBe(202);
    expect((await y.call('/v1/security/email', { email: b })).status).toBe(202);
    for (let round = 0; round < 10; round++) {
      const [toX, toY] = round % 2 ? [a, b] : [b, a];
      const { won } = outcome(
        await Promise.all([x.call('/v1/security/email', { email: toX }), y.call('/v1/security/email', { email: toY })]),
      );
      expect(won).toHaveLength(2);
    }
  });

  it('an email link opened while the address is being replaced: no deadlock, and the replaced address is never verified', async () => {
    const u = await user();
    for (let round = 0; round < 10; round++) {
      const email = `link.${n}.${round}@example.com`;
      expect((await u.call('/v1/security/email', { email })).status).toBe(202);
      const link = new URL((await readDevOutbox(h.db, { to: email, limit: 1 }))[0].link!);
      const [opened, replaced] = await Promise.all([
        h.app.request(`${link.pathname}${link.search}`),
        u.call('/v1/security/email', { email: `next.${email}` }),
      ]);
      expect(opened.status).toBeLessThan(500);
      expect(replaced.status).toBe(202);
      const row = await h.db
        .selectFrom('account_contacts')
        .select(['value', 'verified_at'])
        .where('account_id', '=', u.accountId)
        .where('kind', '=', 'email')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ value: `next.${email}`, verified_at: null });
    }
  });

  it('10 concurrent acceptances of a new agreement version record it once', async () => {
    const u = await user();
    const agreements = h.tenant.config.agreements;
    await h.setTenantConfig({
      agreements: agreements.map((a) => (a.key === 'privacy' ? { ...a, version: '2.0' } : a)),
    });
    try {
      const { won } = outcome(
        await times(10, () => u.call('/v1/consents', { agreements: [{ key: 'privacy', version: '2.0' }] })),
      );
      expect(won.map((a) => a.json.agreementsToAccept)).toEqual(Array(10).fill([]));
      const rows = await h.db
        .selectFrom('consents')
        .select('id')
        .where('account_id', '=', u.accountId)
        .where('agreement_key', '=', 'privacy')
        .where('version', '=', '2.0')
        .execute();
      expect(rows).toHaveLength(1);
      expect(await events(u.accountId, 'agreements_accepted')).toBe(1);
    } finally {
      await h.setTenantConfig({ agreements });
    }
  });
});
