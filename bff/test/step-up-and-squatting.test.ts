/**
 * docs/security.md#identity-verification-methods: (1) adding or changing any identity-verification method (security
 * email, security phone, MFA device) needs a fresh step-up of this session by a method the
 * account already has; the grant is checked when the change starts and when it commits; the
 * existing verified methods are told and an audit event is written. (2) Only verified bindings
 * decide who signs in with a phone/email (bff/src/services/contacts.ts), so binding someone
 * else's address without verifying it takes nothing from its owner.
 */
import { sql, type Kysely } from 'kysely';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as m0013 from '../../migrations/0013_verified_contact_uniqueness.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { epochOf } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
const nextPhone = () => `1376666${String(n++).padStart(4, '0')}`;
let ipN = 0;
const nextIp = () => `198.18.${Math.floor(ipN / 250)}.${(ipN++ % 250) + 1}`;

beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const signIn = (identifier: string, password: string) =>
  h.request('/v1/sessions', {
    body: { identifier, password },
    headers: { 'x-jd-session-mode': 'token' },
    ip: nextIp(),
    locale: 'en',
  });

async function openLink(link: string) {
  const u = new URL(link);
  return h.app.request(`${u.pathname}${u.search}`);
}

/** The newest verification link sent to an address, as its owner would read it. */
async function latestLink(email: string) {
  const mail = (await readDevOutbox(h.db, { to: email })).find((m) => m.purpose === 'email_verification');
  return mail!.link!;
}

/** A registered, signed-in user (token mode) with helpers that act for them. */
async function user(opts: { email?: string; password?: string } = {}) {
  const number = nextPhone();
  const password = opts.password ?? 'Secure#2026';
  const accountName = `su_user_${n}`;
  const ip = nextIp(); // one client per user: the daily code caps per IP stay out of the way
  const reg = await h.register(
    { accountName, number, password, ...(opts.email ? { email: opts.email } : {}) },
    { ip, headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const accountId = reg.json.account.id as string;
  const call = (path: string, o: { method?: string; body?: unknown; token?: string } = {}) =>
    h.request(`/v1/security${path}`, {
      token: o.token ?? token,
      ip,
      method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'),
      ...(o.body !== undefined ? { body: o.body } : {}),
      locale: 'en',
    });
  async function stepUp(via: 'phone' | 'email' = 'phone', t = token) {
    h.clock.advance(61); // past any code cooldown of an earlier step-up
    expect((await call('/step-up/start', { body: { method: via }, token: t })).status).toBe(202);
    const to = via === 'phone' ? `+86${number}` : opts.email!;
    const code = (await readDevOutbox(h.db, { to, limit: 1 }))[0].code!;
    expect((await call('/step-up/verify', { body: { method: via, code }, token: t })).status).toBe(200);
  }
  const contacts = () => h.db.selectFrom('account_contacts').selectAll().where('account_id', '=', accountId).execute();
  const events = () =>
    h.db.selectFrom('audit_events').selectAll().where('account_id', '=', accountId).orderBy('seq', 'desc').execute();
  return { number, phoneE164: `+86${number}`, password, accountName, accountId, token, call, stepUp, contacts, events };
}

/** Notices of one purpose sent to an address since `since` (an outbox seq watermark). */
async function noticesTo(to: string, purpose: 'security_notice' | 'mfa_change', after: string[]) {
  return (await readDevOutbox(h.db, { to })).filter((m) => m.purpose === purpose && !after.includes(m.id));
}
const outboxIds = async () => (await readDevOutbox(h.db, { limit: 1000 })).map((m) => m.id);

/** The "can sign in" flags of one value, by account name. */
async function flagsOf(value: string) {
  const rows = await h.db
    .selectFrom('account_contacts as c')
    .innerJoin('accounts as a', 'a.id', 'c.account_id')
    .select(['a.account_name', 'c.can_sign_in', 'c.verified_at'])
    .where('c.value', '=', value)
    .orderBy('a.account_name')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.account_name, r.can_sign_in]));
}

describe(`step-up for every identity-verification method (${backend})`, () => {
  it('refuses the bypass: no grant → no first security email (nothing stored, nothing sent), so it can never pass a step-up', async () => {
    const u = await user();
    const before = await outboxIds();
    const add = await u.call('/email', { body: { email: 'bypass@example.com' } });
    expect(add.status).toBe(403);
    expect(add.json.error.code).toBe('step_up_required');
    // the same through the code path for a security email
    const byCode = await u.call('/contacts/start', {
      body: { kind: 'email', role: 'security', email: 'bypass@example.com' },
    });
    expect(byCode.status).toBe(403);
    expect(byCode.json.error.code).toBe('step_up_required');
    expect((await u.contacts()).map((c) => c.kind)).toEqual(['phone']);
    expect((await readDevOutbox(h.db, { to: 'bypass@example.com' })).filter((m) => !before.includes(m.id))).toEqual([]);
    expect(
      await h.db.selectFrom('email_verifications').select('id').where('email', '=', 'bypass@example.com').execute(),
    ).toEqual([]);
    const overview = (await u.call('')).json;
    expect(overview.stepUpMethods).toEqual(['phone']);
    // ... and the next steps of the bypass stay shut
    expect((await u.call('/step-up/start', { body: { method: 'email' } })).json.error.code).toBe(
      'step_up_method_unavailable',
    );
    expect((await u.call('/mfa/setup', { body: {} })).json.error.code).toBe('step_up_required');
    expect(
      (
        await u.call('/contacts/start', {
          body: { kind: 'phone', role: 'security', phone: { region: 'CN', number: nextPhone() } },
        })
      ).json.error.code,
    ).toBe('step_up_required');
  });

  it('refuses each add/change without a grant and accepts it with one: security email, security phone, MFA setup', async () => {
    const u = await user();
    const newPhone = nextPhone();
    const phoneBody = { kind: 'phone', role: 'security', phone: { region: 'CN', number: newPhone } };
    const attempts = [
      () => u.call('/email', { body: { email: 'grant@example.com' } }),
      () => u.call('/contacts/start', { body: phoneBody }),
      () => u.call('/mfa/setup', { body: {} }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('step_up_required');
    }
    await u.stepUp();
    expect((await attempts[0]()).status).toBe(202);
    expect((await attempts[1]()).status).toBe(202);
    expect((await attempts[2]()).status).toBe(200);
  });

  it('a grant of another session does not count', async () => {
    const u = await user();
    const second = (await signIn(u.accountName, u.password)).json.session.token as string;
    await u.stepUp('phone', second);
    expect((await u.call('/email', { body: { email: 'other-session@example.com' } })).json.error.code).toBe(
      'step_up_required',
    );
    expect((await u.call('/email', { body: { email: 'other-session@example.com' }, token: second })).status).toBe(202);
  });

  it('checks the grant again at commit: a code issued under a grant is not confirmed after it ends', async () => {
    const u = await user();
    await u.stepUp();
    h.clock.advance(300);
    const next = nextPhone();
    const body = { kind: 'phone', role: 'security', phone: { region: 'CN', number: next } };
    expect((await u.call('/contacts/start', { body })).status).toBe(202);
    const code = (await readDevOutbox(h.db, { to: `+86${next}`, limit: 1 }))[0].code!;
    h.clock.advance(301); // the grant (600 s) has ended; the code (600 s from its sending) is still valid
    const late = await u.call('/contacts/confirm', { body: { ...body, code } });
    expect(late.status).toBe(403);
    expect(late.json.error.code).toBe('step_up_required');
    expect((await u.contacts()).find((c) => c.kind === 'phone')!.value).toBe(u.phoneE164);
    // MFA: a device set up under a grant is not bound once the grant has ended
    await u.stepUp();
    h.clock.advance(300);
    const setup = await u.call('/mfa/setup', { body: {} });
    expect(setup.status).toBe(200);
    h.clock.advance(301); // the grant has ended; the setup (600 s) has not
    const confirm = await u.call('/mfa/confirm', {
      body: { code: await generate({ secret: setup.json.secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(confirm.json.error.code).toBe('step_up_required');
    expect((await u.call('')).json.mfa.bound).toBe(false);
  });

  it('tells every existing verified method of each added or changed one, and audits it', async () => {
    const u = await user();
    const email = `notified${n}@example.com`;
    // 1. a first security email: the security phone is told
    let seen = await outboxIds();
    await u.stepUp();
    expect((await u.call('/email', { body: { email } })).status).toBe(202);
    expect(await noticesTo(u.phoneE164, 'security_notice', seen)).toHaveLength(1);
    expect((await u.events())[0]).toMatchObject({
      type: 'contact_added',
      outcome: 'success',
      detail: { kind: 'email', role: 'security' },
    });
    expect((await openLink(await latestLink(email))).status).toBe(200);

    // 2. a new security phone: the old phone AND the verified email are told
    seen = await outboxIds();
    const next = nextPhone();
    const body = { kind: 'phone', role: 'security', phone: { region: 'CN', number: next } };
    expect((await u.call('/contacts/start', { body })).status).toBe(202);
    const code = (await readDevOutbox(h.db, { to: `+86${next}`, limit: 1 }))[0].code!;
    expect((await u.call('/contacts/confirm', { body: { ...body, code } })).status).toBe(200);
    expect(await noticesTo(u.phoneE164, 'security_notice', seen)).toHaveLength(1);
    const toEmail = await noticesTo(email, 'security_notice', seen);
    expect(toEmail).toHaveLength(1);
    expect(toEmail[0].subject).toContain('security phone');
    expect((await u.events())[0]).toMatchObject({
      type: 'contact_changed',
      detail: { kind: 'phone', role: 'security' },
    });

    // 3. an MFA device: the (new) phone and the email are told
    seen = await outboxIds();
    const setup = await u.call('/mfa/setup', { body: {} });
    const confirmed = await u.call('/mfa/confirm', {
      body: { code: await generate({ secret: setup.json.secret, epoch: epochOf(h.clock.now()) }) },
    });
    expect(confirmed.status).toBe(200);
    expect(await noticesTo(`+86${next}`, 'mfa_change', seen)).toHaveLength(1);
    expect(await noticesTo(email, 'mfa_change', seen)).toHaveLength(1);
    expect((await u.events()).some((e) => e.type === 'mfa_bound')).toBe(true);

    // 4. another security email: the old verified email and the phone are told
    seen = await outboxIds();
    expect((await u.call('/email', { body: { email: `replaced${n}@example.com` } })).status).toBe(202);
    expect(await noticesTo(email, 'security_notice', seen)).toHaveLength(1);
    expect(await noticesTo(`+86${next}`, 'security_notice', seen)).toHaveLength(1);
    expect((await u.events())[0]).toMatchObject({
      type: 'contact_changed',
      detail: { kind: 'email', role: 'security' },
    });
  });

  it("a sub-user's session can change none of the primary account's methods", async () => {
    const p = await user();
    const created = await h.request('/v1/sub-users', {
      token: p.token,
      body: { name: 'helper', password: 'Helper#2026' },
      locale: 'en',
    });
    expect(created.status).toBe(201);
    const sub = await h.request('/v1/sessions', {
      body: { identifier: p.accountName, subUser: 'helper', password: 'Helper#2026' },
      headers: { 'x-jd-session-mode': 'token' },
      ip: nextIp(),
    });
    expect(sub.status).toBe(200);
    const t = sub.json.session.token as string;
    for (const [path, body] of [
      ['/step-up/start', { method: 'phone' }],
      ['/email', { email: 'sub@example.com' }],
      ['/contacts/start', { kind: 'phone', role: 'security', phone: { region: 'CN', number: nextPhone() } }],
      ['/mfa/setup', {}],
    ] as const) {
      const res = await p.call(path, { body, token: t });
      expect(res.status, path).toBe(403);
      expect(res.json.error.code).toBe('sub_user_forbidden');
    }
  });
});

describe(`email squatting: only verified bindings decide who signs in (${backend})`, () => {
  it("an attacker's unverified binding (registration) takes nothing from the owner who verifies later", async () => {
    const email = 'victim1@example.com';
    const attacker = await user({ email, password: 'Attack#2026' });
    const victim = await user({ email, password: 'Victim#2026' });
    expect(await flagsOf(email)).toEqual({ [attacker.accountName]: false, [victim.accountName]: false });
    expect((await openLink(await latestLink(email))).status).toBe(200); // the victim's link: the newest one
    expect(await flagsOf(email)).toEqual({ [attacker.accountName]: false, [victim.accountName]: true });
    const res = await signIn(email, victim.password);
    expect(res.status).toBe(200);
    expect(res.json.account.accountName).toBe(victim.accountName);
    const attempt = await signIn(email, attacker.password);
    expect(attempt.status).toBe(401);
    expect((await victim.call('')).json.securityEmail).toMatchObject({ verified: true, canSignIn: true });
  });

  it('the same through security settings: bound first by the attacker, verified by the owner', async () => {
    const email = 'victim2@example.com';
    const attacker = await user({ password: 'Attack#2026' });
    await attacker.stepUp();
    expect((await attacker.call('/email', { body: { email } })).status).toBe(202);
    const victim = await user({ password: 'Victim#2026' });
    await victim.stepUp();
    expect((await victim.call('/email', { body: { email } })).status).toBe(202);
    expect((await openLink(await latestLink(email))).status).toBe(200);
    expect(await flagsOf(email)).toEqual({ [attacker.accountName]: false, [victim.accountName]: true });
    expect((await signIn(email, victim.password)).json.account.accountName).toBe(victim.accountName);
    expect((await signIn(email, attacker.password)).status).toBe(401);
  });

  it('of two verified owners the first keeps it; removal hands it to the only verified owner left, never to an unverified one', async () => {
    const email = 'shared3@example.com';
    const first = await user({ email, password: 'First#2026x' });
    expect((await openLink(await latestLink(email))).status).toBe(200);
    const second = await user({ email, password: 'Second#2026' });
    expect((await openLink(await latestLink(email))).status).toBe(200);
    const squatter = await user({ email, password: 'Squat#2026x' }); // never verifies
    expect(await flagsOf(email)).toEqual({
      [first.accountName]: true,
      [second.accountName]: false,
      [squatter.accountName]: false,
    });
    // the first owner moves to another address (step-up by phone)
    await first.stepUp();
    expect((await first.call('/email', { body: { email: `moved${n}@example.com` } })).status).toBe(202);
    expect(await flagsOf(email)).toEqual({ [second.accountName]: true, [squatter.accountName]: false });
    expect((await signIn(email, second.password)).json.account.accountName).toBe(second.accountName);
    expect((await signIn(email, squatter.password)).status).toBe(401);
    // the second leaves too: only the unverified squatter is left, and it gets nothing
    await second.stepUp();
    expect((await second.call('/email', { body: { email: `moved${n}@example.com` } })).status).toBe(202);
    expect(await flagsOf(email)).toEqual({ [squatter.accountName]: false });
  });

  it('removal with two verified owners left: neither gains it (they use their account names)', async () => {
    const value = 'three4@example.com';
    const a = await user({ email: value });
    expect((await openLink(await latestLink(value))).status).toBe(200);
    const b = await user({ email: value });
    expect((await openLink(await latestLink(value))).status).toBe(200);
    const c = await user({ email: value });
    expect((await openLink(await latestLink(value))).status).toBe(200);
    await a.stepUp();
    expect((await a.call('/email', { body: { email: `a-moved${n}@example.com` } })).status).toBe(202);
    expect(await flagsOf(value)).toEqual({ [b.accountName]: false, [c.accountName]: false });
  });

  it('a phone re-decides on removal as well: the other verified owner gains it', async () => {
    const a = await user();
    const twin = `phone_twin_${n}`;
    h.clock.advance(61); // the phone's registration-code cooldown
    const b = await h.register(
      { accountName: twin, number: a.number, password: 'Twin#2026x' },
      { ip: nextIp(), headers: { 'x-jd-session-mode': 'token' } },
    );
    expect(b.status).toBe(201);
    expect(await flagsOf(a.phoneE164)).toEqual({ [a.accountName]: true, [twin]: false });
    await a.stepUp();
    const next = nextPhone();
    const body = { kind: 'phone', role: 'security', phone: { region: 'CN', number: next } };
    expect((await a.call('/contacts/start', { body })).status).toBe(202);
    const code = (await readDevOutbox(h.db, { to: `+86${next}`, limit: 1 }))[0].code!;
    expect((await a.call('/contacts/confirm', { body: { ...body, code } })).status).toBe(200);
    expect(await flagsOf(a.phoneE164)).toEqual({ [twin]: true });
    expect((await signIn(a.number, 'Twin#2026x')).json.account.accountName).toBe(twin);
  });

  it('two accounts verifying one email at the same moment: exactly one can sign in with it', async () => {
    for (let round = 0; round < 3; round++) {
      const email = `burst${round}@example.com`;
      const pair = [await user({ email, password: 'Burst#2026a' }), await user({ email, password: 'Burst#2026b' })];
      const links = (await readDevOutbox(h.db, { to: email }))
        .filter((m) => m.purpose === 'email_verification')
        .map((m) => m.link!);
      expect(links).toHaveLength(2);
      const opened = await Promise.all(links.map(openLink));
      expect(opened.map((r) => r.status)).toEqual([200, 200]);
      const flags = await flagsOf(email);
      expect(Object.values(flags).filter(Boolean)).toHaveLength(1);
      const winner = pair.find((p) => flags[p.accountName])!;
      expect((await signIn(email, winner.password)).json.account.accountName).toBe(winner.accountName);
    }
  });

  it('migration 0013 recomputes flags of existing rows: squatted addresses go to their verified owner', async () => {
    const db = h.db as unknown as Kysely<unknown>;
    // rows as the old rule left them: the squatter's unverified binding holds the flag
    const email = 'legacy5@example.com';
    const squatter = await user({ email });
    const owner = await user({ email });
    expect((await openLink(await latestLink(email))).status).toBe(200);
    await sql`alter table account_contacts drop constraint account_contacts_sign_in_verified_ck`.execute(db);
    await h.db.updateTable('account_contacts').set({ can_sign_in: false }).where('value', '=', email).execute();
    await h.db
      .updateTable('account_contacts')
      .set({ can_sign_in: true })
      .where('value', '=', email)
      .where('account_id', '=', squatter.accountId)
      .execute();
    await m0013.up(db);
    expect(await flagsOf(email)).toEqual({ [squatter.accountName]: false, [owner.accountName]: true });
    // and the check now refuses an unverified holder
    await expect(
      h.db
        .updateTable('account_contacts')
        .set({ can_sign_in: true })
        .where('account_id', '=', squatter.accountId)
        .where('kind', '=', 'email')
        .execute(),
    ).rejects.toThrow(/sign_in_verified_ck/);
  });
});
