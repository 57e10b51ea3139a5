/**
 * Node entry: config → database → migrations → demo tenant → widget bundle → app → serve.
 * `npm start` runs this on embedded PGlite (./.data/pglite) unless DATABASE_URL is set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createOutboxWorker, openDatabase, root } from './boot.ts';
import { nodeDeps } from './deps.node.ts';
import { createTenant, findTenantBySlug, TenantDirectory } from './services/tenants.ts';

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const config = loadConfig();
const { db, description } = await openDatabase();

let demo = await findTenantBySlug(db, 'demo');
if (!demo) {
  demo = await createTenant(db, {
    slug: 'demo',
    displayName: 'JD Account Demo',
    origins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
  });
  console.log('created the demo tenant');
}

// The bundle is rebuilt at every start (esbuild takes well under a second), so it never goes stale.
const widgetFile = resolve(root, 'dist/jd-account.js');
if (process.env.SKIP_WIDGET_BUILD !== '1' || !existsSync(widgetFile)) {
  const { buildWidget } = await import('../../widget/build.ts');
  await buildWidget({ quiet: true });
}
const widgetJs = readFileSync(widgetFile, 'utf8');
const demoTemplate = readFileSync(resolve(root, 'demo/static/index.html'), 'utf8');
const demoHtml = demoTemplate.replaceAll('%PUBLISHABLE_KEY%', demo.publishableKey);

// The outbox worker runs in this process unless OUTBOX_WORKER=0 (then run `npm run worker` beside it).
const worker = createOutboxWorker(db, config);
const inProcessWorker = process.env.OUTBOX_WORKER !== '0';
if (inProcessWorker) worker.start();
const deps = nodeDeps(db, config, { onEnqueued: () => (inProcessWorker ? void worker.kick() : undefined) });
const app = createApp({
  deps,
  tenants: new TenantDirectory(db, config.tenantCacheSeconds * 1000),
  assets: {
    widgetJs: async () => widgetJs,
    demoHtml: async () => demoHtml,
  },
  remoteAddress: (c) => getConnInfo(c).remote.address,
});

const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
  console.log(`jd-account listening on http://${host === '127.0.0.1' ? 'localhost' : host}:${info.port}/`);
  console.log(`database: ${description}; outbox worker: ${inProcessWorker ? 'in process' : 'off (OUTBOX_WORKER=0)'}`);
  console.log(`demo tenant publishable key: ${demo.publishableKey}`);
  if (config.dev) console.log(`dev outbox: http://localhost:${info.port}/dev (JSON: /dev/outbox)`);
});

async function shutdown() {
  server.close();
  // bounded: a pool still draining keep-alive work must not keep the process from stopping
  const deadline = new Promise((r) => setTimeout(r, 3000).unref());
  await Promise.race([Promise.all([worker.stop(), db.destroy()]).catch(() => {}), deadline]);
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
