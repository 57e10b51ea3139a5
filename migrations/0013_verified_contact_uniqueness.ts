import { sql, type Kysely } from 'kysely';

/**
 * Only verified bindings decide who signs in with a phone/email (bff/src/services/contacts.ts,
 * docs/product.md#7-sign-in-identifiers). Until now the flag was decided when an address was bound, verified
 * or not, so binding someone else's email without opening its link kept its owner from ever
 * signing in with it. The partial unique index account_contacts_sign_in_uq (one holder per
 * tenant, kind and value) stays as it is; this adds a check that only a verified security
 * binding holds the flag, after recomputing the flags of existing rows the way the new rule
 * would have decided them:
 *
 * 1. an unverified (or contact) binding gives the flag up;
 * 2. a value that has no holder then goes to the binding verified first (ties: bound first), if
 *    that is a security binding — the binding that the rule, deciding at verification, would
 *    have chosen. Existing verified holders keep the flag (first come, first kept).
 */
const UP = `
update account_contacts set can_sign_in = false where can_sign_in and (verified_at is null or role <> 'security');
update account_contacts c set can_sign_in = true
  where c.id in (
    select distinct on (f.tenant_id, f.kind, f.value) f.id from account_contacts f
    where f.verified_at is not null
    order by f.tenant_id, f.kind, f.value, f.verified_at, f.created_at, f.id
  )
  and c.role = 'security'
  and not exists (
    select 1 from account_contacts h
    where h.tenant_id = c.tenant_id and h.kind = c.kind and h.value = c.value and h.can_sign_in
  );
alter table account_contacts add constraint account_contacts_sign_in_verified_ck
  check (not can_sign_in or (verified_at is not null and role = 'security'))
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of UP.split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table account_contacts drop constraint account_contacts_sign_in_verified_ck').execute(db);
}
