/**
 * Start-up pieces shared by the entry points: `npm start` on Node (main.ts) and on Bun
 * (main.bun.ts), `npm run worker` (worker.ts) and the CLIs. Runs where there is a file system
 * and a process (Node, Bun); an edge build wires createApp itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createApp, type AppParts } from './app.ts';
import { loadConfig, outboxLeaseMs, type AppConfig } from './config.ts';
import type { Db } from './db/create.ts';
import { lockDataDir, openDatabase } from './open-database.ts';
import { OutboxWorker } from './delivery/outbox.ts';
import { createSenderResolver } from './delivery/providers.ts';
import { senderFactories } from './delivery/factories.ts';
import { nodeDeps } from './deps.node.ts';
import { eraseClosedAccounts } from './services/account-closing.ts';
import type { ServiceDeps } from './services/deps.ts';
import { silentLogger, type Logger } from './log.ts';
import { captchaPublic } from './captcha/config.ts';
import { configureTenant, createTenant, findTenantBySlug, TenantDirectory, type Tenant } from './services/tenants.ts';
import { deleteExpiredFlows } from './db/federation.ts';
import { SOURCE_HASH_FILE, widgetSourceHash } from '../../widget/source-hash.ts';

export const root = resolve(import.meta.dirname, '../..');

/** The source hash the widget bundle was built from (widget/source-hash.ts), or '' before any build. */
const builtFrom = (stamp: string) => (existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '');

/**
 * The bundle is rebuilt when its sources changed since the last build (their hash, stamped by the
 * build), so it never goes stale and an unchanged tree starts without esbuild. SKIP_WIDGET_BUILD=1
 * builds only when there is no bundle at all. Returns the bundle's path.
 */
export async function ensureWidgetBuilt(env = process.env): Promise<string> {
  const widgetFile = resolve(root, 'dist/jd-account.js');
  if (
    !existsSync(widgetFile) ||
    (env.SKIP_WIDGET_BUILD !== '1' && builtFrom(resolve(root, SOURCE_HASH_FILE)) !== widgetSourceHash(root))
  ) {
    const { buildWidget } = await import('../../widget/build.ts');
    await buildWidget({ quiet: true });
  }
  return widgetFile;
}

// the CLIs import these from open-database.ts directly: no app, routes or widget build to load
export { lockDataDir, openDatabase };

export function createOutboxWorker(
  db: Db,
  config: AppConfig,
  env = process.env,
  log: Logger = silentLogger,
): OutboxWorker {
  return new OutboxWorker({
    db,
    now: () => new Date(),
    resolveSender: createSenderResolver({
      db,
      env,
      dev: config.dev,
      factories: senderFactories,
      secret: config.secret,
    }),
    keepBodies: config.dev,
    leaseMs: outboxLeaseMs(env),
    log: (msg, fields) => log.warn(msg, fields),
  });
}

/** How often the server erases accounts whose closing is due (docs/product.md#24-closing-an-account). */
export const CLOSED_ACCOUNT_SWEEP_MS = 60_000;

/**
 * Erases accounts whose closing is due, every minute, in the background (unref'd: it never keeps
 * the process alive). Several processes may run it: each account is erased under its row lock,
 * and a row another process holds is skipped. Returns the function that stops it.
 */
export function startClosedAccountSweep(deps: ServiceDeps, log: Logger, everyMs = CLOSED_ACCOUNT_SWEEP_MS) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    Promise.all([eraseClosedAccounts(deps, deps.clock.now()), deleteExpiredFlows(deps.db, deps.clock.now())])
      .catch((err: unknown) =>
        log.warn('closed-account sweep failed', { error: err instanceof Error ? err.name : 'error' }),
      )
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Starts the demo upstream on DEMO_UPSTREAM_PORT (default: any free port) and points the demo
 * tenant's "demo-jd" provider at it. oidc-provider is a development dependency: without it (a
 * production install) the demo simply has no upstream.
 */
async function startDemoJd(db: Db, config: AppConfig, demo: Tenant, port: number, env: NodeJS.ProcessEnv, log: Logger) {
  const module = await import('../../demo/upstream/provider.ts').catch(() => undefined);
  if (!module) {
    log.warn('demo upstream not started: oidc-provider is not installed');
    return undefined;
  }
  const clientSecret = 'demo-jd-client-secret';
  const callbacks = ['localhost', '127.0.0.1'].map((h) => `http://${h}:${port}/v1/federation/demo-jd/callback`);
  // any free port by default: two BFFs started side by side (the e2e tests) must not collide
  const upstreamPort = Number(env.DEMO_UPSTREAM_PORT ?? 0);
  try {
    const upstream = await module.startDemoUpstream({
      port: upstreamPort,
      clients: [{ clientId: 'jd-account-demo', clientSecret, redirectUris: callbacks }],
    });
    const tenant = await configureTenant(
      db,
      demo,
      {
        federation: {
          providers: {
            'demo-jd': {
              kind: 'oidc',
              displayName: { 'zh-CN': '演示京东', en: 'Demo JD' },
              issuer: upstream.issuer,
              clientId: 'jd-account-demo',
              clientSecret,
            },
          },
        },
      },
      { secret: config.secret },
    );
    log.info(`demo upstream (Demo JD): ${upstream.issuer}`);
    return { tenant, close: () => upstream.close() };
  } catch (err) {
    log.warn('demo upstream not started', { port: upstreamPort, error: err instanceof Error ? err.message : 'error' });
    return undefined;
  }
}

export interface BffOptions {
  /** the port the entry point will listen on (the demo tenant allows it as an origin) */
  port: number;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** how this runtime tells the peer's address (Node's or Bun's getConnInfo) */
  remoteAddress?: AppParts['remoteAddress'];
}

/**
 * Everything `npm start` does before it listens, whatever the runtime: config → database →
 * migrations → demo tenant → widget bundle → outbox worker → app. The entry point then serves
 * `app.fetch` with its runtime's server, calls announce(), and stop() on SIGINT/SIGTERM.
 */
export async function prepareBff({ port, log, env = process.env, remoteAddress }: BffOptions) {
  const config = loadConfig(env);
  const { db, description } = await openDatabase(env, log);

  // Development only: production creates no demo tenant and serves no demo page or key
  // (docs/security.md#production-what-the-operator-must-set).
  let demo: Tenant | undefined;
  if (config.dev) {
    demo = await findTenantBySlug(db, 'demo');
    if (!demo) {
      try {
        demo = await createTenant(db, {
          slug: 'demo',
          displayName: 'JD Account Demo',
          origins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
        });
        log.info('created the demo tenant', { tenant: demo.slug });
      } catch (err) {
        // replicas starting together on one database (npm run cluster:up): one of them creates it
        demo = await findTenantBySlug(db, 'demo');
        if (!demo) throw err;
      }
    }
  }

  // Development: a local OpenID provider ("Demo JD", demo/upstream/provider.ts) as the demo
  // tenant's upstream, so "Log in with Demo JD" works on the demo page (DEMO_UPSTREAM=off: none).
  const upstream =
    demo && env.DEMO_UPSTREAM !== 'off' ? await startDemoJd(db, config, demo, port, env, log) : undefined;
  if (upstream) demo = upstream.tenant;

  const widgetFile = await ensureWidgetBuilt(env);
  const widgetJs = readFileSync(widgetFile, 'utf8');
  const demoHtml =
    demo &&
    readFileSync(resolve(root, 'demo/static/index.html'), 'utf8').replaceAll('%PUBLISHABLE_KEY%', demo.publishableKey);

  // The outbox worker runs in this process unless OUTBOX_WORKER=0 (then run `npm run worker` beside it).
  const worker = createOutboxWorker(db, config, env, log);
  const inProcessWorker = env.OUTBOX_WORKER !== '0';
  if (inProcessWorker) worker.start();
  const deps = nodeDeps(db, config, { log, onEnqueued: () => (inProcessWorker ? void worker.kick() : undefined) });
  const tenants = new TenantDirectory(db, config.tenantCacheSeconds * 1000);
  const app = createApp({
    deps,
    tenants,
    assets: {
      widgetJs: () => Promise.resolve(widgetJs),
      // every file of the build (entries and chunks); the route admits bare file names only (routes/static.ts)
      widgetFile: (name: string) => readFile(resolve(root, 'dist', name)).catch(() => undefined),
      ...(demoHtml ? { demoHtml: () => Promise.resolve(demoHtml) } : {}),
      ...(demo
        ? {
            demoCaptcha: async () =>
              captchaPublic(
                (await tenants.byPublishableKey(demo.publishableKey))?.config.captcha,
                config.captcha?.scripts,
              ),
          }
        : {}),
    },
    remoteAddress,
  });
  const demoKey = demo?.publishableKey;
  const stopSweep = startClosedAccountSweep(deps, log);

  return {
    app,
    config,
    db,
    /** the start-up lines, once the server listens (tests and tools wait for "listening on") */
    announce(host: string, listeningPort: number) {
      const shown = host === '127.0.0.1' ? 'localhost' : host;
      log.info(`jd-account listening on http://${shown}:${listeningPort}/`, { port: listeningPort });
      log.info(`database: ${description}; outbox worker: ${inProcessWorker ? 'in process' : 'off (OUTBOX_WORKER=0)'}`);
      if (demoKey) log.info(`demo tenant publishable key: ${demoKey}`);
      if (config.dev) log.info(`dev outbox: http://localhost:${listeningPort}/dev (JSON: /dev/outbox)`);
      else log.info(`public URL: ${config.publicUrl}`);
    },
    /** stops the worker and closes the database, bounded: a pool still draining keep-alive work must not keep the process from stopping */
    async stop() {
      const deadline = new Promise((r) => setTimeout(r, 3000).unref());
      stopSweep();
      await upstream?.close().catch(() => {});
      await Promise.race([Promise.all([worker.stop(), db.destroy()]).catch(() => {}), deadline]);
    },
  };
}
