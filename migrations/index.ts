import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_init.ts';
import * as m0002 from './0002_delivery.ts';
import * as m0003 from './0003_security.ts';
import * as m0004 from './0004_mfa.ts';
import * as m0005 from './0005_sub_users.ts';
import * as m0006 from './0006_mfa_recovery.ts';

/** Every migration, in order. Imported statically so the migrator runs on edge runtimes too. */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_delivery': m0002,
  '0003_security': m0003,
  '0004_mfa': m0004,
  '0005_sub_users': m0005,
  '0006_mfa_recovery': m0006,
};
