/**
 * Fake WeChat website login (网站应用微信登录, OAuth 2 with scope `snsapi_login`), both of its hosts
 * on one origin:
 * - open.weixin.qq.com: `GET /connect/qrconnect?appid&redirect_uri&response_type=code&scope=snsapi_login&state`
 *   (the real page shows a QR code; the real URL ends with `#wechat_redirect`). Here a small page
 *   lists the users; `&fake_user=<openid>` answers 302 straight to `redirect_uri?code=…&state=…`
 *   and `&fake_deny=1` to `redirect_uri?state=…` (the user refused: no code). Unknown appid,
 *   another scope or response_type, or no absolute redirect_uri: a 400 page, as WeChat shows one.
 * - api.weixin.qq.com: `GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`
 *   and `GET /sns/userinfo?access_token&openid`. Errors are HTTP 200 with `{ errcode, errmsg }`,
 *   as WeChat answers them. A code is single use, bound to its appid, and lives 5 minutes; an
 *   access token 7200 seconds.
 */
import { randomBytes } from 'node:crypto';
import { startHttpFake, type FakeAnswer, type HttpFake, type RecordedRequest } from './http-fake.ts';

export interface FakeWeChatApp {
  appId: string;
  appSecret: string;
}

export interface FakeWeChatUser {
  openid: string;
  /** only when the app is bound to an open-platform account, as on WeChat */
  unionid?: string;
  nickname: string;
  /** 0 unknown, 1 male, 2 female */
  sex?: 0 | 1 | 2;
  province?: string;
  city?: string;
  country?: string;
  headimgurl?: string;
}

export interface FakeWeChat extends HttpFake {
  /** The authorize URL (as the BFF built it) with `fake_user=<openid>`: GET it for a 302 to the callback with a code. */
  authorize(authorizeUrl: string, openid: string): string;
  /** The authorize URL with `fake_deny=1`: GET it for a 302 to the callback with no code. */
  deny(authorizeUrl: string): string;
  /** the next request gets this WeChat API error (HTTP 200 `{ errcode, errmsg }`) */
  failNextWith(errcode: number, errmsg: string): void;
  /** the users the fake knows (given, or made up by `fake_user` for an unknown openid) */
  readonly users: Map<string, FakeWeChatUser>;
}

const CODE_TTL_MS = 5 * 60 * 1000;
const ACCESS_TOKEN_TTL_S = 7200;

const JSON_HEADERS = { 'content-type': 'application/json; encoding=utf-8' };

const apiError = (errcode: number, errmsg: string): FakeAnswer => ({
  status: 200,
  body: { errcode, errmsg },
  headers: JSON_HEADERS,
});

const ok = (body: unknown): FakeAnswer => ({ status: 200, body, headers: JSON_HEADERS });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const html = (status: number, title: string, body: string): FakeAnswer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:420px;margin:24px auto;padding:0 16px">${body}</body></html>`,
});

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** `now`: the fake's clock for code and token lifetimes (default the real one). */
export async function startFakeWeChat(options: {
  apps: FakeWeChatApp[];
  users?: FakeWeChatUser[];
  now?: () => number;
}): Promise<FakeWeChat> {
  const now = options.now ?? Date.now;
  const apps = new Map(options.apps.map((a) => [a.appId, a]));
  const users = new Map((options.users ?? []).map((u) => [u.openid, u]));
  const codes = new Map<string, { appId: string; openid: string; expiresAt: number }>();
  const accessTokens = new Map<string, { appId: string; openid: string; expiresAt: number }>();

  function userFor(openid: string): FakeWeChatUser {
    let user = users.get(openid);
    if (!user) {
      user = { openid, unionid: `union-${openid}`, nickname: '微信用户' };
      users.set(openid, user);
    }
    return user;
  }

  function qrconnect(req: RecordedRequest, query: URLSearchParams): FakeAnswer {
    const appId = query.get('appid') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const state = query.get('state');
    if (!apps.has(appId)) return html(400, '微信登录', '<p>参数错误：AppID 参数错误</p>');
    if (query.get('scope') !== 'snsapi_login') return html(400, '微信登录', '<p>Scope 参数错误或没有 Scope 权限</p>');
    if (query.get('response_type') !== 'code' || !/^https?:\/\//.test(redirectUri) || !URL.canParse(redirectUri))
      return html(400, '微信登录', '<p>参数错误：redirect_uri 参数错误</p>');

    const back = new URL(redirectUri);
    const fakeUser = query.get('fake_user');
    if (fakeUser) {
      const code = token(24);
      codes.set(code, { appId, openid: userFor(fakeUser).openid, expiresAt: now() + CODE_TTL_MS });
      back.searchParams.set('code', code);
    } else if (query.get('fake_deny') !== '1') {
      // The QR page: pick a user instead of scanning.
      const links = [...users.values()]
        .map((u) => {
          const url = new URL(req.path, 'http://fake');
          url.searchParams.set('fake_user', u.openid);
          return `<li><a href="${escapeHtml(url.pathname + url.search)}">${escapeHtml(u.nickname)} (${escapeHtml(u.openid)})</a></li>`;
        })
        .join('');
      const deny = new URL(req.path, 'http://fake');
      deny.searchParams.set('fake_deny', '1');
      return html(
        200,
        '微信登录',
        `<h1>微信登录（本地模拟）</h1><p>选择一个微信用户代替扫码：</p><ul>${links}</ul><p><a href="${escapeHtml(deny.pathname + deny.search)}">拒绝授权</a></p>`,
      );
    }
    if (state !== null) back.searchParams.set('state', state);
    return { status: 302, body: '', headers: { location: back.href, 'content-type': 'text/html; charset=utf-8' } };
  }

  function accessToken(query: URLSearchParams): FakeAnswer {
    const app = apps.get(query.get('appid') ?? '');
    if (!app) return apiError(40013, 'invalid appid');
    if (query.get('secret') !== app.appSecret) return apiError(40125, 'invalid appsecret');
    if (query.get('grant_type') !== 'authorization_code') return apiError(40002, 'invalid grant_type');
    const codeValue = query.get('code') ?? '';
    const code = codes.get(codeValue);
    codes.delete(codeValue); // single use, whatever the outcome
    if (!code || code.appId !== app.appId || code.expiresAt <= now()) return apiError(40029, 'invalid code');
    const user = userFor(code.openid);
    const access_token = token(32);
    accessTokens.set(access_token, {
      appId: app.appId,
      openid: user.openid,
      expiresAt: now() + ACCESS_TOKEN_TTL_S * 1000,
    });
    return ok({
      access_token,
      expires_in: ACCESS_TOKEN_TTL_S,
      refresh_token: token(32),
      openid: user.openid,
      scope: 'snsapi_login',
      ...(user.unionid ? { unionid: user.unionid } : {}),
    });
  }

  function userinfo(query: URLSearchParams): FakeAnswer {
    const grant = accessTokens.get(query.get('access_token') ?? '');
    if (!grant) return apiError(40001, 'invalid credential');
    if (grant.expiresAt <= now()) return apiError(42001, 'access_token expired');
    if (query.get('openid') !== grant.openid) return apiError(40003, 'invalid openid');
    const user = userFor(grant.openid);
    return ok({
      openid: user.openid,
      nickname: user.nickname,
      sex: user.sex ?? 0,
      province: user.province ?? '',
      city: user.city ?? '',
      country: user.country ?? '',
      headimgurl: user.headimgurl ?? '',
      privilege: [],
      ...(user.unionid ? { unionid: user.unionid } : {}),
    });
  }

  const fake = await startHttpFake((req) => {
    const url = new URL(req.path, 'http://fake');
    if (req.method !== 'GET') return apiError(43001, 'require GET method');
    switch (url.pathname) {
      case '/connect/qrconnect':
        return qrconnect(req, url.searchParams);
      case '/sns/oauth2/access_token':
        return accessToken(url.searchParams);
      case '/sns/userinfo':
        return userinfo(url.searchParams);
      default:
        return { status: 404, body: { errcode: -1, errmsg: 'not found' }, headers: JSON_HEADERS };
    }
  });

  const withParam = (authorizeUrl: string, name: string, value: string) => {
    const given = new URL(authorizeUrl);
    const url = new URL(given.pathname + given.search, fake.url);
    url.searchParams.set(name, value);
    return url.href;
  };

  return Object.assign(fake, {
    users,
    authorize: (authorizeUrl: string, openid: string) => withParam(authorizeUrl, 'fake_user', openid),
    deny: (authorizeUrl: string) => withParam(authorizeUrl, 'fake_deny', '1'),
    failNextWith: (errcode: number, errmsg: string) => fake.failNext(apiError(errcode, errmsg)),
  });
}
