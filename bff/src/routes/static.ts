import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import type { AppEnv } from '../http/context.ts';
import type { ServiceDeps } from '../services/deps.ts';

/** Files the BFF serves, read by the entry point (this module does no I/O, so it runs on edge runtimes). */
export interface StaticAssets {
  /** the standalone widget bundle, served to any site */
  widgetJs?: () => Promise<string | undefined>;
  /** the demo page, already filled with the demo tenant's publishable key */
  demoHtml?: () => Promise<string | undefined>;
}

/** How long /readyz waits for the database: a load balancer's probe must get an answer, not hang. */
const READY_TIMEOUT_MS = 1000;

/** Why the database did not answer `select 1` in time, or undefined when it did. */
async function databaseProblem(db: Db, timeoutMs: number): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const ping = sql`select 1 as ok`.execute(db).then(
    () => undefined,
    // the name only: a driver's message may quote connection details
    (err: unknown) => (err instanceof Error ? err.name : 'error'),
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process answers (liveness: restart it if not). /readyz: it can serve, i.e. its
 * database answers (readiness: send it traffic only then).
 */
export function staticRoutes(assets: StaticAssets, deps: Pick<ServiceDeps, 'db' | 'log'>) {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => c.text('ok'))
    .get('/readyz', async (c) => {
      c.header('cache-control', 'no-store');
      const problem = await databaseProblem(deps.db, READY_TIMEOUT_MS);
      if (problem === undefined) return c.json({ status: 'ready' }, 200);
      deps.log.warn('not ready: the database did not answer', { requestId: c.get('requestId'), reason: problem });
      return c.json({ status: 'unavailable' }, 503);
    })
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
