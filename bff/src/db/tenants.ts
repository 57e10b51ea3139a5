import type { TenantConfig } from '../../../shared/src/tenant.ts';
import type { Db } from './create.ts';
import { jsonb } from './json.ts';
import type { TenantRow } from './schema.ts';

export function findTenantByPublishableKey(db: Db, key: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('publishable_key', '=', key).executeTakeFirst();
}

/** `forUpdate` (inside a transaction): a config change reads and writes the row it locked. */
export function findTenantById(db: Db, id: string, opts: { forUpdate?: boolean } = {}): Promise<TenantRow | undefined> {
  const query = db.selectFrom('tenants').selectAll().where('id', '=', id);
  return (opts.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export function findTenantBySlug(db: Db, slug: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function listTenants(db: Db): Promise<TenantRow[]> {
  return db.selectFrom('tenants').selectAll().orderBy('created_at').execute();
}

export function insertTenant(
  db: Db,
  t: { slug: string; publishableKey: string; config: TenantConfig },
): Promise<TenantRow> {
  return db
    .insertInto('tenants')
    .values({ slug: t.slug, publishable_key: t.publishableKey, config: jsonb(t.config) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTenantConfig(db: Db, id: string, config: TenantConfig): Promise<void> {
  await db
    .updateTable('tenants')
    .set({ config: jsonb(config), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function allAllowedOrigins(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('tenants').select('config').execute();
  return rows.flatMap((r) => r.config.allowedOrigins ?? []);
}
