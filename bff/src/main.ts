/**
 * Node entry: config → database → migrations → demo tenant → widget bundle → app → serve.
 * `npm start` runs this on embedded PGlite (./.data/pglite) unless DATABASE_URL is set.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createDb, migrateToLatest } from './db/create.ts';
import { nodeDeps } from './deps.node.ts';
import { createTenant, findTenantBySlug, TenantDirectory } from './services/tenants.ts';

const root = resolve(import.meta.dirname, '../..');
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const config = loadConfig();
const url = process.env.DATABASE_URL;

/** PGlite has no lock of its own: two processes on one data dir would corrupt it. */
function lockDataDir(dir: string) {
  mkdirSync(dir, { recursive: true });
  const lock = `${dir}.lock`;
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {}
    if (alive) {
      console.error(`Another jd-account process (pid ${pid}) is using ${dir}. Stop it, or set PGLITE_DIR or DATABASE_URL.`);
      process.exit(1);
    }
  }
  writeFileSync(lock, String(process.pid));
  process.on('exit', () => rmSync(lock, { force: true }));
}

const pgliteDir = url ? undefined : resolve(root, process.env.PGLITE_DIR ?? '.data/pglite');
if (pgliteDir) lockDataDir(pgliteDir);
const db = createDb({ url, pgliteDir });
const applied = await migrateToLatest(db);
if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);

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

const deps = nodeDeps(db, config);
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
  console.log(`database: ${url ? 'PostgreSQL (DATABASE_URL)' : `PGlite at ${pgliteDir}`}`);
  console.log(`demo tenant publishable key: ${demo.publishableKey}`);
  if (config.dev) console.log(`dev outbox: http://localhost:${info.port}/dev (JSON: /dev/outbox)`);
});

async function shutdown() {
  server.close();
  await db.destroy().catch(() => {});
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
