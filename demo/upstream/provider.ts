/**
 * "Demo JD": a stand-in for another company's OpenID provider, so "Log in with JD" can be tried and
 * tested without one (docs/product.md#25-sign-in-with-an-upstream-account). It is a real OpenID
 * provider (oidc-provider): discovery, authorization code + PKCE (required), RS256 ID tokens,
 * userinfo, scopes `openid profile email phone`. Its login page lists made-up users, no password.
 *
 * Independent of the BFF on purpose (only node:*, jose and oidc-provider): it plays a server the
 * BFF knows only by its issuer URL.
 *
 * Everything lives in memory and is lost on close: keys, cookies' keys, sessions, codes, tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type {
  AccountClaims,
  Adapter,
  AdapterFactory,
  AdapterPayload,
  Configuration,
  ErrorOut,
  FindAccount,
  KoaContextWithOIDC,
} from 'oidc-provider';

export interface DemoUpstreamUser {
  /** the `sub` claim */
  id: string;
  name: string;
  email?: string;
  /** E.164 */
  phone?: string;
}

export const DEMO_UPSTREAM_USERS: DemoUpstreamUser[] = [
  { id: 'zhangsan', name: '张三', email: 'zhangsan@demo-jd.test', phone: '+8613800138000' },
  { id: 'alice', name: 'Alice Chen', email: 'alice@demo-jd.test', phone: '+85251234567' },
  { id: 'wangwu', name: '王五', phone: '+8613900139000' },
  { id: 'lisi', name: '李四' },
];

export interface DemoUpstreamClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface DemoUpstream {
  /** `http://<host>:<port>`, no trailing slash */
  issuer: string;
  port: number;
  close(): Promise<void>;
}

type OidcProviderModule = typeof import('oidc-provider');
let oidcProviderModule: Promise<OidcProviderModule> | undefined;

/**
 * oidc-provider warns "Unsupported runtime" when imported on Node 20, which this repo supports
 * (package.json engines) and on which the flow is verified by bff/test/demo-upstream.test.ts; that
 * one line is dropped, any other warning passes.
 */
function loadOidcProvider(): Promise<OidcProviderModule> {
  oidcProviderModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return oidcProviderModule;
}

/**
 * A Map-backed adapter, one store per provider (the bundled in-memory adapter shares one LRU per
 * process and warns at start). Lookups by uid/userCode scan: a demo holds a handful of entries.
 */
function createMemoryAdapter(): AdapterFactory {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const read = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  const findBy = (model: string, match: (p: AdapterPayload) => boolean) => {
    for (const key of store.keys()) {
      if (!key.startsWith(`${model}:`)) continue;
      const payload = read(key);
      if (payload && match(payload)) return payload;
    }
    return undefined;
  };
  return (model: string): Adapter => ({
    upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      store.set(`${model}:${id}`, { payload, expiresAt });
      return Promise.resolve();
    },
    find: (id) => Promise.resolve(read(`${model}:${id}`)),
    findByUid: (uid) => Promise.resolve(findBy(model, (p) => p.uid === uid)),
    findByUserCode: (userCode) => Promise.resolve(findBy(model, (p) => p.userCode === userCode)),
    consume(id) {
      const payload = read(`${model}:${id}`);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    },
    destroy(id) {
      store.delete(`${model}:${id}`);
      return Promise.resolve();
    },
    revokeByGrantId(grantId) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
      return Promise.resolve();
    },
  });
}

function claimsOf(user: DemoUpstreamUser): AccountClaims {
  return {
    sub: user.id,
    name: user.name,
    ...(user.email ? { email: user.email, email_verified: true } : {}),
    ...(user.phone ? { phone_number: user.phone, phone_number_verified: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The login page

type Locale = 'zh-CN' | 'en';

const STRINGS = {
  'zh-CN': {
    title: '登录 Demo JD',
    heading: '选择一个演示用户',
    forClient: (client: string) => `登录后将返回 ${client}，并向其提供你的姓名、邮箱和手机号。`,
    noContact: '无手机号、无邮箱',
    cancel: '取消',
    note: '这是一个演示用的身份提供方（OpenID Provider），不是真实的京东登录。用户均为虚构，无需密码。',
    unknownUser: '请选择列表中的用户。',
    errorTitle: '出错了',
    errorBody: '登录请求无效或已过期，请返回原网站重新开始。',
  },
  en: {
    title: 'Sign in to Demo JD',
    heading: 'Choose a demo user',
    forClient: (client: string) =>
      `After signing in you return to ${client}, which receives your name, email and phone number.`,
    noContact: 'No phone, no email',
    cancel: 'Cancel',
    note: 'This is a demo OpenID provider, not a real JD sign-in. The users are made up; no password is needed.',
    unknownUser: 'Choose one of the listed users.',
    errorTitle: 'Something went wrong',
    errorBody: 'The sign-in request is invalid or has expired. Go back to the site and start again.',
  },
} satisfies Record<Locale, unknown>;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function localeFromTag(tag: string): Locale | undefined {
  const t = tag.trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return undefined;
}

/** `ui_locales` (space-separated, in order of preference) first, then Accept-Language by q; zh-CN by default. */
function pickLocale(uiLocales: unknown, acceptLanguage: string | undefined): Locale {
  if (typeof uiLocales === 'string') {
    for (const tag of uiLocales.split(' ')) {
      const locale = localeFromTag(tag);
      if (locale) return locale;
    }
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q) };
    })
    .filter((e) => e.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const locale = localeFromTag(tag);
    if (locale) return locale;
  }
  return 'zh-CN';
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f4f5;color:#18181b}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.brand{display:flex;align-items:center;gap:10px;font-weight:700;font-size:20px;margin-bottom:16px}
.logo{display:inline-grid;place-items:center;width:36px;height:36px;border-radius:8px;background:#e1251b;color:#fff;font-size:15px}
.card{background:#fff;border-radius:12px;padding:20px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:18px;margin:0 0 4px}
p{margin:0 0 16px;color:#52525b;font-size:14px}
form{display:grid;gap:10px}
button{font:inherit;cursor:pointer;border-radius:8px;min-height:48px;padding:10px 14px;text-align:left;width:100%}
.user{display:grid;gap:2px;border:1px solid #d4d4d8;background:#fff;color:inherit}
.user:hover,.user:focus-visible{border-color:#e1251b;outline:none;box-shadow:0 0 0 3px rgba(225,37,27,.15)}
.user small{color:#71717a;font-size:13px;overflow-wrap:anywhere}
.cancel{border:0;background:none;color:#52525b;text-align:center;text-decoration:underline}
.error{color:#b91c1c}
.note{margin:16px 0 0;font-size:13px;color:#71717a}
`;

function layout(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="brand"><span class="logo" aria-hidden="true">JD</span><span>Demo JD</span></div>
<div class="card">
${body}
</div>
<p class="note">${escapeHtml(STRINGS[locale].note)}</p>
</main>
</body>
</html>`;
}

function loginPage(locale: Locale, uid: string, client: string, users: DemoUpstreamUser[], error?: string): string {
  const t = STRINGS[locale];
  const buttons = users
    .map((u) => {
      const contact = [u.phone, u.email].filter(Boolean).join(' · ') || t.noContact;
      return `<button class="user" type="submit" name="user" value="${escapeHtml(u.id)}"><strong>${escapeHtml(u.name)}</strong><small>${escapeHtml(contact)}</small></button>`;
    })
    .join('\n');
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return layout(
    locale,
    t.title,
    `<h1>${escapeHtml(t.heading)}</h1>
<p>${escapeHtml(t.forClient(client))}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${action}/login">
${buttons}
<button class="cancel" type="submit" formaction="${action}/abort">${escapeHtml(t.cancel)}</button>
</form>`,
  );
}

function errorPage(locale: Locale): string {
  const t = STRINGS[locale];
  return layout(locale, t.errorTitle, `<h1>${escapeHtml(t.errorTitle)}</h1><p>${escapeHtml(t.errorBody)}</p>`);
}

/** The page's own resources only: inline style, nothing else. No form-action: a browser would apply it to the redirects after the POST, which end at the client. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': PAGE_CSP,
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// ---------------------------------------------------------------------------------------------

/**
 * Starts Demo JD on `host:port` (default 127.0.0.1, any free port) for the given clients.
 *
 * @example
 * const upstream = await startDemoUpstream({
 *   clients: [{ clientId: 'jd-account', clientSecret: 's3cret', redirectUris: ['http://localhost:8787/v1/federation/jd/callback'] }],
 * });
 * // issuer: upstream.issuer; discovery at `${upstream.issuer}/.well-known/openid-configuration`
 */
export async function startDemoUpstream(opts: {
  host?: string;
  port?: number;
  clients: DemoUpstreamClient[];
  users?: DemoUpstreamUser[];
}): Promise<DemoUpstream> {
  const { default: Provider, interactionPolicy } = await loadOidcProvider();
  const host = opts.host ?? '127.0.0.1';
  const users = opts.users ?? DEMO_UPSTREAM_USERS;
  const byId = new Map(users.map((u) => [u.id, u]));

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuerHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const issuer = `http://${issuerHost}:${port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  // The login prompt always shows the user chooser, even with a live session at this provider,
  // so one browser can try each demo user in turn.
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check('demo_choose_user', 'Demo JD asks which demo user signs in every time', (ctx) =>
        ctx.oidc.result?.login ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );

  const findAccount: FindAccount = (_ctx, sub) => {
    const user = byId.get(sub);
    return user && { accountId: sub, claims: () => claimsOf(user) };
  };

  const configuration: Configuration = {
    adapter: createMemoryAdapter(),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    })),
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
    },
    // By default (true) scope-granted claims go to userinfo only, not into a code flow's ID token.
    // A client of Demo JD finds them in both.
    conformIdTokenClaims: false,
    findAccount,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy },
    // Consent is automatic: a fresh login grants what the client asked for.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { account, client } = ctx.oidc;
      if (!ctx.oidc.result?.login || !account || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId: account.accountId, clientId: client.clientId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      if (ctx.oidc.requestParamClaims.size) grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    // Browsers never call the token or userinfo endpoints of Demo JD; its clients are servers.
    clientBasedCORS: () => false,
    renderError: (ctx: KoaContextWithOIDC, out: ErrorOut) => {
      const locale = pickLocale(ctx.oidc?.params?.ui_locales, ctx.get('accept-language'));
      ctx.type = 'html';
      ctx.set('content-security-policy', PAGE_CSP);
      ctx.body = layout(
        locale,
        STRINGS[locale].errorTitle,
        `<h1>${escapeHtml(STRINGS[locale].errorTitle)}</h1><p>${escapeHtml(out.error)}${
          out.error_description ? `: ${escapeHtml(out.error_description)}` : ''
        }</p>`,
      );
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86_400,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidcCallback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return sendHtml(res, 400, errorPage(pickLocale(undefined, req.headers['accept-language'])));
    }
    const locale = pickLocale(details.params.ui_locales, req.headers['accept-language']);
    if (details.uid !== uid) return sendHtml(res, 400, errorPage(locale));

    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login') {
        const client = typeof details.params.client_id === 'string' ? details.params.client_id : '';
        return sendHtml(res, 200, loginPage(locale, uid, client, users));
      }
      // Any other prompt (consent for a grant loadExistingGrant did not cover): grant what was asked.
      const accountId = details.session?.accountId;
      if (!accountId) return sendHtml(res, 400, errorPage(locale));
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(typeof details.params.scope === 'string' ? details.params.scope : 'openid');
      const missingClaims = details.prompt.details.missingOIDCClaims;
      if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims as string[]);
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }

    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const user = byId.get(form.get('user') ?? '');
      if (!user) {
        const client = typeof details.params.client_id === 'string' ? details.params.client_id : '';
        return sendHtml(res, 400, loginPage(locale, uid, client, users, STRINGS[locale].unknownUser));
      }
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.id } },
        { mergeWithLastSubmission: false },
      );
    }

    if (req.method === 'POST' && action === 'abort') {
      await readForm(req);
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
    }

    res.writeHead(405, { allow: action === undefined ? 'GET' : 'POST' });
    res.end();
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/.exec(path);
    if (!match) return void oidcCallback(req, res);
    interaction(req, res, match[1], match[2]).catch((err: unknown) => {
      console.error('demo upstream: interaction failed', err);
      if (!res.headersSent) sendHtml(res, 500, errorPage(pickLocale(undefined, req.headers['accept-language'])));
      else res.end();
    });
  });

  return {
    issuer,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
