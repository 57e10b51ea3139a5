/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite dir. */
import { resolve } from 'node:path';
import { createDb, migrateToLatest } from '../db/create.ts';

const url = process.env.DATABASE_URL;
const dir = url ? undefined : resolve(import.meta.dirname, '../../..', process.env.PGLITE_DIR ?? '.data/pglite');
const db = createDb({ url, pgliteDir: dir });
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
} finally {
  await db.destroy();
}
