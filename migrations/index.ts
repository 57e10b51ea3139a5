import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_init.ts';

/** Every migration, in order. Imported statically so the migrator runs on edge runtimes too. */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
};
