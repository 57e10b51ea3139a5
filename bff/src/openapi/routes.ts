import { Hono } from 'hono';
import { escapeHtml } from '../delivery/templates.ts';
import { publicOrigin, type AppEnv } from '../http/context.ts';
import { htmlPage } from '../http/security-headers.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { OPERATIONS, openApiDocument } from './document.ts';

/** The reference page's one style block: its hash goes into the page's policy. */
const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2329}h3{font-size:1rem;margin:1.25rem 0 .25rem}.m{display:inline-block;min-width:4.5em;font-weight:700;color:#1a5fb4}.meta{color:#5c6370;font-size:.875em;margin:0}pre{background:#f5f6f7;padding:.75rem;overflow:auto;font-size:.8125rem}section{border-top:1px solid #e3e5e8}';

/** The API reference, as a page: generated from the same table as /openapi.json, no script, no CDN. */
function referencePage(doc: ReturnType<typeof openApiDocument>): string {
  const byTag = new Map<string, string[]>();
  for (const op of OPERATIONS) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const entry = (
      doc.paths[path] as Record<
        string,
        {
          requestBody?: { content: { 'application/json': { schema: unknown } } };
          parameters?: { name: string; in: string }[];
        }
      >
    )[op.method];
    const body = entry.requestBody
      ? `<details><summary>Request body</summary><pre>${escapeHtml(JSON.stringify(entry.requestBody.content['application/json'].schema, null, 2))}</pre></details>`
      : '';
    const query = (entry.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => `<code>${escapeHtml(p.name)}</code>`)
      .join(' ');
    const auth = {
      publishable: 'publishable key',
      session: 'session',
      pending: 'session (also while the MFA step is due)',
      admin: 'secret key',
      none: 'none',
    }[op.auth];
    (byTag.get(op.tag) ?? byTag.set(op.tag, []).get(op.tag)!).push(
      `<section><h3><span class="m">${op.method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3><p>${escapeHtml(op.summary)}</p><p class="meta">Auth: ${auth}${query ? ` · Query: ${query}` : ''}</p>${body}</section>`,
    );
  }
  const sections = [...byTag]
    .map(
      ([tag, ops]) =>
        `<h2 id="${escapeHtml(tag.toLowerCase().replace(/\W+/g, '-'))}">${escapeHtml(tag)}</h2>${ops.join('')}`,
    )
    .join('');
  const toc = [...byTag.keys()]
    .map((t) => `<a href="#${escapeHtml(t.toLowerCase().replace(/\W+/g, '-'))}">${escapeHtml(t)}</a>`)
    .join(' · ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>jd-account API reference</title>
<style>${STYLE}</style></head>
<body><h1>jd-account API reference</h1><p>${escapeHtml(doc.info.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). ${toc}</p>${sections}</body></html>`;
}

/** The servers' URL is PUBLIC_URL where set (always in production), not the request's Host: the answers are cached publicly. */
export function openApiRoutes(deps: Pick<ServiceDeps, 'config'>) {
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(openApiDocument(publicOrigin(c, deps)));
    })
    .get('/docs/api', (c) => {
      c.header('cache-control', 'public, max-age=300');
      return htmlPage(c, referencePage(openApiDocument(publicOrigin(c, deps))), { styles: [STYLE] });
    });
}
