import { Hono } from 'hono';
import { escapeHtml } from '../delivery/templates.ts';
import { publicOrigin, type AppEnv } from '../http/context.ts';
import { htmlPage } from '../http/security-headers.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { authOf, type Auth } from './define.ts';
import { openApiDocument, type OpenApiDocument } from './document.ts';

/** The reference page's one style block: its hash goes into the page's policy. */
const STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2329}h3{font-size:1rem;margin:1.25rem 0 .25rem}.m{display:inline-block;min-width:4.5em;font-weight:700;color:#1a5fb4}.meta{color:#5c6370;font-size:.875em;margin:0}pre{background:#f5f6f7;padding:.75rem;overflow:auto;font-size:.8125rem}section{border-top:1px solid #e3e5e8}';

const AUTH_LABEL: Record<Auth, string> = {
  publishable: 'publishable key',
  session: 'session',
  pending: 'session (also while the MFA step is due)',
  admin: 'secret key',
  none: 'none',
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const anchor = (text: string) => escapeHtml(text.toLowerCase().replace(/\W+/g, '-'));
const json = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

/** The API reference, as a page: generated from the same document as /openapi.json, no script, no CDN. */
function referencePage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const body =
        op.requestBody && 'content' in op.requestBody ? op.requestBody.content['application/json']?.schema : undefined;
      const query = (op.parameters ?? [])
        .flatMap((p) => ('in' in p && p.in === 'query' ? [`<code>${escapeHtml(p.name)}</code>`] : []))
        .join(' ');
      const answers = Object.entries(op.responses ?? {})
        .filter(([status]) => status.startsWith('2'))
        .map(([status, answer]: [string, { description?: string; content?: Record<string, { schema?: unknown }> }]) => {
          const schema = answer.content?.['application/json']?.schema;
          const text = `${status} ${escapeHtml(answer.description ?? '')}`;
          return schema
            ? `<details><summary>Answer ${text}</summary>${json(schema)}</details>`
            : `<p>Answer ${text}</p>`;
        })
        .join('');
      const tag = op.tags?.[0] ?? '';
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(
        `<section><h3><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3><p>${escapeHtml(op.summary ?? '')}</p><p class="meta">Auth: ${AUTH_LABEL[authOf(op)]}${query ? ` · Query: ${query}` : ''}</p>${body ? `<details><summary>Request body</summary>${json(body)}</details>` : ''}${answers}</section>`,
      );
    }
  }
  const sections = [...byTag]
    .filter(([, ops]) => ops.length > 0)
    .map(([tag, ops]) => `<h2 id="${anchor(tag)}">${escapeHtml(tag)}</h2>${ops.join('')}`)
    .join('');
  const schemas = Object.entries(doc.components.schemas ?? {})
    .map(
      ([name, schema]) =>
        `<section><h3 id="${anchor(`schema-${name}`)}">${escapeHtml(name)}</h3>${json(schema)}</section>`,
    )
    .join('');
  const toc = [...byTag]
    .filter(([, ops]) => ops.length > 0)
    .map(([tag]) => `<a href="#${anchor(tag)}">${escapeHtml(tag)}</a>`)
    .join(' · ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>jd-account API reference</title>
<style>${STYLE}</style></head>
<body><h1>jd-account API reference</h1><p>${escapeHtml(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). ${toc} · <a href="#schemas">Schemas</a></p>${sections}<h2 id="schemas">Schemas</h2><p>What <code>#/components/schemas/…</code> refers to.</p>${schemas}</body></html>`;
}

/**
 * /openapi.json and /docs/api, from the routes `documented` registered (createApp's app, read at
 * request time: after every group is mounted). The servers' URL is PUBLIC_URL where set (always
 * in production), not the request's Host: the answers are cached publicly.
 */
export function openApiRoutes(deps: Pick<ServiceDeps, 'config'>, documented: Parameters<typeof openApiDocument>[0]) {
  // generated once per origin (one in production; development answers on the names of this machine)
  const cache = new Map<string, { doc: OpenApiDocument; page?: string }>();
  const generated = (origin: string) => {
    let entry = cache.get(origin);
    if (!entry) {
      entry = { doc: openApiDocument(documented, origin) };
      cache.set(origin, entry);
    }
    return entry;
  };
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(generated(publicOrigin(c, deps)).doc);
    })
    .get('/docs/api', (c) => {
      c.header('cache-control', 'public, max-age=300');
      const entry = generated(publicOrigin(c, deps));
      entry.page ??= referencePage(entry.doc);
      return htmlPage(c, entry.page, { styles: [STYLE] });
    });
}
