import type { MiddlewareHandler } from 'hono';

// The defaults of hono's secureHeaders, minus CORP/COEP (the widget bundle is embedded cross-site).
const HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'SAMEORIGIN'],
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
 * the session check's hot path). Handlers may still override any of them.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  for (const [name, value] of HEADERS) c.header(name, value);
  await next();
};
