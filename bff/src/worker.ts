/**
 * `npm run worker`: the outbox worker on its own, for deployments that separate it from the
 * BFF (start those with OUTBOX_WORKER=0). Running beside a live BFF needs Postgres
 * (DATABASE_URL): an embedded PGlite directory belongs to one process at a time, so on PGlite
 * `--once` only drains what a stopped BFF left behind.
 */
import { loadConfig } from './config.ts';
import { createOutboxWorker, openDatabase } from './boot.ts';
import { installLifecycle } from './lifecycle.ts';
import { loggerFromEnv } from './log.ts';

const log = loggerFromEnv(process.env);
const config = loadConfig();
const { db, description } = await openDatabase(process.env, log);
const worker = createOutboxWorker(db, config, process.env, log);
const once = process.argv.includes('--once');
if (once) {
  const n = await worker.kick();
  log.info(`outbox worker: ${n} message(s) handled`, { handled: n });
  await db.destroy();
} else {
  worker.start(Number(process.env.OUTBOX_POLL_MS ?? 1000));
  log.info(`outbox worker running on ${description}`);
  // SIGTERM/SIGINT, and the last resort on an error nothing caught (docs/operating.md "Supervision")
  installLifecycle(log, { stopAccepting: () => worker.stop(), release: () => db.destroy() });
}
