import type { Context } from 'hono';

/**
 * What every answer may do when a browser renders it: nothing (JSON, the widget bundle, files).
 * An HTML page replaces it with its own policy (pageCsp below).
 */
const NOTHING = "default-src 'none'; frame-ancestors 'none'";

// The defaults of hono's secureHeaders, minus CORP/COEP (the widget bundle is embedded cross-site).
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  ['content-security-policy', NOTHING],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];

/**
 * A fixed set of security headers, prepared before the handler runs so they go into the
 * response as it is built (hono's secureHeaders rewrites the finished response: measurable on
 * the session check's hot path). Handlers may still override any of them; HTML pages do, through
 * htmlPage below. Called by the request frame (app.ts) for every request.
 */
export function setSecurityHeaders(c: Context): void {
  for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
}

const hashes = new Map<string, Promise<string>>();

/**
 * `'sha256-…'` of an inline script's or style's text, as CSP compares it (the UTF-8 bytes between
 * the tags). WebCrypto, so edge runtimes run it too; remembered, since pages hash the same
 * constants again and again. Only for text the BFF wrote itself: hashing whatever a page
 * happens to contain would allow an injected script as well.
 */
export function cspHash(text: string): Promise<string> {
  let hash = hashes.get(text);
  if (!hash) {
    hash = crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(text))
      .then((d) => `'sha256-${btoa(String.fromCharCode(...new Uint8Array(d)))}'`);
    if (hashes.size < 64) hashes.set(text, hash);
  }
  return hash;
}

export interface PagePolicy {
  /** inline <script> texts the page carries (hashed); `self`: scripts from the BFF itself (the widget bundle) */
  scripts?: readonly string[];
  selfScripts?: boolean;
  /** inline <style> texts the page carries (hashed) */
  styles?: readonly string[];
  /** the page talks to the BFF (fetch) and shows tenants' https logos: the demo page */
  app?: boolean;
  /**
   * Origins the page shows images from (a tenant's https logo on the email link's page): each is
   * a URL's `origin`, which cannot carry a space or `;` into the policy.
   */
  imageOrigins?: readonly string[];
  /**
   * Who may frame the page: a tenant's page, its allowed origins (the portal that embeds it);
   * `self`; or nobody (the default).
   */
  frameAncestors?: readonly string[] | 'self' | 'none';
  /** a captcha provider's browser side the page may load (shared/src/captcha.ts captchaCspSources) */
  captcha?: { script: readonly string[]; frame: readonly string[]; connect: readonly string[] };
}

/** The Content-Security-Policy of an HTML page: nothing beyond what it declares. */
export async function pageCsp(policy: PagePolicy): Promise<string> {
  const scripts = await Promise.all((policy.scripts ?? []).map(cspHash));
  const styles = await Promise.all((policy.styles ?? []).map(cspHash));
  const ancestors = policy.frameAncestors ?? 'none';
  const frame =
    ancestors === 'self' ? "'self'" : ancestors === 'none' || ancestors.length === 0 ? "'none'" : ancestors.join(' ');
  const directives = ["default-src 'none'"];
  const captcha = policy.captcha;
  if (scripts.length || policy.selfScripts)
    directives.push(
      `script-src ${[...(policy.selfScripts ? ["'self'"] : []), ...scripts, ...(captcha?.script ?? [])].join(' ')}`,
    );
  if (styles.length) directives.push(`style-src ${styles.join(' ')}`);
  // the widget's QR code is a data: image; tenants' logos are https only (widget/src/parts/base-element.ts)
  if (policy.app)
    directives.push("img-src 'self' data: https:", ["connect-src 'self'", ...(captcha?.connect ?? [])].join(' '));
  if (captcha?.frame.length) directives.push(`frame-src ${captcha.frame.join(' ')}`);
  else if (policy.imageOrigins?.length) directives.push(`img-src ${policy.imageOrigins.join(' ')}`);
  directives.push("base-uri 'none'", "form-action 'self'", `frame-ancestors ${frame}`);
  return directives.join('; ');
}

/**
 * Answers an HTML page with its own policy. X-Frame-Options says the same for browsers that
 * predate frame-ancestors; it cannot name other origins, so a page a tenant may frame drops it
 * (browsers with CSP ignore it when frame-ancestors is present anyway).
 */
export async function htmlPage(
  c: Context,
  body: string | Promise<string>,
  policy: PagePolicy,
  status: 200 | 400 | 404 = 200,
) {
  c.header('content-security-policy', await pageCsp(policy));
  const ancestors = policy.frameAncestors ?? 'none';
  if (ancestors === 'self') c.header('x-frame-options', 'SAMEORIGIN');
  else if (ancestors === 'none' || ancestors.length === 0) c.header('x-frame-options', 'DENY');
  else c.header('x-frame-options', undefined);
  return c.html(await body, status);
}
