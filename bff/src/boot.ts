/** Node start-up pieces shared by `npm start` (main.ts) and `npm run worker` (worker.ts). */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig } from './config.ts';
import { createDb, migrateToLatest, type Db } from './db/create.ts';
import { OutboxWorker } from './delivery/outbox.ts';
import { createSenderResolver } from './delivery/providers.ts';
import { senderFactories } from './delivery/factories.ts';

export const root = resolve(import.meta.dirname, '../..');

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * PGlite has no lock of its own: two processes on one data dir would corrupt it. The lock file
 * is created exclusively; a lock left by a process that died is taken over.
 */
export function lockDataDir(dir: string) {
  mkdirSync(dir, { recursive: true });
  const lock = `${dir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      process.on('exit', () => rmSync(lock, { force: true }));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lock, 'utf8'));
      if (pid && pid !== process.pid && pidAlive(pid)) {
        console.error(`Another jd-account process (pid ${pid}) is using ${dir}. Stop it, or set PGLITE_DIR or DATABASE_URL.`);
        process.exit(1);
      }
      rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dir}`);
}

/** DATABASE_URL → Postgres; else PGlite under PGLITE_DIR (default ./.data/pglite). Migrated. */
export async function openDatabase(env = process.env, log: (line: string) => void = console.log): Promise<{ db: Db; description: string }> {
  const url = env.DATABASE_URL;
  const pgliteDir = url ? undefined : resolve(root, env.PGLITE_DIR ?? '.data/pglite');
  if (pgliteDir) lockDataDir(pgliteDir);
  const db = createDb({ url, pgliteDir });
  const applied = await migrateToLatest(db);
  if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
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
