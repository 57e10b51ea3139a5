/**
 * Abuse protection for paid messages (docs/security.md#abuse-protection-for-paid-messages), through
 * the HTTP API: a tenant switches a captcha provider on with one config change; each provider's
 * ticket (verified against its local fake, ./fakes/captcha.ts) passes once, a replayed or unknown
 * one is refused, a provider that is down refuses (or, as configured, lets the code through); the
 * risk signals challenge then refuse bursts; voice keeps to its regions; the daily budget stops
 * sending with nothing queued lost or sent twice; the operator reads the counters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaptchaProvider } from '../../shared/src/captcha.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { createTenant, toTenant } from '../src/services/tenants.ts';
import { findTenantById } from '../src/db/tenants.ts';
import { AGREEMENTS, backend, makeHarness, ORIGIN } from './harness.ts';
import { loadConfig } from '../src/config.ts';
import { startFakeCaptcha, type FakeCaptcha } from './fakes/captcha.ts';

type Harness = Awaited<ReturnType<typeof makeHarness>>;

let h: Harness;
let fake: FakeCaptcha;
let adminKey: string;
let ipSeq = 0;
let numberSeq = 0;
/** a client address no earlier test used */
const freshIp = () => `198.18.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;
/** a mainland mobile number no earlier test used, under a prefix (default +86 139) */
const freshNumber = (prefix = '139') => `${prefix}${String(++numberSeq).padStart(8, '0')}`;

beforeAll(async () => {
  fake = await startFakeCaptcha();
  h = await makeHarness({
    config: {
      codes: { dailyPerTarget: 10, dailyPerIp: 100_000 },
      captcha: {
        tencentEndpoint: fake.tencentEndpoint,
        aliyunEndpoint: fake.aliyunEndpoint,
        turnstileVerifyUrl: fake.turnstileVerifyUrl,
        timeoutMs: 1500,
        scripts: fake.scriptUrls,
      },
    },
  });
  ({ secretKey: adminKey } = await createAdminKey(h.db, h.clock, h.tenant.id, 'abuse tests'));
}, 60_000);
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

beforeEach(async () => {
  // every signal's window lapses between tests; the defaults of shared/src/abuse.ts, no captcha
  h.clock.advance(2 * 3600);
  await h.setTenantConfig({ abuse: undefined, captcha: undefined });
  for (const p of ['tencent', 'aliyun', 'turnstile'] as const) fake.down(p, false);
});

function admin(path: string, o: { method?: string; body?: unknown; key?: string | null } = {}) {
  return h.request(`/admin/v1${path}`, {
    pk: null,
    ...(o.key !== null ? { token: o.key ?? adminKey } : {}),
    ...(o.method ? { method: o.method } : {}),
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
}

async function configure(patch: Record<string, unknown>) {
  const res = await admin('/config', { method: 'PATCH', body: patch });
  expect(res.status, res.text).toBe(200);
  h.tenants.invalidate();
  return res;
}

function captchaPatch(provider: CaptchaProvider, extra: Record<string, unknown> = {}) {
  const c = fake.credentials;
  const base =
    provider === 'tencent'
      ? { provider, ...c.tencent }
      : provider === 'aliyun'
        ? { provider, ...c.aliyun }
        : { provider, ...c.turnstile };
  return { captcha: { ...base, when: 'always', ...extra } };
}

function answerFor(provider: CaptchaProvider) {
  const issued = fake.issue(provider);
  return { ticket: issued.ticket, ...(issued.randstr ? { randstr: issued.randstr } : {}) };
}

const sendCode = (
  o: { number?: string; ip?: string; captcha?: unknown; channel?: string; region?: string; locale?: string } = {},
) =>
  h.request('/v1/verification-codes', {
    ip: o.ip ?? freshIp(),
    ...(o.locale ? { locale: o.locale } : {}),
    body: {
      phone: { region: o.region ?? 'CN', number: o.number ?? freshNumber() },
      purpose: 'register',
      channel: o.channel ?? 'sms',
      ...(o.captcha ? { captcha: o.captcha } : {}),
    },
  });

const tally = (results: { status: number; json?: { error?: { code?: string } } }[]) => {
  const out: Record<string, number> = {};
  for (const r of results) {
    const k = r.status === 202 ? '202' : `${r.status} ${r.json?.error?.code}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

describe(`captcha on a tenant (${backend})`, { timeout: 60_000 }, () => {
  it('is switched on with one config change: the widget reads the provider, the operator never reads a secret', async () => {
    const res = await configure(captchaPatch('tencent'));
    const view = JSON.stringify(res.json);
    expect(res.json.captcha).toMatchObject({
      provider: 'tencent',
      when: 'always',
      captchaAppId: fake.credentials.tencent.captchaAppId,
      appSecretKeySet: true,
      secretKeySet: true,
    });
    expect(view).not.toContain(fake.credentials.tencent.appSecretKey);
    expect(view).not.toContain(fake.credentials.tencent.secretKey);
    const pub = await h.request('/v1/config');
    expect(pub.json.captcha).toEqual({
      provider: 'tencent',
      scriptUrl: fake.scriptUrls.tencent,
      siteKey: fake.credentials.tencent.captchaAppId,
    });
    expect(pub.text).not.toContain(fake.credentials.tencent.secretId);
    // a change without the secrets keeps them; another provider needs its own
    await configure({ captcha: { ...captchaPatch('tencent').captcha, appSecretKey: undefined, secretKey: undefined } });
    expect((await sendCode({ captcha: answerFor('tencent') })).status).toBe(202);
    const missing = await admin('/config', {
      method: 'PATCH',
      body: { captcha: { provider: 'turnstile', siteKey: 'x', when: 'risk' } },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.fields).toEqual([
      expect.objectContaining({ path: 'captcha.secretKey', code: 'required' }),
    ]);
    // off again
    await configure({ captcha: null });
    expect((await h.request('/v1/config')).json.captcha).toBeUndefined();
    expect((await sendCode()).status).toBe(202);
  });

  it('refuses a bad setting with the field at fault, and changes nothing', async () => {
    for (const bad of [
      { captcha: { provider: 'nope', when: 'always' } },
      { captcha: { ...captchaPatch('turnstile').captcha, when: 'sometimes' } },
      { abuse: { thresholds: { client: { challenge: 10, refuse: 5 } } } },
      { abuse: { voiceRegions: ['US'] } },
      { abuse: { dailyBudget: -1 } },
    ]) {
      const res = await admin('/config', { method: 'PATCH', body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await admin('/config')).json.captcha).toBeUndefined();
  });

  for (const provider of ['tencent', 'aliyun', 'turnstile'] as const) {
    it(`${provider}: asks for the check, takes a solved ticket once, refuses a replayed or unknown one`, async () => {
      await configure(captchaPatch(provider));
      const ip = freshIp();
      const asked = await sendCode({ ip, locale: 'zh-CN' });
      expect(asked.status).toBe(403);
      expect(asked.json.error).toMatchObject({ code: 'captcha_required', message: '请先完成安全验证，再获取验证码。' });
      const answer = answerFor(provider);
      const ok = await sendCode({ ip, captcha: answer });
      expect(ok.status, ok.text).toBe(202);
      // the same ticket again, even for another number: refused, nothing queued
      const outboxBefore = await h.count('outbox');
      const replay = await sendCode({ ip, captcha: answer, locale: 'en' });
      expect(replay.status).toBe(400);
      expect(replay.json.error).toMatchObject({
        code: 'captcha_invalid',
        message: 'The security check did not pass. Try it again.',
      });
      const unknown = await sendCode({ ip, captcha: { ticket: 'made-up-ticket', randstr: 'x' } });
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.code).toBe('captcha_invalid');
      expect(await h.count('outbox')).toBe(outboxBefore);
      // the replay never reached the provider: the ticket's hash was refused first
      expect(fake.calls(provider).length).toBeGreaterThanOrEqual(1);
    });

    it(`${provider}: a provider that is down refuses codes by default, or lets them through when the tenant says so`, async () => {
      await configure(captchaPatch(provider));
      fake.down(provider, 'error');
      const closed = await sendCode({ captcha: answerFor(provider) });
      expect(closed.status).toBe(503);
      expect(closed.json.error.code).toBe('captcha_unavailable');
      await configure(captchaPatch(provider, { onProviderDown: 'allow' }));
      const open = await sendCode({ captcha: answerFor(provider) });
      expect(open.status, open.text).toBe(202);
      // without any ticket, the check is still asked for: "allow" is for an outage, not for no answer
      expect((await sendCode()).json.error.code).toBe('captcha_required');
    });
  }

  it('a hung provider answers within its timeout, never the request deadline', async () => {
    await configure(captchaPatch('turnstile'));
    fake.down('turnstile', 'hang');
    const started = Date.now();
    const res = await sendCode({ captcha: answerFor('turnstile') });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('captcha_unavailable');
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('asks anonymous code requests too: phone-code sign-in, unlock, forgot password', async () => {
    await configure(captchaPatch('turnstile'));
    const ip = freshIp();
    const paths = [
      ['/v1/sessions/phone-code/code', { phone: { region: 'CN', number: freshNumber() }, channel: 'sms' }],
      ['/v1/sessions/unlock/code', { identifier: 'someone', channel: 'sms' }],
      ['/v1/password-reset/code', { identifier: 'someone', channel: 'sms' }],
    ] as const;
    for (const [path, body] of paths) {
      const asked = await h.request(path, { ip, body });
      expect(asked.status, path).toBe(403);
      expect(asked.json.error.code).toBe('captcha_required');
      const ok = await h.request(path, { ip, body: { ...body, captcha: answerFor('turnstile') } });
      expect(ok.status, `${path} ${ok.text}`).toBe(202);
      expect(ok.json.sent).toBe(true);
    }
  });
});

describe(`risk signals (${backend})`, { timeout: 60_000 }, () => {
  it('a scripted burst from one client to many numbers is challenged, then refused', async () => {
    await configure({
      ...captchaPatch('turnstile', { when: 'risk' }),
      abuse: { thresholds: { client: { challenge: 3, refuse: 6 }, phones: { challenge: 100, refuse: 100 } } },
    });
    const ip = freshIp();
    const burst = await Promise.all(Array.from({ length: 30 }, () => sendCode({ ip })));
    expect(tally(burst)).toEqual({ '202': 3, '403 captcha_required': 27 });
    // solved tickets let three more through, then the client is refused whatever it carries
    const solved = await Promise.all(
      Array.from({ length: 10 }, () => sendCode({ ip, captcha: answerFor('turnstile') })),
    );
    expect(tally(solved)).toEqual({ '202': 3, '429 risk_refused': 7 });
    const refused = solved.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    // another client is not held back by it
    expect((await sendCode()).status).toBe(202);
    // the hour over, the client may ask again
    h.clock.advance(3601);
    expect((await sendCode({ ip })).status).toBe(202);
  });

  it('many numbers from one client: challenged from the 4th, refused past the 20th by default', async () => {
    await configure({
      ...captchaPatch('turnstile', { when: 'risk' }),
      abuse: { thresholds: { client: { challenge: 1000, refuse: 1000 } } },
    });
    const ip = freshIp();
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await sendCode({ ip }));
    expect(tally(first)).toEqual({ '202': 3, '403 captcha_required': 1 });
    const more = [];
    for (let i = 0; i < 19; i++) more.push(await sendCode({ ip, captcha: answerFor('turnstile') }));
    expect(tally(more)).toEqual({ '202': 17, '429 risk_refused': 2 });
  });

  it('a burst across many numbers of one prefix from many clients is refused past the prefix threshold', async () => {
    await configure({ abuse: { thresholds: { prefix: { challenge: 5, refuse: 5 } } } });
    const burst = await Promise.all(Array.from({ length: 40 }, () => sendCode({ number: freshNumber('170') })));
    expect(tally(burst)).toEqual({ '202': 5, '429 risk_refused': 35 });
    // other prefixes are unaffected
    expect((await sendCode({ number: freshNumber('138') })).status).toBe(202);
  });

  it('a burst from one network (/24) of many addresses is refused past the network threshold', async () => {
    await configure({ abuse: { thresholds: { network: { challenge: 4, refuse: 4 } } } });
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => sendCode({ ip: `192.0.2.${i + 1}` })));
    expect(tally(burst)).toEqual({ '202': 4, '429 risk_refused': 16 });
    const v6 = await Promise.all(Array.from({ length: 10 }, (_, i) => sendCode({ ip: `2001:db8:77:${i}::1` })));
    expect(tally(v6)).toEqual({ '202': 4, '429 risk_refused': 6 });
  });

  it('a client that failed to sign in as many identifiers is challenged at sign-in, then refused', async () => {
    await configure({
      ...captchaPatch('turnstile', { when: 'risk' }),
      abuse: { thresholds: { spray: { challenge: 3, refuse: 5 } } },
    });
    const ip = freshIp();
    const signIn = (identifier: string, captcha?: unknown) =>
      h.request('/v1/sessions', {
        ip,
        body: { identifier, password: 'wrong-password-1', ...(captcha ? { captcha } : {}) },
      });
    for (let i = 0; i < 3; i++) expect((await signIn(`victim${i}`)).status).toBe(401);
    // one identifier tried again is not spraying
    expect((await signIn('victim0')).status).toBe(401);
    expect((await signIn('victim3')).status).toBe(401);
    const asked = await signIn('victim4');
    expect(asked.status).toBe(403);
    expect(asked.json.error.code).toBe('captcha_required');
    expect((await signIn('victim4', answerFor('turnstile'))).status).toBe(401);
    expect((await signIn('victim5', answerFor('turnstile'))).status).toBe(401);
    const refused = await signIn('victim6', answerFor('turnstile'));
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe('risk_refused');
    // and its code requests are refused too
    expect((await sendCode({ ip, captcha: answerFor('turnstile') })).json.error.code).toBe('risk_refused');
  });
});

describe(`SMS controls (${backend})`, { timeout: 60_000 }, () => {
  it('voice goes only to the voice regions (mainland by default), for every code', async () => {
    await configure({ phoneRegions: ['CN', 'HK', 'MO', 'TW'] });
    const hk = await sendCode({ region: 'HK', number: '91234567', channel: 'voice', locale: 'zh-CN' });
    expect(hk.status).toBe(400);
    expect(hk.json.error).toMatchObject({
      code: 'voice_region_not_allowed',
      message: '该地区不支持语音验证码，请选择短信。',
    });
    expect((await sendCode({ region: 'HK', number: '91234568', channel: 'sms' })).status).toBe(202);
    expect((await sendCode({ channel: 'voice' })).status).toBe(202);
    await configure({ abuse: { voiceRegions: ['CN', 'HK'] } });
    expect((await sendCode({ region: 'HK', number: '91234569', channel: 'voice' })).status).toBe(202);
    // a region outside the tenant's phone regions is refused by the body's own rule, voice or not
    await configure({ phoneRegions: ['CN', 'HK'] });
    const tw = await sendCode({ region: 'TW', number: '912345678', channel: 'voice' });
    expect(tw.status).toBe(400);
    await configure({ phoneRegions: ['CN'] });
  });

  it('the daily budget stops sending: a burst queues exactly the budget, each message once', async () => {
    h.clock.advance(24 * 3600); // a day of its own: earlier tests spent some of today's budget
    await configure({ abuse: { dailyBudget: 6 } });
    const outboxBefore = await h.count('outbox');
    const burst = await Promise.all(Array.from({ length: 25 }, () => sendCode()));
    expect(tally(burst)).toEqual({ '202': 6, '429 code_budget_exhausted': 19 });
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.json.error.message).toBe('今日验证码发送量已达上限，请明天再试或联系客服。');
    const queued = await h.db.selectFrom('outbox').select(['id']).execute();
    expect(queued.length - outboxBefore).toBe(6);
    // each accepted request's delivery is queued once, and no refused one left anything behind
    const ids = burst.filter((r) => r.status === 202).map((r) => r.json.deliveryId as string);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(queued.filter((q) => q.id === id)).toHaveLength(1);
    // the operator sees it
    const report = await admin('/abuse?days=1');
    expect(report.status).toBe(200);
    expect(report.json.today).toMatchObject({ budget: 6, spent: 6 });
    expect(report.json.days[0].refused.budget).toBe(19);
    // the next day (UTC+8) the budget is fresh
    h.clock.advance(24 * 3600);
    expect((await sendCode()).status).toBe(202);
  });

  it('the largest budget times the largest RATE_LIMIT_FACTOR still counts (no integer overflow)', async () => {
    await configure({ abuse: { dailyBudget: 100_000_000 } });
    const codes = h.deps.config.codes;
    const before = codes.riskFactor;
    codes.riskFactor = 10_000;
    try {
      expect((await sendCode()).status).toBe(202);
    } finally {
      codes.riskFactor = before;
    }
    expect(() => loadConfig({ RATE_LIMIT_FACTOR: '10001' })).toThrow(/RATE_LIMIT_FACTOR/);
    expect(loadConfig({ RATE_LIMIT_FACTOR: '10000' }).codes.riskFactor).toBe(10_000);
  });

  it('test identities cost nothing and are never challenged', async () => {
    await configure({ ...captchaPatch('turnstile'), abuse: { dailyBudget: 0 } });
    await configure({ testMode: { enabled: true, phones: ['+8613900000001'], emails: [], code: '246810' } });
    expect((await sendCode({ number: '13900000001' })).status).toBe(202);
    expect((await sendCode({ number: freshNumber() })).json.error.code).toBe('captcha_required');
    await configure({ testMode: { enabled: false, phones: [], emails: [], code: '246810' } });
  });
});

describe(`the operator's view (${backend})`, { timeout: 60_000 }, () => {
  it('counts codes sent, challenged, passed and refused by reason, per tenant', async () => {
    await configure({
      ...captchaPatch('turnstile', { when: 'risk' }),
      abuse: { thresholds: { client: { challenge: 1, refuse: 2 } } },
    });
    const ip = freshIp();
    await sendCode({ ip });
    await sendCode({ ip });
    await sendCode({ ip, captcha: answerFor('turnstile') });
    await sendCode({ ip, captcha: answerFor('turnstile') });
    const report = await admin('/abuse');
    expect(report.status).toBe(200);
    const today = report.json.days[0];
    expect(today.sent.sms).toBeGreaterThanOrEqual(2);
    expect(today.challenged.client).toBeGreaterThanOrEqual(1);
    expect(today.passed.client).toBeGreaterThanOrEqual(1);
    expect(today.refused.client).toBeGreaterThanOrEqual(1);
    // another tenant's key reads only its own (empty) counters; no key reads nothing
    const other = await createTenant(h.db, { slug: 'other-abuse', displayName: 'Other', origins: [ORIGIN] });
    const { secretKey } = await createAdminKey(h.db, h.clock, other.id, 'other');
    const theirs = await admin('/abuse', { key: secretKey });
    expect(theirs.status).toBe(200);
    expect(theirs.json.days).toEqual([]);
    expect((await admin('/abuse', { key: null })).status).toBe(401);
    expect((await admin('/abuse?days=1000')).status).toBe(400);
    const row = await findTenantById(h.db, other.id);
    expect(toTenant(row!).config.abuse).toBeUndefined();
  });

  it('registration completes after the challenge', async () => {
    await configure(captchaPatch('aliyun'));
    const ip = freshIp();
    const number = freshNumber();
    expect((await sendCode({ ip, number })).json.error.code).toBe('captcha_required');
    const sent = await h.sendCode(number, { ip });
    expect(sent.res.status).toBe(403);
    const ok = await h.request('/v1/verification-codes', {
      ip,
      body: { phone: { region: 'CN', number }, purpose: 'register', channel: 'sms', captcha: answerFor('aliyun') },
    });
    expect(ok.status).toBe(202);
    const [latest] = await h.db
      .selectFrom('outbox')
      .select('id')
      .where('id', '=', ok.json.deliveryId as string)
      .execute();
    expect(latest).toBeDefined();
    const { readDevOutbox } = await import('../src/delivery/outbox.ts');
    const [msg] = await readDevOutbox(h.db, { to: `+86${number}`, limit: 1 });
    const reg = await h.request('/v1/accounts', {
      ip,
      body: {
        accountName: `captcha_user_${numberSeq}`,
        password: 'Secret#2026',
        phone: { region: 'CN', number },
        code: msg.code,
        agreements: AGREEMENTS,
      },
    });
    expect(reg.status, reg.text).toBe(201);
  });
});
