/**
 * Sign-in with an upstream account (bff/src/services/federation.ts, docs/product.md#25-sign-in-with-an-upstream-account),
 * against a real OpenID provider (oidc-provider, demo/upstream/provider.ts) and openid-client on
 * loopback, and WeChat's connector against a local fake of its HTTP API.
 */
import { generate } from 'otplib';
import { decodeJwt } from 'jose';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress } from '../src/federation/public-address.ts';
import { signInAtUpstream } from '../../demo/upstream/driver.ts';
import { DEMO_UPSTREAM_USERS, startDemoUpstream, type DemoUpstream } from '../../demo/upstream/provider.ts';
import { eraseClosedAccounts } from '../src/services/account-closing.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { forgetDiscovery } from '../src/federation/oidc.ts';
import { configureTenant, operatorConfigView } from '../src/services/tenants.ts';
import { AGREEMENTS, cookieFrom, makeHarness, ORIGIN, readAnswer, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat.ts';

const BFF = 'http://localhost';
const CALLBACK = `${BFF}/v1/federation/demo-jd/callback`;
const RETURN_TO = `${ORIGIN}/login?from=test`;
const TOKEN_MODE = { 'x-jd-session-mode': 'token' };

let h: Harness;
let upstream: DemoUpstream;
let other: DemoUpstream;
let wechat: FakeWeChat;
let ipSeq = 0;
const freshIp = () => `10.88.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

beforeAll(async () => {
  h = await makeHarness({
    config: { federation: { allowHttpLoopback: true, timeoutMs: 2000 } },
  });
  const clients = [
    { clientId: 'jd-account', clientSecret: 'upstream-secret-1', redirectUris: [CALLBACK] },
    { clientId: 'another-app', clientSecret: 'upstream-secret-2', redirectUris: [CALLBACK] },
  ];
  const users = [
    ...DEMO_UPSTREAM_USERS,
    { id: 'zhaoliu', name: '赵六', phone: '+8613900139111' },
    { id: 'sunqi', name: '孙七', phone: '+8613900139222' },
  ];
  [upstream, other] = await Promise.all([startDemoUpstream({ clients, users }), startDemoUpstream({ clients })]);
  wechat = await startFakeWeChat({
    apps: [{ appId: 'wx0123456789abcdef', appSecret: 'wechat-secret' }],
    users: [{ openid: 'o-wx-1', unionid: 'u-wx-1', nickname: '微信小明' }],
  });
  h.deps.config.federation = {
    allowHttpLoopback: true,
    timeoutMs: 2000,
    wechatOpenBaseUrl: wechat.url,
    wechatApiBaseUrl: wechat.url,
  };
  await configure({
    providers: {
      'demo-jd': {
        kind: 'oidc',
        displayName: { 'zh-CN': '演示京东', en: 'Demo JD' },
        issuer: upstream.issuer,
        clientId: 'jd-account',
        clientSecret: 'upstream-secret-1',
      },
      wechat: {
        kind: 'wechat',
        displayName: { 'zh-CN': '微信', en: 'WeChat' },
        appId: 'wx0123456789abcdef',
        appSecret: 'wechat-secret',
      },
    },
  });
});
afterAll(async () => {
  await Promise.all([upstream?.close(), other?.close(), wechat?.close()]);
  await h.close();
});

async function configure(federation: unknown) {
  const updated = await configureTenant(h.db, h.tenant, { federation }, { secret: h.deps.config.secret });
  await h.setTenantConfig({ federation: updated.config.federation! });
  forgetDiscovery();
}

const get = async (url: string, headers: Record<string, string> = {}) =>
  readAnswer(await h.app.request(url, { headers: { 'x-forwarded-for': headers.ip ?? '203.0.113.50', ...headers } }));

/** The page's "Log in with …": the BFF's start, answered with the upstream's URL and the binding cookie. */
async function start(o: { provider?: string; returnTo?: string; mode?: string; ip?: string } = {}) {
  const q = new URLSearchParams({
    key: h.tenant.publishableKey,
    return_to: o.returnTo ?? RETURN_TO,
    mode: o.mode ?? 'token',
  });
  const res = await get(`${BFF}/v1/federation/${o.provider ?? 'demo-jd'}/start?${q}`, { ip: o.ip ?? freshIp() });
  return { res, location: res.headers.get('location') ?? '', cookie: cookieFrom(res.headers.get('set-cookie')) };
}

/** The upstream's redirect back, in the browser that started (its binding cookie). */
async function callback(url: string, cookie: string) {
  const res = await get(url, cookie ? { cookie } : {});
  const location = res.headers.get('location') ?? '';
  const handle = location.includes('#jd_federation=') ? location.split('#jd_federation=')[1] : undefined;
  return { res, location, handle };
}

const resume = (handle: string, o: { token?: string } = {}) =>
  h.request('/v1/federation/resume', {
    body: { handle },
    headers: TOKEN_MODE,
    ip: freshIp(),
    locale: 'en',
    ...(o.token ? { token: o.token } : {}),
  });

/** A whole upstream sign-in as `user`, up to the resumed answer. */
async function signInAs(user: string) {
  const s = await start();
  expect(s.res.status).toBe(302);
  const back = await callback(await signInAtUpstream(s.location, user), s.cookie);
  expect(back.res.status).toBe(302);
  return resume(back.handle!);
}

async function activate(ticket: string, number: string, extra: Record<string, unknown> = {}) {
  const { code } = await h.sendCode(number, { ip: freshIp() });
  return h.request('/v1/federation/activate', {
    body: { ticket, phone: { region: 'CN', number }, code, agreements: AGREEMENTS, ...extra },
    headers: TOKEN_MODE,
    ip: freshIp(),
    locale: 'en',
  });
}

const stepUpByPhone = async (token: string, e164: string) => {
  const call = (path: string, body: unknown) => h.request(path, { token, body, locale: 'en', ip: freshIp() });
  expect((await call('/v1/security/step-up/start', { method: 'phone' })).status).toBe(202);
  const code = (await readDevOutbox(h.db, { to: e164, limit: 1 }))[0].code!;
  expect((await call('/v1/security/step-up/verify', { method: 'phone', code })).status).toBe(200);
};

describe('first sign-in: activation', () => {
  it('asks for the activation step prefilled from the upstream, then creates and links an account without a password', async () => {
    const first = await signInAs('zhangsan');
    expect(first.status).toBe(200);
    const a = first.json.activation;
    expect(a).toMatchObject({
      provider: 'demo-jd',
      providerName: { en: 'Demo JD' },
      phone: { region: 'CN', number: '13800138000' },
      email: 'zhangsan@demo-jd.test',
      name: '张三',
    });
    // the user may change the phone the upstream gave; ours is verified by our own code
    const done = await activate(a.ticket, '13700137001', { referralCode: 'SALES-7' });
    expect(done.status).toBe(201);
    expect(done.json.account).toMatchObject({ accountName: null, hasPassword: false, phone: '137****7001' });
    const claims = decodeJwt(done.json.accessToken.token);
    expect(claims.amr).toEqual(['fed']);
    expect(claims.idp).toBe('demo-jd');
    // the ticket was used: a second activation with it finds nothing
    const again = await activate(a.ticket, '13700137002');
    expect(again.json.error.code).toBe('federation_expired');

    // later sign-ins go straight through, to the same account
    const second = await signInAs('zhangsan');
    expect(second.status).toBe(200);
    expect(second.json.account.id).toBe(done.json.account.id);
    expect(second.json.session.token).toBeTruthy();
    const events = await h.db
      .selectFrom('audit_events')
      .select(['type', 'detail'])
      .where('account_id', '=', done.json.account.id)
      .execute();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['registered', 'sign_in']));
    expect(events.find((e) => e.type === 'sign_in')!.detail).toMatchObject({
      method: 'federation',
      provider: 'demo-jd',
    });
  });

  it('asks for a phone when the upstream has none, and refuses a wrong code without using the ticket', async () => {
    const first = await signInAs('lisi');
    const a = first.json.activation;
    expect(a.phone).toBeUndefined();
    expect(a.email).toBeUndefined();
    const wrong = await h.request('/v1/federation/activate', {
      body: {
        ticket: a.ticket,
        phone: { region: 'CN', number: '13700137010' },
        code: '000000',
        agreements: AGREEMENTS,
      },
      headers: TOKEN_MODE,
      ip: freshIp(),
    });
    expect(wrong.status).toBe(400);
    const noAgreements = await h.request('/v1/federation/activate', {
      body: { ticket: a.ticket, phone: { region: 'CN', number: '13700137010' }, code: '123456', agreements: [] },
      headers: TOKEN_MODE,
      ip: freshIp(),
    });
    expect(noAgreements.json.error.code).toBe('agreements_required');
    expect((await activate(a.ticket, '13700137010')).status).toBe(201);
  });

  it('a password sign-in of an account created upstream is refused like a wrong password', async () => {
    const first = await signInAs('wangwu');
    const done = await activate(first.json.activation.ticket, '13700137020');
    expect(done.status).toBe(201);
    const res = await h.request('/v1/sessions', {
      body: { identifier: '13700137020', password: 'anything-at-all' },
      ip: freshIp(),
    });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_credentials');
  });
});

describe('the round trip refuses tampering and replays', () => {
  it('a callback replayed, or with a state never issued, reaches no page', async () => {
    const s = await start();
    const url = await signInAtUpstream(s.location, 'alice');
    const first = await callback(url, s.cookie);
    expect(first.res.status).toBe(302);
    expect(first.location.startsWith(`${RETURN_TO}#jd_federation=`)).toBe(true);
    const replay = await callback(url, s.cookie);
    expect(replay.res.status).toBe(400);
    expect(replay.res.headers.get('content-type')).toContain('text/html');
    const forged = new URL(url);
    forged.searchParams.set('state', 'x'.repeat(43));
    expect((await callback(forged.href, s.cookie)).res.status).toBe(400);
    // the handle is single use too, under a burst
    const answers = await Promise.all(Array.from({ length: 10 }, () => resume(first.handle!)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.json?.error?.code === 'federation_expired')).toHaveLength(9);
  });

  it('two sign-ins started in two tabs of one browser both come back (one binding cookie per flow)', async () => {
    const [a, b] = [await start(), await start()];
    expect(a.cookie.split('=')[0]).not.toBe(b.cookie.split('=')[0]);
    const jar = `${a.cookie}; ${b.cookie}`;
    const [urlA, urlB] = [await signInAtUpstream(a.location, 'alice'), await signInAtUpstream(b.location, 'alice')];
    for (const url of [urlB, urlA]) {
      const back = await callback(url, jar);
      expect((await resume(back.handle!)).status).toBe(200);
    }
  });

  it('a callback in another browser (no binding cookie) is refused', async () => {
    const s = await start();
    const back = await callback(await signInAtUpstream(s.location, 'alice'), '');
    const res = await resume(back.handle!);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('federation_failed');
    expect(res.json.error.message).toContain('Demo JD');
  });

  it('a changed PKCE verifier or nonce fails the check at the upstream or of the ID token', async () => {
    for (const column of ['code_verifier', 'nonce'] as const) {
      const s = await start();
      const url = await signInAtUpstream(s.location, 'alice');
      await h.db
        .updateTable('federation_flows')
        .set({ [column]: 'tampered-'.padEnd(50, 'x') })
        .where('returned_at', 'is', null)
        .where('intent', '=', 'sign_in')
        .execute();
      const back = await callback(url, s.cookie);
      const res = await resume(back.handle!);
      expect(res.json.error.code, column).toBe('federation_failed');
    }
  });

  it('a code of another issuer, another client, or an `iss` not the issuer is refused', async () => {
    // the same flow, authorised at another OpenID provider: its code means nothing at ours
    const s1 = await start();
    const atOther = new URL(s1.location);
    const swapped = new URL(atOther.pathname + atOther.search, other.issuer);
    const b1 = await callback(await signInAtUpstream(swapped.href, 'alice'), s1.cookie);
    expect((await resume(b1.handle!)).json.error.code).toBe('federation_failed');
    // authorised for another client of the same provider (another audience)
    const s2 = await start();
    const forOther = new URL(s2.location);
    forOther.searchParams.set('client_id', 'another-app');
    const b2 = await callback(await signInAtUpstream(forOther.href, 'alice'), s2.cookie);
    expect((await resume(b2.handle!)).json.error.code).toBe('federation_failed');
    // the authorization response names another issuer (RFC 9207)
    const s3 = await start();
    const url3 = new URL(await signInAtUpstream(s3.location, 'alice'));
    url3.searchParams.set('iss', other.issuer);
    const b3 = await callback(url3.href, s3.cookie);
    expect((await resume(b3.handle!)).json.error.code).toBe('federation_failed');
  });

  it('the user cancelling at the upstream comes back with a clear error', async () => {
    const s = await start();
    const back = await callback(await signInAtUpstream(s.location, 'alice', { cancel: true }), s.cookie);
    expect(back.res.status).toBe(302);
    expect((await resume(back.handle!)).json.error.code).toBe('federation_failed');
  });

  it('never returns to a page outside the tenant’s allowed origins (no open redirect)', async () => {
    for (const returnTo of [
      'https://evil.example/steal',
      'https://portal.acme.test.evil.example/',
      '//evil.example/x',
      'javascript:alert(1)',
      'http://portal.acme.test/login',
      `https://user:pw@portal.acme.test/`,
    ]) {
      const s = await start({ returnTo });
      expect(s.res.status, returnTo).toBe(400);
      expect(s.res.json.error.code).toBe('federation_return_not_allowed');
      expect(s.res.headers.get('location')).toBeNull();
    }
    const unknown = await start({ provider: 'nobody' });
    expect(unknown.res.json.error.code).toBe('federation_provider_unknown');
    const noKey = await get(`${BFF}/v1/federation/demo-jd/start?return_to=${encodeURIComponent(RETURN_TO)}`);
    expect(noKey.json.error.code).toBe('tenant_unknown');
  });

  it('an upstream that cannot be reached answers 503 federation_unavailable', async () => {
    const down = await startDemoUpstream({ clients: [{ clientId: 'x', clientSecret: 'y', redirectUris: [CALLBACK] }] });
    const issuer = down.issuer;
    await down.close();
    await configure({
      providers: {
        gone: { kind: 'oidc', displayName: { 'zh-CN': '停用', en: 'Gone' }, issuer, clientId: 'x', clientSecret: 'y' },
      },
    });
    const s = await start({ provider: 'gone' });
    expect(s.res.status).toBe(503);
    expect(s.res.json.error.code).toBe('federation_unavailable');
    await configure({ providers: { gone: null } });
  });

  it('caps the starts per client', async () => {
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 40 }, () => start({ ip })));
    expect(answers.filter((a) => a.res.status === 302)).toHaveLength(30);
    expect(answers.filter((a) => a.res.status === 429)).toHaveLength(10);
  });
});

describe('linking, MFA after an upstream sign-in, unlinking and the upgrade', () => {
  it('links to a password account after a step-up; the upstream sign-in then asks for its MFA code', async () => {
    const u = await userWithMfa(h, { number: '13600136001', name: 'linked_mfa_user' });
    // userWithMfa's step-up is still running: move past it
    h.clock.advance(15 * 60);
    const expired = await h.request('/v1/federation/demo-jd/link', {
      token: u.token,
      body: { returnTo: RETURN_TO },
      ip: freshIp(),
    });
    expect(expired.status).toBe(403);
    expect(expired.json.error.code).toBe('step_up_required');
    await stepUpByPhone(u.token, '+8613600136001');
    const link = await h.request('/v1/federation/demo-jd/link', {
      token: u.token,
      body: { returnTo: `${ORIGIN}/security` },
      ip: freshIp(),
    });
    expect(link.status).toBe(200);
    const launched = await get(link.json.startUrl);
    expect(launched.status).toBe(302);
    const back = await callback(
      await signInAtUpstream(launched.headers.get('location')!, 'alice'),
      cookieFrom(launched.headers.get('set-cookie')),
    );
    expect(back.location.startsWith(`${ORIGIN}/security#jd_federation=`)).toBe(true);
    expect((await resume(back.handle!)).json).toEqual({ linked: { provider: 'demo-jd' } });
    // the launch token is single use
    expect((await get(link.json.startUrl)).status).toBe(400);
    const links = await h.request('/v1/federation/links', { token: u.token });
    expect(links.json.links).toHaveLength(1);
    expect(links.json.links[0]).toMatchObject({ provider: 'demo-jd', displayName: { en: 'Demo JD' } });
    expect(links.json.available.map((p: { id: string }) => p.id)).toEqual(['wechat']);
    expect(links.json.hasPassword).toBe(true);

    // alice now signs in to this account, and its MFA code is asked for
    const pending = await signInAs('alice');
    expect(pending.json.mfaRequired).toBe(true);
    expect(pending.json.accessToken).toBeUndefined();
    const code = await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) });
    const done = await h.request('/v1/sessions/mfa', {
      token: pending.json.session.token,
      body: { code },
      headers: TOKEN_MODE,
      ip: freshIp(),
    });
    expect(done.status).toBe(200);
    expect(done.json.account.id).toBe(u.accountId);
    expect(decodeJwt(done.json.accessToken.token)).toMatchObject({ amr: ['fed', 'otp'], idp: 'demo-jd' });

    // another account cannot link the same upstream account
    const v = await h.register(
      { accountName: 'second_linker', number: '13600136002' },
      { headers: TOKEN_MODE, ip: freshIp() },
    );
    await stepUpByPhone(v.json.session.token, '+8613600136002');
    const link2 = await h.request('/v1/federation/demo-jd/link', {
      token: v.json.session.token,
      body: { returnTo: RETURN_TO },
      ip: freshIp(),
    });
    const launched2 = await get(link2.json.startUrl);
    const back2 = await callback(
      await signInAtUpstream(launched2.headers.get('location')!, 'alice'),
      cookieFrom(launched2.headers.get('set-cookie')),
    );
    expect((await resume(back2.handle!)).json.error.code).toBe('federation_identity_taken');

    // unlink (its step-up still running): alice's next upstream sign-in is a first one again
    const unlinked = await h.request('/v1/federation/links/demo-jd', {
      method: 'DELETE',
      token: u.token,
      ip: freshIp(),
    });
    expect(unlinked.status).toBe(204);
    expect((await signInAs('alice')).json.activation).toBeTruthy();
  });

  it('an account created upstream cannot unlink its only way in; after setting a name and password it can', async () => {
    const first = await signInAs('zhangsan');
    // zhangsan was activated in the first test: straight in
    const token = first.json.session.token as string;
    const unlinkEarly = await h.request('/v1/federation/links/demo-jd', { method: 'DELETE', token, ip: freshIp() });
    expect(unlinkEarly.json.error.code).toBe('step_up_required');
    await stepUpByPhone(token, '+8613700137001');
    const refused = await h.request('/v1/federation/links/demo-jd', { method: 'DELETE', token, ip: freshIp() });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('federation_last_method');

    const weak = await h.request('/v1/account/credentials', {
      token,
      body: { accountName: 'zhangsan_cloud', password: 'zhangsan_cloud' },
      ip: freshIp(),
    });
    expect(weak.status).toBe(400);
    const set = await h.request('/v1/account/credentials', {
      token,
      body: { accountName: '张三云账号', password: 'Upgrade#2026' },
      ip: freshIp(),
    });
    expect(set.status).toBe(200);
    expect(set.json.account.accountName).toBe('张三云账号');
    expect(set.json.account.hasPassword).toBeUndefined();
    const twice = await h.request('/v1/account/credentials', {
      token,
      body: { accountName: '张三云账号二', password: 'Upgrade#2026' },
      ip: freshIp(),
    });
    expect(twice.json.error.code).toBe('account_credentials_set');
    // a direct sign-in now works, by name and by phone
    for (const identifier of ['张三云账号', '13700137001']) {
      const direct = await h.request('/v1/sessions', {
        body: { identifier, password: 'Upgrade#2026' },
        headers: TOKEN_MODE,
        ip: freshIp(),
      });
      expect(direct.status, identifier).toBe(200);
      expect(decodeJwt(direct.json.accessToken.token).amr).toEqual(['pwd']);
    }
    const unlinked = await h.request('/v1/federation/links/demo-jd', { method: 'DELETE', token, ip: freshIp() });
    expect(unlinked.status).toBe(204);
    expect((await h.request('/v1/federation/links', { token })).json.links).toEqual([]);
  });

  it('an account made upstream that reset a forgotten password still sets its name', async () => {
    const first = await signInAs('sunqi');
    const done = await activate(first.json.activation.ticket, '13900139222');
    expect(done.status).toBe(201);
    expect(
      (
        await h.request('/v1/password-reset/code', {
          body: { identifier: '13900139222', channel: 'sms' },
          ip: freshIp(),
        })
      ).status,
    ).toBe(202);
    // the code is queued after the answer
    let code: string | null | undefined;
    for (let i = 0; i < 50 && !code; i++) {
      code = (await readDevOutbox(h.db, { to: '+8613900139222', limit: 1 })).find(
        (m) => m.purpose === 'password_reset',
      )?.code;
      if (!code) await new Promise((r) => setTimeout(r, 20));
    }
    const reset = await h.request('/v1/password-reset', {
      body: { identifier: '13900139222', code, password: 'Reset#2026x' },
      headers: TOKEN_MODE,
      ip: freshIp(),
    });
    expect(reset.status).toBe(200);
    const token = reset.json.session.token as string;
    await stepUpByPhone(token, '+8613900139222');
    const set = await h.request('/v1/account/credentials', {
      token,
      body: { accountName: '孙七的云账号', password: 'Upgrade#2026y' },
      ip: freshIp(),
    });
    expect(set.status).toBe(200);
    expect(set.json.account.accountName).toBe('孙七的云账号');
  });

  it('the links and the upgrade belong to the session’s own tenant and account', async () => {
    const stranger = await h.request('/v1/federation/links', { ip: freshIp() });
    expect(stranger.status).toBe(401);
    const noSession = await h.request('/v1/account/credentials', {
      body: { accountName: 'anybody_here', password: 'Upgrade#2026' },
      ip: freshIp(),
    });
    expect(noSession.status).toBe(401);
  });
});

describe('closing an account created upstream', () => {
  it('frees its upstream account: after the erasure the next sign-in is a first one again', async () => {
    await h.setTenantConfig({ accountClosing: { coolingOffDays: 0 } });
    try {
      const first = await signInAs('zhaoliu');
      const done = await activate(first.json.activation.ticket, '13900139111');
      expect(done.status).toBe(201);
      const token = done.json.session.token as string;
      await stepUpByPhone(token, '+8613900139111');
      expect((await h.request('/v1/account/closing', { token, body: {}, ip: freshIp() })).status).toBe(200);
      // being closed: the upstream sign-in is told so, like any sign-in
      expect((await signInAs('zhaoliu')).json.error.code).toBe('account_closing');
      h.clock.advance(60);
      await eraseClosedAccounts(h.deps, h.clock.now());
      const links = await h.db
        .selectFrom('federated_identities')
        .select('subject')
        .where('account_id', '=', done.json.account.id)
        .execute();
      expect(links).toEqual([]);
      const again = await signInAs('zhaoliu');
      expect(again.json.activation).toMatchObject({ provider: 'demo-jd', name: '赵六' });
    } finally {
      await h.setTenantConfig({ accountClosing: { coolingOffDays: 15 } });
    }
  });
});

describe('WeChat website login (against a local fake of its API)', () => {
  it('signs in with the QR page’s code: activation first, straight through next time', async () => {
    const s = await start({ provider: 'wechat' });
    expect(s.res.status).toBe(302);
    const qr = new URL(s.location);
    expect(qr.pathname).toBe('/connect/qrconnect');
    expect(qr.searchParams.get('scope')).toBe('snsapi_login');
    expect(qr.searchParams.get('appid')).toBe('wx0123456789abcdef');
    const scanned = await fetch(wechat.authorize(s.location, 'o-wx-1'), { redirect: 'manual' });
    const back = await callback(scanned.headers.get('location')!, s.cookie);
    const first = await resume(back.handle!);
    expect(first.json.activation).toMatchObject({ provider: 'wechat', name: '微信小明' });
    expect(first.json.activation.phone).toBeUndefined();
    const done = await activate(first.json.activation.ticket, '13500135001');
    expect(done.status).toBe(201);

    const s2 = await start({ provider: 'wechat' });
    const again = await fetch(wechat.authorize(s2.location, 'o-wx-1'), { redirect: 'manual' });
    const back2 = await callback(again.headers.get('location')!, s2.cookie);
    const second = await resume(back2.handle!);
    expect(second.json.account.id).toBe(done.json.account.id);
    // the app secret reached WeChat's token endpoint, and nothing else of ours
    const tokenCall = wechat.requests.find((r) => r.path.startsWith('/sns/oauth2/access_token'));
    expect(tokenCall?.path).toContain('secret=wechat-secret');
  });

  it('a refused QR page, a used code and WeChat being down are told apart', async () => {
    const s = await start({ provider: 'wechat' });
    const denied = await fetch(wechat.deny(s.location), { redirect: 'manual' });
    const back = await callback(denied.headers.get('location')!, s.cookie);
    expect((await resume(back.handle!)).json.error.code).toBe('federation_failed');

    const s2 = await start({ provider: 'wechat' });
    const scanned = await fetch(wechat.authorize(s2.location, 'o-wx-2'), { redirect: 'manual' });
    wechat.failNext({ status: 502, body: 'bad gateway' });
    const back2 = await callback(scanned.headers.get('location')!, s2.cookie);
    const down = await resume(back2.handle!);
    expect(down.json.error.code).toBe('federation_unavailable');
    expect(down.status).toBe(503);

    // WeChat not answering at all: the callback gives up after FEDERATION_TIMEOUT_MS (2 s here) and
    // still sends the browser back with the reason (past the request deadline it would get a 503 page)
    const s3 = await start({ provider: 'wechat' });
    const scanned3 = await fetch(wechat.authorize(s3.location, 'o-wx-3'), { redirect: 'manual' });
    wechat.hangNext();
    const back3 = await callback(scanned3.headers.get('location')!, s3.cookie);
    expect(back3.res.status).toBe(302);
    expect((await resume(back3.handle!)).json.error.code).toBe('federation_unavailable');
  });
});

describe('configuration', () => {
  it('seals the secrets: never in the operator’s view, the widget’s config or a log', async () => {
    const view = JSON.stringify(operatorConfigView(h.tenant.config));
    expect(view).not.toContain('upstream-secret-1');
    expect(view).not.toContain('wechat-secret');
    expect(view).toContain('"clientSecretSet":true');
    const stored = JSON.stringify(h.tenant.config);
    expect(stored).not.toContain('upstream-secret-1');
    const pub = await h.request('/v1/config');
    expect(pub.json.federation.providers).toEqual([
      { id: 'demo-jd', kind: 'oidc', displayName: { 'zh-CN': '演示京东', en: 'Demo JD' } },
      { id: 'wechat', kind: 'wechat', displayName: { 'zh-CN': '微信', en: 'WeChat' } },
    ]);
    expect(JSON.stringify(pub.json)).not.toContain(upstream.issuer);
  });

  it('refuses a provider without a secret, an http issuer off loopback, and unknown keys', async () => {
    const bad = [
      { x: { kind: 'oidc', displayName: { 'zh-CN': 'x', en: 'x' }, issuer: upstream.issuer, clientId: 'c' } },
      {
        x: {
          kind: 'oidc',
          displayName: { 'zh-CN': 'x', en: 'x' },
          issuer: 'http://internal.example',
          clientId: 'c',
          clientSecret: 's',
        },
      },
      { x: { kind: 'wechat', displayName: { 'zh-CN': 'x', en: 'x' }, appId: 'wx1', appSecret: 's' } },
      { X: null },
      { x: { kind: 'saml', displayName: { 'zh-CN': 'x', en: 'x' } } },
    ];
    for (const providers of bad) {
      await expect(
        configureTenant(h.db, h.tenant, { federation: { providers } }, { secret: h.deps.config.secret }),
      ).rejects.toMatchObject({ code: 'invalid_input' });
    }
  });
});

describe('an issuer a tenant names is fetched only on the public internet', () => {
  it('tells non-public addresses apart', () => {
    for (const a of [
      '10.1.2.3',
      '172.31.255.255',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      'not-an-ip',
    ])
      expect(isNonPublicAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isNonPublicAddress(a), a).toBe(false);
  });

  it('outside development, an issuer on this machine is refused before any connection', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const before = h.deps.config.federation;
    h.deps.config.federation = { ...before, allowHttpLoopback: false };
    try {
      for (const issuer of [`https://localhost:${port}`, `https://127.0.0.1:${port}`]) {
        await configure({
          providers: {
            inside: {
              kind: 'oidc',
              displayName: { 'zh-CN': '内网', en: 'Inside' },
              issuer,
              clientId: 'x',
              clientSecret: 'y',
            },
          },
        });
        const s = await start({ provider: 'inside' });
        expect(s.res.json, issuer).toMatchObject({ error: { code: 'federation_unavailable' } });
        expect(s.res.status, issuer).toBe(503);
        expect(s.res.json.error.code).toBe('federation_unavailable');
      }
      expect(connections).toBe(0);
    } finally {
      h.deps.config.federation = before;
      await configure({ providers: { inside: null } });
      await new Promise((r) => server.close(r));
    }
  });
});
