/**
 * The local stand-ins for upstream identity providers: Demo JD (demo/upstream/provider.ts, a real
 * OpenID provider) driven by demo/upstream/driver.ts through openid-client as the BFF uses it, and
 * the fake of WeChat's website-login API (bff/test/fakes/wechat.ts). No traffic leaves 127.0.0.1.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAtUpstream } from '../../demo/upstream/driver.ts';
import { DEMO_UPSTREAM_USERS, startDemoUpstream, type DemoUpstream } from '../../demo/upstream/provider.ts';
import { startFakeWeChat, type FakeWeChat } from './fakes/wechat.ts';

const REDIRECT = 'http://127.0.0.1:9/v1/federation/jd/callback';

describe('Demo JD upstream', () => {
  let upstream: DemoUpstream;
  let config: oidc.Configuration;

  beforeAll(async () => {
    upstream = await startDemoUpstream({
      clients: [{ clientId: 'jd-account', clientSecret: 'demo-secret', redirectUris: [REDIRECT] }],
    });
    config = await oidc.discovery(new URL(upstream.issuer), 'jd-account', 'demo-secret', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => upstream.close());

  async function authorize(params: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email phone',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...params,
    });
    return { url: url.href, verifier, state, nonce };
  }

  async function signIn(user: string) {
    const req = await authorize();
    const callback = await signInAtUpstream(req.url, user);
    expect(callback.startsWith(`${REDIRECT}?`)).toBe(true);
    return oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    });
  }

  it('publishes discovery at http://127.0.0.1:<port> with code + PKCE, RS256 and the four scopes', () => {
    expect(upstream.issuer).toBe(`http://127.0.0.1:${upstream.port}`);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(upstream.issuer);
    expect(meta.response_types_supported).toContain('code');
    expect(meta.code_challenge_methods_supported).toContain('S256');
    expect(meta.id_token_signing_alg_values_supported).toContain('RS256');
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone']));
    expect(meta.userinfo_endpoint).toBe(`${upstream.issuer}/me`);
  });

  it('signs zhangsan in: the ID token holds name, email and phone number, and so does userinfo', async () => {
    const tokens = await signIn('zhangsan');
    expect(tokens.claims()).toMatchObject({
      iss: upstream.issuer,
      aud: 'jd-account',
      sub: 'zhangsan',
      name: '张三',
      email: 'zhangsan@demo-jd.test',
      email_verified: true,
      phone_number: '+8613800138000',
      phone_number_verified: true,
    });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'zhangsan');
    expect(info).toMatchObject({ sub: 'zhangsan', name: '张三', phone_number: '+8613800138000' });
  });

  it('signs lisi in with neither phone nor email', async () => {
    const claims = (await signIn('lisi')).claims();
    expect(claims?.sub).toBe('lisi');
    expect(claims?.name).toBe('李四');
    expect(claims).not.toHaveProperty('phone_number');
    expect(claims).not.toHaveProperty('email');
  });

  it('comes back with error=access_denied and the state when the user cancels', async () => {
    const req = await authorize();
    const callback = new URL(await signInAtUpstream(req.url, 'zhangsan', { cancel: true }));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(req.state);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(`${upstream.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'jd-account',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st',
    }).toString();
    const callback = new URL(await signInAtUpstream(url.href, 'zhangsan'));
    expect(callback.searchParams.get('error')).toBe('invalid_request');
  });

  it('shows a bilingual, self-contained login page listing the demo users', async () => {
    const page = async (params: Record<string, string>, acceptLanguage?: string) => {
      const first = await fetch((await authorize(params)).url, { redirect: 'manual' });
      const cookies = first.headers.getSetCookie().map((c) => c.split(';')[0]);
      const location = new URL(first.headers.get('location') ?? '', upstream.issuer);
      expect(location.pathname).toMatch(/^\/interaction\/[\w-]+$/);
      const res = await fetch(location, {
        headers: { cookie: cookies.join('; '), ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      return res.text();
    };
    const zh = await page({}, 'en;q=0.5, zh-CN');
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('name="viewport"');
    expect(zh).toMatch(/<form method="post" action="\/interaction\/[\w-]+\/login">/);
    for (const user of DEMO_UPSTREAM_USERS) expect(zh).toContain(`name="user" value="${user.id}"`);
    expect(zh).toContain('取消');
    expect(zh).not.toMatch(/<script|<link|src=/);

    const en = await page({ ui_locales: 'en-US zh-CN' }, 'zh-CN');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Cancel');
    expect(en).toContain('demo OpenID provider');
  });
});

describe('fake WeChat website login', () => {
  const APP = { appId: 'wx0123456789abcdef', appSecret: 'wechat-secret' };
  const CALLBACK = 'http://127.0.0.1:9/v1/federation/wechat/callback';
  let wechat: FakeWeChat;
  let clock = Date.now();

  beforeAll(async () => {
    wechat = await startFakeWeChat({
      apps: [APP],
      users: [{ openid: 'o-zhangsan', unionid: 'u-zhangsan', nickname: '张三', sex: 1, city: 'Beijing' }],
      now: () => clock,
    });
  });
  afterAll(() => wechat.close());

  const authorizeUrl = (over: Record<string, string> = {}) => {
    const url = new URL('/connect/qrconnect', wechat.url);
    url.search = new URLSearchParams({
      appid: APP.appId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'snsapi_login',
      state: 'st-1',
      ...over,
    }).toString();
    return `${url.href}#wechat_redirect`;
  };

  async function codeFor(openid: string): Promise<string> {
    const res = await fetch(wechat.authorize(authorizeUrl(), openid), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('st-1');
    return back.searchParams.get('code') ?? '';
  }

  const api = async (path: string, query: Record<string, string>) => {
    const res = await fetch(`${wechat.url}${path}?${new URLSearchParams(query).toString()}`);
    expect(res.status).toBe(200);
    return res.json();
  };

  const exchange = (code: string, over: Record<string, string> = {}) =>
    api('/sns/oauth2/access_token', {
      appid: APP.appId,
      secret: APP.appSecret,
      code,
      grant_type: 'authorization_code',
      ...over,
    });

  it('exchanges a code once for a token, and the token for the user info, in WeChat shapes', async () => {
    const code = await codeFor('o-zhangsan');
    const token = await exchange(code);
    expect(token).toEqual({
      access_token: expect.any(String),
      expires_in: 7200,
      refresh_token: expect.any(String),
      openid: 'o-zhangsan',
      scope: 'snsapi_login',
      unionid: 'u-zhangsan',
    });
    expect(await exchange(code)).toEqual({ errcode: 40029, errmsg: 'invalid code' });

    const info = await api('/sns/userinfo', { access_token: token.access_token, openid: 'o-zhangsan' });
    expect(info).toEqual({
      openid: 'o-zhangsan',
      nickname: '张三',
      sex: 1,
      province: '',
      city: 'Beijing',
      country: '',
      headimgurl: '',
      privilege: [],
      unionid: 'u-zhangsan',
    });
    expect(await api('/sns/userinfo', { access_token: 'nope', openid: 'o-zhangsan' })).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential',
    });
  });

  it('answers errors as HTTP 200 errcode bodies: unknown appid, wrong secret, expired code', async () => {
    expect(await exchange(await codeFor('o-zhangsan'), { appid: 'wx-unknown' })).toEqual({
      errcode: 40013,
      errmsg: 'invalid appid',
    });
    expect(await exchange(await codeFor('o-zhangsan'), { secret: 'wrong' })).toEqual({
      errcode: 40125,
      errmsg: 'invalid appsecret',
    });
    const code = await codeFor('o-zhangsan');
    clock += 5 * 60 * 1000 + 1;
    expect(await exchange(code)).toEqual({ errcode: 40029, errmsg: 'invalid code' });
  });

  it('redirects with the state and no code when the user refuses', async () => {
    const res = await fetch(wechat.deny(authorizeUrl()), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('shows a 400 page for an unknown appid or another scope', async () => {
    for (const over of [{ appid: 'wx-unknown' }, { scope: 'snsapi_userinfo' }] as Record<string, string>[]) {
      const res = await fetch(wechat.authorize(authorizeUrl(over), 'o-zhangsan'), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
    }
  });
});
