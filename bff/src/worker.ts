/**
 * `npm run worker`: the outbox worker on its own, for deployments that separate it from the
 * BFF (start those with OUTBOX_WORKER=0). Running beside a live BFF needs Postgres
 * (DATABASE_URL): an embedded PGlite directory belongs to one process at a time, so on PGlite
 * `--once` only drains what a stopped BFF left behind.
 */
import { loadConfig } from './config.ts';
import { createOutboxWorker, openDatabase } from './boot.ts';

const config = loadConfig();
const { db, description } = await openDatabase();
const worker = createOutboxWorker(db, config);
const once = process.argv.includes('--once');
if (once) {
  const n = await worker.kick();
  console.log(`outbox worker: ${n} message(s) handled`);
  await db.destroy();
} else {
  worker.start(Number(process.env.OUTBOX_POLL_MS ?? 1000));
  console.log(`outbox worker running on ${description}`);
  const stop = async () => {
    await worker.stop();
    await db.destroy().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
