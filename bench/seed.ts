/**
 * Set-based seeding of the real schema for `npm run bench:scale` and the EXPLAIN test
 * (bff/test/explain-hot-queries.test.ts): tenants as the tenant CLI stores them, and per account its
 * security phone, a security email for 60 % of them, the three default agreements accepted, two
 * sessions, five audit events and, for one in ten, a bound MFA device. One INSERT … SELECT over
 * generate_series per table, so a million accounts take minutes, not hours.
 *
 * Everything is derived from the account's number n (1-based), so a caller can name a seeded
 * account, its tenant and a live session token without reading them back:
 *   tenant of n         ((n - 1) % tenants) + 1 — accounts spread evenly over the tenants
 *   tenant t            id md5('jd-scale-tenant:t')::uuid, slug scale-000t, key pk_test_scale_000t
 *   account n           id md5('jd-scale-account:n')::uuid, name su<n>, phone +86138<n, 8 digits>
 *   session (n, k)      token scale-session-<n>-<k> (k = 1 token mode, k = 2 cookie mode); the row
 *                       keeps sha256 hex of it, as bff/src/services/sessions.ts does
 *   MFA bound           n % 10 = 0 (sign-in then asks for a code: pick others to sign in)
 * Columns are named in every INSERT, so the seed does not depend on column order or on which
 * columns a primary key spans.
 */
import type { TenantConfig } from '../shared/src/tenant.ts';

/** Runs one parameterised statement (a pg.Client or pg.Pool's query). */
export type Query = (text: string, values?: unknown[]) => Promise<unknown>;

export const seedTenantNumber = (n: number, tenants: number) => ((n - 1) % tenants) + 1;
export const seedPublishableKey = (t: number) => `pk_test_scale_${String(t).padStart(4, '0')}`;
export const seedAccountName = (n: number) => `su${n}`;
export const seedSessionToken = (n: number, k: 1 | 2) => `scale-session-${n}-${k}`;
export const seedHasMfa = (n: number) => n % 10 === 0;

/** `tenants` tenants, each with the CLI's default config under its own display name. */
export async function seedTenants(q: Query, tenants: number, config: TenantConfig): Promise<void> {
  await q(
    `insert into tenants (id, slug, publishable_key, config, created_at, updated_at)
     select md5('jd-scale-tenant:' || t)::uuid, 'scale-' || lpad(t::text, 4, '0'), 'pk_test_scale_' || lpad(t::text, 4, '0'),
            jsonb_set($2::jsonb, '{displayName}', jsonb_build_object('zh-CN', 'Scale ' || t, 'en', 'Scale ' || t)),
            now(), now()
     from generate_series(1, $1::int) t`,
    [tenants, JSON.stringify(config)],
  );
}

export interface SeedRange {
  /** first and last account number, inclusive */
  from: number;
  to: number;
  tenants: number;
  /** one real argon2id hash, shared by every seeded account (sign-in can then be measured on any) */
  passwordHash: string;
  /** the BFF's session lifetimes (config.session): seeded sessions are live when the bench runs */
  idleSeconds: number;
  absoluteSeconds: number;
}

/** Accounts from..to with their contacts, consents, sessions, audit events and MFA devices. */
export async function seedAccounts(q: Query, r: SeedRange): Promise<void> {
  const series = `generate_series($1::int, $2::int) n`;
  const tenantOf = `md5('jd-scale-tenant:' || ((n - 1) % $3::int + 1))::uuid`;
  const accountOf = `md5('jd-scale-account:' || n)::uuid`;
  // created a day to ~3 years ago (accounts of one tenant on different days); an account's events
  // follow within minutes, so none is recent enough to count towards a lockout
  const createdOf = `now() - (1 + n / 1000 % 1000) * interval '1 day' - (n % 86400) * interval '1 second'`;
  const range = [r.from, r.to, r.tenants];
  // the name is [a-z0-9], for which accountNameSkeleton (shared/src/rules/account-name.ts) is
  // this translate + replace; bench/scale.ts checks a sample against the function itself
  await q(
    `insert into accounts (id, tenant_id, account_name, account_name_folded, account_name_skeleton, password_hash,
                           referral_code, created_at, updated_at, locale)
     select ${accountOf}, ${tenantOf}, 'su' || n, 'su' || n,
            replace(replace(translate('su' || n, '01i', 'oll'), 'rn', 'm'), 'vv', 'w'),
            $4, null, ${createdOf}, ${createdOf}, 'zh-CN'
     from ${series}`,
    [...range, r.passwordHash],
  );
  await q(
    `insert into account_contacts (tenant_id, account_id, kind, role, value, verified_at, can_sign_in, created_at)
     select ${tenantOf}, ${accountOf}, 'phone', 'security', '+86138' || lpad(n::text, 8, '0'), ${createdOf}, true, ${createdOf}
     from ${series}
     union all
     select ${tenantOf}, ${accountOf}, 'email', 'security', 'su' || n || '@mail' || (n % 97) || '.example.com',
            ${createdOf}, true, ${createdOf}
     from ${series} where n % 5 < 3`,
    range,
  );
  await q(
    `insert into consents (tenant_id, account_id, agreement_key, version, locale, accepted_at)
     select ${tenantOf}, ${accountOf}, a.key, '1.0', 'zh-CN', ${createdOf}
     from ${series} cross join (values ('registration'), ('privacy'), ('service')) as a(key)`,
    range,
  );
  await q(
    `insert into sessions (id_hash, tenant_id, account_id, mode, created_at, last_seen_at, idle_expires_at, expires_at,
                           ip, user_agent, step_up_expires_at, mfa_pending, mfa_failures, sub_user_id)
     select encode(sha256(convert_to('scale-session-' || n || '-' || k, 'UTF8')), 'hex'), ${tenantOf}, ${accountOf},
            case k when 1 then 'token' else 'cookie' end, now() - interval '1 hour', now(),
            now() + $4::int * interval '1 second', now() + $5::int * interval '1 second',
            '198.51.100.' || (n % 250), 'Mozilla/5.0 (jd-account scale seed)', null, false, 0, null
     from ${series} cross join generate_series(1, 2) k`,
    [...range, r.idleSeconds, r.absoluteSeconds],
  );
  // five events per account, oldest first (seq is insertion order); one in ten has an old failure
  await q(
    `insert into audit_events (tenant_id, account_id, type, outcome, ip, user_agent, detail, created_at)
     select ${tenantOf}, ${accountOf},
            case when e = 1 then 'registered' when e = 3 and n % 10 = 3 then 'sign_in_failed' else 'sign_in' end,
            case when e = 3 and n % 10 = 3 then 'failure' else 'success' end,
            '198.51.100.' || (n % 250), 'Mozilla/5.0 (jd-account scale seed)', '{}'::jsonb,
            ${createdOf} + (e - 1) * interval '1 minute'
     from ${series} cross join generate_series(1, 5) e
     order by n, e`,
    range,
  );
  await q(
    `insert into mfa_devices (tenant_id, account_id, sub_user_id, secret_enc, confirmed_at, setup_expires_at, last_step,
                              created_at)
     select ${tenantOf}, ${accountOf}, null, 'scale-seed-not-a-sealed-secret', ${createdOf}, null, null, ${createdOf}
     from ${series} where n % 10 = 0`,
    range,
  );
}
