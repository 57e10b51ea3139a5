/** Node start-up pieces shared by `npm start` (main.ts) and `npm run worker` (worker.ts). */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig } from './config.ts';
import { createDb, migrateToLatest, type Db } from './db/create.ts';
import { OutboxWorker } from './delivery/outbox.ts';
import { createSenderResolver } from './delivery/providers.ts';
import { senderFactories } from './delivery/factories.ts';

export const root = resolve(import.meta.dirname, '../..');

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

/** DATABASE_URL → Postgres; else PGlite under PGLITE_DIR (default ./.data/pglite). Migrated. */
export async function openDatabase(env = process.env): Promise<{ db: Db; description: string }> {
  const url = env.DATABASE_URL;
  const pgliteDir = url ? undefined : resolve(root, env.PGLITE_DIR ?? '.data/pglite');
  if (pgliteDir) lockDataDir(pgliteDir);
  const db = createDb({ url, pgliteDir });
  const applied = await migrateToLatest(db);
  if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
  return { db, description: url ? 'PostgreSQL (DATABASE_URL)' : `PGlite at ${pgliteDir}` };
}

export function createOutboxWorker(db: Db, config: AppConfig, env = process.env): OutboxWorker {
  return new OutboxWorker({
    db,
    now: () => new Date(),
    resolveSender: createSenderResolver({ db, env, dev: config.dev, factories: senderFactories }),
    keepBodies: config.dev,
    log: (m) => console.warn(m),
  });
}
