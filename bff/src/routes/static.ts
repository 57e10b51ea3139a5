import { Hono } from 'hono';
import { html } from 'hono/html';
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import type { AppEnv } from '../http/context.ts';
import { htmlPage, type PagePolicy } from '../http/security-headers.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { captchaCspSources, type CaptchaPublic } from '../../../shared/src/captcha.ts';

/** Files the BFF serves, read by the entry point (this module does no I/O, so it runs on edge runtimes). */
export interface StaticAssets {
  /**
   * A file of the widget's build (dist/: the entries jd-account.js, jd-login.js, … and their
   * chunks), by bare file name (already checked against WIDGET_FILE); undefined when absent.
   */
  widgetFile?: (name: string) => Promise<string | Uint8Array | undefined>;
  /** dist/jd-account.js alone, for a runtime without widgetFile (it cannot load its chunks: prefer widgetFile) */
  widgetJs?: () => Promise<string | undefined>;
  /** the demo page, already filled with the demo tenant's publishable key (development only) */
  demoHtml?: () => Promise<string | undefined>;
  /** the demo tenant's captcha as its widgets read it, for the demo page's policy (none: nothing to allow) */
  demoCaptcha?: () => Promise<CaptchaPublic | undefined>;
}

/**
 * The texts of a page's inline <script> (without src) and <style> elements, as the browser's
 * parser sees them (newlines normalised), to hash into its policy. Only for the demo page: the
 * repository's own file with the demo key filled in, so every inline script in it is ours.
 */
export function inlineBlocks(page: string): { scripts: string[]; styles: string[] } {
  const texts = (tag: string) =>
    [...page.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'gi'))]
      .filter((m) => !/\ssrc\s*=/i.test(m[1] ?? ''))
      .map((m) => m[2].replace(/\r\n?/g, '\n'));
  return { scripts: texts('script'), styles: texts('style') };
}

/**
 * The demo page runs its two inline scripts and the widget bundle from the BFF, and talks to the
 * BFF; with a captcha, exactly its provider's browser side too (and no other provider's).
 */
function demoPolicy(page: string, captcha: CaptchaPublic | undefined): PagePolicy {
  // the demo tenant allows this server's own origins only (boot.ts), so it frames in them only
  return {
    ...inlineBlocks(page),
    selfScripts: true,
    app: true,
    frameAncestors: 'self',
    ...(captcha ? { captcha: captchaCspSources(captcha) } : {}),
  };
}

/**
 * The names /widget/* serves: a bare file name of the build (no directory, no `..`, no leading
 * dot), a script or its source map. Anything else is 404 without asking for the file.
 */
export const WIDGET_FILE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.js(?:\.map)?$/;
/** esbuild's content-hashed chunk names (widget/build.ts chunkNames `[name]-[hash]`): never change, cached for good */
const HASHED = /-[A-Z0-9]{8}\.js(?:\.map)?$/;

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
export function staticRoutes(assets: StaticAssets, deps: Pick<ServiceDeps, 'db' | 'log' | 'config'>) {
  let policyOf: { page: string; captcha: string; policy: PagePolicy } | undefined;
  return (
    new Hono<AppEnv>()
      .get('/healthz', (c) => c.text('ok'))
      .get('/readyz', async (c) => {
        c.header('cache-control', 'no-store');
        const problem = await databaseProblem(deps.db, READY_TIMEOUT_MS);
        if (problem === undefined) return c.json({ status: 'ready' }, 200);
        deps.log.warn('not ready: the database did not answer', { requestId: c.get('requestId'), reason: problem });
        return c.json({ status: 'unavailable' }, 503);
      })
      .get('/widget/:name', async (c) => {
        const name = c.req.param('name');
        if (!WIDGET_FILE.test(name)) return c.notFound();
        const body = assets.widgetFile
          ? await assets.widgetFile(name)
          : name === 'jd-account.js'
            ? await assets.widgetJs?.()
            : undefined;
        if (body === undefined) return c.notFound();
        // Embeddable from any site: loosen CORP/CORS for these public files (the entries import
        // their chunks cross-origin, as modules, so CORS is required).
        c.header(
          'content-type',
          name.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8',
        );
        c.header('access-control-allow-origin', '*');
        c.header('cross-origin-resource-policy', 'cross-origin');
        // entries keep their names across releases (embeds point at them): revalidated after 5 minutes
        c.header('cache-control', HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
        return c.body(typeof body === 'string' ? body : new Uint8Array(body));
      })
      .get('/', async (c) => {
        // docs/security.md#production-what-the-operator-must-set: no demo tenant, no demo page and no key on a production server
        if (!deps.config.dev) return c.notFound();
        const page = await assets.demoHtml?.();
        if (page === undefined) return c.text('jd-account BFF', 200);
        const captcha = await assets.demoCaptcha?.();
        const captchaKey = JSON.stringify(captcha ?? null);
        if (policyOf?.page !== page || policyOf.captcha !== captchaKey)
          policyOf = { page, captcha: captchaKey, policy: demoPolicy(page, captcha) };
        return htmlPage(c, page, policyOf.policy);
      })
      // the default agreements' URLs (shared/src/tenant.ts); the name is escaped although the route only matches [a-z-]
      .get('/legal/:doc{[a-z-]+}', (c) =>
        htmlPage(
          c,
          html`<!doctype html><meta charset="utf-8" /><title>${c.req.param('doc')}</title>
          <p>Placeholder for the tenant's <b>${c.req.param('doc')}</b> agreement. Tenants set their own titles, URLs and versions.</p>`,
          {},
        ),
      )
  );
}
