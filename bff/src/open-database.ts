/**
 * Opening the database as every entry point does (`npm start`, `npm run worker`, the CLIs):
 * PGlite's data-directory lock, then Postgres or PGlite, migrated. Kept apart from boot.ts so
 * `npm run tenant` and `npm run migrate` load the database layer only, not the app, its routes
 * and the widget build (docs/benchmarks.md#cold-start).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { databasePooler, databaseTimeouts } from './config.ts';
import { createDb, migrateToLatest, type Db } from './db/create.ts';
import type { Logger } from './log.ts';

const root = resolve(import.meta.dirname, '../..');

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
export function lockDataDir(dir: string, fail: (line: string) => void = (line) => console.error(line)) {
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
        fail(`Another jd-account process (pid ${pid}) is using ${dir}. Stop it, or set PGLITE_DIR or DATABASE_URL.`);
        process.exit(1);
      }
      rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dir}`);
}

/**
 * DATABASE_URL → Postgres; else PGlite under PGLITE_DIR (default ./.data/pglite). Migrated.
 * `log`: the servers' Logger, or a plain line writer (the CLIs keep their output readable).
 */
export async function openDatabase(
  env = process.env,
  log: Logger | ((line: string) => void) = (line) => console.log(line),
): Promise<{ db: Db; description: string }> {
  const info = typeof log === 'function' ? log : (line: string) => log.info(line);
  const fail = typeof log === 'function' ? log : (line: string) => log.error(line);
  const url = env.DATABASE_URL;
  const pgliteDir = url ? undefined : resolve(root, env.PGLITE_DIR ?? '.data/pglite');
  if (pgliteDir) lockDataDir(pgliteDir, fail);
  const db = createDb({ url, pgliteDir, timeouts: databaseTimeouts(env), pooler: databasePooler(env) });
  const applied = await migrateToLatest(db);
  if (applied.length) info(`migrations applied: ${applied.join(', ')}`);
  return { db, description: url ? 'PostgreSQL (DATABASE_URL)' : `PGlite at ${pgliteDir}` };
}
