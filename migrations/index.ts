import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_init.ts';
import * as m0002 from './0002_delivery.ts';
import * as m0003 from './0003_security.ts';
import * as m0004 from './0004_mfa.ts';
import * as m0005 from './0005_sub_users.ts';
import * as m0006 from './0006_mfa_recovery.ts';
import * as m0007 from './0007_sub_user_mfa.ts';
import * as m0008 from './0008_signing_keys.ts';
import * as m0009 from './0009_admin.ts';
import * as m0010 from './0010_audit_failures_index.ts';
import * as m0011 from './0011_attempt_counters.ts';
import * as m0012 from './0012_account_name_confusables.ts';
import * as m0013 from './0013_verified_contact_uniqueness.ts';
import * as m0014 from './0014_idempotency_keys.ts';
import * as m0015 from './0015_account_locale.ts';
import * as m0016 from './0016_account_closing.ts';
import * as m0017 from './0017_security_phone_applications.ts';
import * as m0018 from './0018_federation.ts';
import * as m0019 from './0019_abuse_protection.ts';
import * as m0020 from './0020_tenant_keys.ts';

/** Every migration, in order. Imported statically so the migrator runs on edge runtimes too. */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_delivery': m0002,
  '0003_security': m0003,
  '0004_mfa': m0004,
  '0005_sub_users': m0005,
  '0006_mfa_recovery': m0006,
  '0007_sub_user_mfa': m0007,
  '0008_signing_keys': m0008,
  '0009_admin': m0009,
  '0010_audit_failures_index': m0010,
  '0011_attempt_counters': m0011,
  '0012_account_name_confusables': m0012,
  '0013_verified_contact_uniqueness': m0013,
  '0014_idempotency_keys': m0014,
  '0015_account_locale': m0015,
  '0016_account_closing': m0016,
  '0017_security_phone_applications': m0017,
  '0018_federation': m0018,
  '0019_abuse_protection': m0019,
  '0020_tenant_keys': m0020,
};
