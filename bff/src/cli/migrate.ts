/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite dir. */
import { openDatabase } from '../open-database.ts';

// openDatabase migrates (and takes the PGlite lock) and says what it applied
const { db, description } = await openDatabase();
console.log(`${description}: up to date`);
await db.destroy();
