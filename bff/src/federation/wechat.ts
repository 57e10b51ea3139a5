/**
 * WeChat website login (网站应用微信登录): OAuth 2 with `appid`/`secret` and the `snsapi_login`
 * scope — a QR code page at open.weixin.qq.com, then the code exchanged at api.weixin.qq.com.
 * No PKCE and no ID token: `state` (checked by the caller's flow lookup) binds the round trip.
 * The subject is the `unionid` when the app belongs to an Open Platform account (stable across a
 * company's apps), else the app's `openid`. WeChat gives no phone or email: the activation step
 * asks for both. Its errors come as HTTP 200 with `errcode`.
 */
import type { FederationProviderConfig } from '../../../shared/src/federation.ts';
import type { FederationSettings } from '../config.ts';
import { FederationFault, type Connector, type UpstreamIdentity } from './connector.ts';

type WeChatProvider = Extract<FederationProviderConfig, { kind: 'wechat' }>;

interface WeChatError {
  errcode?: number;
  errmsg?: string;
}

async function getJson<T>(url: URL, timeoutMs: number): Promise<T & WeChatError> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    throw new FederationFault('unavailable', `${url.pathname}: ${(err as Error).name}`);
  }
  if (!res.ok) throw new FederationFault('unavailable', `${url.pathname}: HTTP ${res.status}`);
  const body = (await res.json().catch(() => undefined)) as (T & WeChatError) | undefined;
  if (!body || typeof body !== 'object') throw new FederationFault('unavailable', `${url.pathname}: not JSON`);
  if (body.errcode) {
    // 40029 invalid code, 40163 code used: the user's to retry; the app's own settings are the operator's
    const usersToRetry = body.errcode === 40029 || body.errcode === 40163 || body.errcode === 42003;
    throw new FederationFault(usersToRetry ? 'failed' : 'unavailable', `${url.pathname}: errcode ${body.errcode}`);
  }
  return body;
}

export function wechatConnector(provider: WeChatProvider, secret: string, settings: FederationSettings): Connector {
  const openBase = settings.wechatOpenBaseUrl ?? 'https://open.weixin.qq.com';
  const apiBase = settings.wechatApiBaseUrl ?? 'https://api.weixin.qq.com';
  const timeoutMs = settings.timeoutMs ?? 5000;
  return {
    authorizationUrl({ redirectUri, checks, locale }) {
      const url = new URL('/connect/qrconnect', openBase);
      url.searchParams.set('appid', provider.appId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', 'snsapi_login');
      url.searchParams.set('state', checks.state);
      if (locale) url.searchParams.set('lang', locale === 'en' ? 'en' : 'cn');
      url.hash = 'wechat_redirect';
      return Promise.resolve(url);
    },

    async identify({ query }): Promise<UpstreamIdentity> {
      const code = query.get('code');
      // no code: the user closed or refused the QR page
      if (!code) throw new FederationFault('failed', 'no code (refused)');
      const tokenUrl = new URL('/sns/oauth2/access_token', apiBase);
      tokenUrl.search = new URLSearchParams({
        appid: provider.appId,
        secret,
        code,
        grant_type: 'authorization_code',
      }).toString();
      const token = await getJson<{ access_token?: string; openid?: string; unionid?: string; scope?: string }>(
        tokenUrl,
        timeoutMs,
      );
      if (!token.access_token || !token.openid) throw new FederationFault('unavailable', 'token answer incomplete');
      const infoUrl = new URL('/sns/userinfo', apiBase);
      infoUrl.search = new URLSearchParams({ access_token: token.access_token, openid: token.openid }).toString();
      const info = await getJson<{ openid?: string; unionid?: string; nickname?: string }>(infoUrl, timeoutMs);
      if (info.openid !== token.openid) throw new FederationFault('failed', 'userinfo names another openid');
      const subject = info.unionid ?? token.unionid ?? token.openid;
      const name = typeof info.nickname === 'string' && info.nickname ? info.nickname.slice(0, 64) : undefined;
      return { subject, ...(name ? { name } : {}) };
    },
  };
}
