import { Hono } from 'hono';
import type { AppEnv } from '../http/context.ts';

/** Files the BFF serves, read by the entry point (this module does no I/O, so it runs on edge runtimes). */
export interface StaticAssets {
  /** the standalone widget bundle, served to any site */
  widgetJs?: () => Promise<string | undefined>;
  /** the demo page, already filled with the demo tenant's publishable key */
  demoHtml?: () => Promise<string | undefined>;
}

export function staticRoutes(assets: StaticAssets) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.text('ok'))
    .get('/widget/jd-account.js', async (c) => {
      const js = await assets.widgetJs?.();
      if (js === undefined) return c.notFound();
      // Embeddable from any site: loosen CORP/CORS for this one public file.
      c.header('content-type', 'text/javascript; charset=utf-8');
      c.header('access-control-allow-origin', '*');
      c.header('cross-origin-resource-policy', 'cross-origin');
      c.header('cache-control', 'public, max-age=300');
      return c.body(js);
    })
    .get('/', async (c) => {
      const page = await assets.demoHtml?.();
      if (page === undefined) return c.text('jd-account BFF', 200);
      return c.html(page);
    })
    .get('/legal/:doc{[a-z-]+}', (c) =>
      c.html(
        `<!doctype html><meta charset="utf-8"><title>${c.req.param('doc')}</title>` +
          `<p>Placeholder for the tenant's <b>${c.req.param('doc')}</b> agreement. Tenants set their own titles, URLs and versions.</p>`,
      ),
    );
}
