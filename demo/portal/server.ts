/**
 * A third-party portal that embeds jd-account (docs/embedding.md#a-portal-with-its-own-backend-demoportal): its own
 * server, on its own origin, knowing the BFF only by URL. It serves one page with <jd-register>
 * and <jd-login> from the BFF's standalone bundle in token mode, and one API, GET /api/me, which
 * verifies the page's token against the BFF's JWKS (verify.ts) and answers who is signed in.
 *
 * `npm run demo:portal`, configured by the environment:
 *   BFF_URL          the BFF as browsers reach it (default http://localhost:8787)
 *   PUBLISHABLE_KEY  the tenant's publishable key (required)
 *   TENANT_SLUG      the tenant's slug (required): the tokens' audience
 *   PORT, HOST       where this portal listens (default 8790 on 127.0.0.1)
 * The tenant must allow this portal's origin (`npm run tenant -- create <slug> --origin http://localhost:8790`).
 *
 * Only node:* and `jose`: nothing from the BFF's code.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createTokenVerifier, TokenRefused, type VerifiedUser } from './verify.ts';

export interface PortalConfig {
  bffUrl: string;
  publishableKey: string;
  tenantSlug: string;
}

const TEMPLATE = readFileSync(new URL('./index.html', import.meta.url), 'utf8');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The page, filled in; its inline script runs only with this response's nonce. */
function page(config: PortalConfig, nonce: string): string {
  const values: Record<string, string> = {
    BFF_URL: config.bffUrl,
    PUBLISHABLE_KEY: config.publishableKey,
    NONCE: nonce,
  };
  return TEMPLATE.replace(/%(BFF_URL|PUBLISHABLE_KEY|NONCE)%/g, (_, name: string) => escapeHtml(values[name]));
}

/**
 * Token mode keeps the session token in sessionStorage, readable by any script on this page: a
 * strict script-src is what keeps an injected script from running (docs/embedding.md, token mode's trade-offs).
 * Scripts: the BFF's bundle and this page's own nonce'd script; requests: this server and the BFF.
 */
function contentSecurityPolicy(bffOrigin: string, nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' ${bffOrigin}`,
    `connect-src 'self' ${bffOrigin}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** GET /api/me: the signed-in user as the verified token says, or 401 with why the token was refused. */
async function me(req: IncomingMessage, res: ServerResponse, verify: (token: string) => Promise<VerifiedUser>) {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(req.headers.authorization ?? '');
  const challenge = { 'www-authenticate': 'Bearer error="invalid_token"' };
  if (!match)
    return json(
      res,
      401,
      { error: { reason: 'no_token', message: 'No bearer token: sign in first.' } },
      { 'www-authenticate': 'Bearer' },
    );
  try {
    return json(res, 200, await verify(match[1]));
  } catch (err) {
    if (err instanceof TokenRefused)
      return json(res, 401, { error: { reason: err.reason, message: `Token refused (${err.reason}).` } }, challenge);
    console.error('portal: cannot verify tokens now (is the BFF reachable?)', err);
    return json(res, 503, {
      error: { reason: 'keys_unavailable', message: 'The account service’s keys cannot be fetched right now.' },
    });
  }
}

/** The portal's HTTP server (not listening yet); `verify` is replaceable for tests. */
export function createPortalServer(
  config: PortalConfig,
  verify = createTokenVerifier({ bffUrl: config.bffUrl, tenantSlug: config.tenantSlug }),
): Server {
  const bffOrigin = new URL(config.bffUrl).origin;
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://portal.invalid').pathname;
    if (req.method === 'GET' && path === '/') {
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': contentSecurityPolicy(bffOrigin, nonce),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      return res.end(page(config, nonce));
    }
    if (req.method === 'GET' && path === '/api/me') {
      me(req, res, verify).catch((err: unknown) => {
        console.error('portal: /api/me failed', err);
        if (!res.headersSent) json(res, 500, { error: { reason: 'internal' } });
      });
      return;
    }
    json(res, 404, { error: { reason: 'not_found' } });
  });
}

/** The configuration from the environment; throws with what is missing or wrong. */
export function configFromEnv(env: NodeJS.ProcessEnv): PortalConfig & { port: number; host: string } {
  const bffUrl = (env.BFF_URL ?? 'http://localhost:8787').replace(/\/+$/, '');
  const { protocol, origin } = new URL(bffUrl); // throws on a malformed URL
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`BFF_URL must be an http(s) URL, not ${bffUrl}`);
  const missing = ['PUBLISHABLE_KEY', 'TENANT_SLUG'].filter((name) => !env[name]);
  if (missing.length) throw new Error(`set ${missing.join(' and ')} (npm run tenant -- show <slug> prints both)`);
  return {
    bffUrl: origin,
    publishableKey: env.PUBLISHABLE_KEY!,
    tenantSlug: env.TENANT_SLUG!,
    port: Number(env.PORT ?? 8790),
    host: env.HOST ?? '127.0.0.1',
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let config: ReturnType<typeof configFromEnv>;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    console.error(`portal: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
  const server = createPortalServer(config);
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as { port: number };
    const shown = config.host === '127.0.0.1' ? 'localhost' : config.host;
    console.log(
      `portal listening on http://${shown}:${port}/ (tenant ${config.tenantSlug}, account service ${config.bffUrl})`,
    );
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // keep-alive connections would hold close() open
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
