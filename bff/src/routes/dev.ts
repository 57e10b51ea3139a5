import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { AppEnv } from '../http/context.ts';
import { htmlPage } from '../http/security-headers.ts';
import { devOutboxRecipient, readDevOutbox } from '../delivery/outbox.ts';
import type { ServiceDeps } from '../services/deps.ts';

/** The page's one style block: its hash goes into the page's policy. */
const STYLE = `
  body { font: 14px system-ui, sans-serif; margin: 2rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { border-bottom: 1px solid #ddd; padding: 0.4rem; text-align: left; vertical-align: top; }
  code { font-size: 1.1em; font-weight: 600; }
`;

/** Development only: the outbox as JSON and as a small page. Never mounted when NODE_ENV=production. */
export function devRoutes(deps: ServiceDeps) {
  return new Hono<AppEnv>()
    .get('/outbox', async (c) => {
      const to = devOutboxRecipient(c.req.query('to'));
      const limit = Math.min(Number(c.req.query('limit') ?? 50) || 50, 500);
      return c.json(await readDevOutbox(deps.db, { ...(to ? { to } : {}), limit }));
    })
    .get('/', async (c) => {
      const rows = await readDevOutbox(deps.db, { limit: 100 });
      return htmlPage(
        c,
        html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>jd-account dev outbox</title>
            <meta http-equiv="refresh" content="5" />
            <style>${raw(STYLE)}</style>
          </head>
          <body>
            <h1>Dev outbox</h1>
            <p>Every message the BFF would send, newest first (refreshes every 5 s). JSON: <a href="/dev/outbox">/dev/outbox</a></p>
            <table>
              <thead><tr><th>time</th><th>channel</th><th>to</th><th>purpose</th><th>code / link</th><th>text</th></tr></thead>
              <tbody>
                ${rows.map(
                  (r) => html`<tr>
                    <td>${r.createdAt}</td><td>${r.channel}</td><td>${r.to}</td><td>${r.purpose}</td>
                    <td>${r.code ? html`<code>${r.code}</code>` : r.link ? html`<a href="${r.link}">${r.link}</a>` : ''}</td>
                    <td>${r.text}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </body>
        </html>`,
        { styles: [STYLE] },
      );
    });
}
