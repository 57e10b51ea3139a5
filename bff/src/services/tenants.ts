import {
  defaultTenantConfig,
  phoneCodeSignInRegions,
  coolingOffDays,
  type TenantConfig,
  type TenantPublicConfig,
} from '../../../shared/src/tenant.ts';
import { fieldIssuesFromZod } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { tenantConfigPatch } from '../../../shared/src/tenant-config.ts';
import { randomToken } from '../crypto.ts';
import { checkDeliveryConfig, credentialsKey, deliveryView, mergeDelivery } from '../delivery/accounts.ts';
import { federationSecretKey } from '../federation/connector.ts';
import { federationView, mergeFederation } from '../federation/config.ts';
import { publicProviders } from '../../../shared/src/federation.ts';
import { mergeAbuse } from '../../../shared/src/abuse.ts';
import type { CaptchaProvider } from '../../../shared/src/captcha.ts';
import { captchaPublic, captchaSecretKey, captchaView, mergeCaptcha } from '../captcha/config.ts';
import type { Db } from '../db/create.ts';
import type { TenantRow } from '../db/schema.ts';
import * as tenants from '../db/tenants.ts';

export interface Tenant {
  id: string;
  slug: string;
  publishableKey: string;
  config: TenantConfig;
}

export function toTenant(row: TenantRow): Tenant {
  return { id: row.id, slug: row.slug, publishableKey: row.publishable_key, config: row.config };
}

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Normalises an origin (`https://Example.com:443/` → `https://example.com`); throws on anything else. */
export function normalizeOrigin(raw: string): string {
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`not an http(s) origin: ${raw}`);
  return url.origin;
}

export async function createTenant(
  db: Db,
  input: {
    slug: string;
    displayName?: string;
    origins?: string[];
    live?: boolean;
    /** the BFF's public origin (PUBLIC_URL): the default agreements link there (shared/src/tenant.ts) */
    publicUrl?: string | undefined;
  },
): Promise<Tenant> {
  if (!SLUG_PATTERN.test(input.slug)) throw new Error('slug: 2–63 of a-z, 0-9 and -, starting with a letter or digit');
  const origins = (input.origins ?? []).map(normalizeOrigin);
  const config = defaultTenantConfig(input.displayName ?? input.slug, origins, input.publicUrl);
  const publishableKey = `pk_${input.live ? 'live' : 'test'}_${randomToken(18)}`;
  return toTenant(await tenants.insertTenant(db, { slug: input.slug, publishableKey, config }));
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | undefined> {
  const row = await tenants.findTenantBySlug(db, slug);
  return row && toTenant(row);
}

export async function listTenants(db: Db): Promise<Tenant[]> {
  return (await tenants.listTenants(db)).map(toTenant);
}

export async function updateTenantConfig(db: Db, tenant: Tenant, patch: Partial<TenantConfig>): Promise<Tenant> {
  const config = { ...tenant.config, ...patch };
  await tenants.updateTenantConfig(db, tenant.id, config);
  return { ...tenant, config };
}

/**
 * Merges top-level config keys from an operator (CLI or admin API), validated by the one schema
 * in shared/src/tenant-config.ts; a bad patch changes nothing and answers invalid_input with the
 * offending fields. `delivery` merges per channel and seals a tenant's own provider credentials
 * with a key derived from `secret` (JD_SECRET; bff/src/delivery/accounts.ts). Takes effect in
 * running BFFs within the tenant directory's cache time.
 */
export async function configureTenant(
  db: Db,
  tenant: Tenant,
  patch: unknown,
  opts: { secret: string },
): Promise<Tenant> {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new AppError('invalid_input');
  const unknown = Object.keys(patch).filter((k) => !(k in tenantConfigPatch.shape));
  if (unknown.length)
    throw new AppError(
      'invalid_input',
      undefined,
      unknown.map((path) => ({ path, code: 'invalid_input' })),
    );
  const parsed = tenantConfigPatch.safeParse(patch);
  if (!parsed.success) throw new AppError('invalid_input', undefined, fieldIssuesFromZod(parsed.error.issues));
  const { delivery, federation, captcha, abuse, ...rest } = parsed.data;
  // merged into the row as it is now (locked), not the caller's cached copy: a change made
  // meanwhile elsewhere, such as newly sealed credentials, is never written over
  return db.transaction().execute(async (trx) => {
    const row = await tenants.findTenantById(trx, tenant.id, { forUpdate: true });
    if (!row) throw new Error(`tenant ${tenant.id} disappeared`);
    const current = toTenant(row);
    const changes = rest as Partial<TenantConfig>;
    if (delivery)
      changes.delivery = mergeDelivery(
        current.config.delivery,
        delivery as Parameters<typeof mergeDelivery>[1],
        credentialsKey(opts.secret),
      );
    if (federation)
      changes.federation = mergeFederation(current.config.federation, federation, federationSecretKey(opts.secret));
    if (captcha === null) changes.captcha = undefined;
    else if (captcha) changes.captcha = mergeCaptcha(current.config.captcha, captcha, captchaSecretKey(opts.secret));
    if (abuse) changes.abuse = mergeAbuse(current.config.abuse, abuse);
    const config = { ...current.config, ...changes };
    if (!config.captcha) delete config.captcha;
    checkDeliveryConfig(config);
    await tenants.updateTenantConfig(trx, current.id, config);
    return { ...current, config };
  });
}

/** `captchaScripts`: the operator's replacements for the providers' browser scripts (AppConfig.captcha.scripts). */
export function publicConfig(
  tenant: Tenant,
  captchaScripts?: Partial<Record<CaptchaProvider, string>>,
): TenantPublicConfig {
  const c = tenant.config;
  const captcha = captchaPublic(c.captcha, captchaScripts);
  return {
    slug: tenant.slug,
    displayName: c.displayName,
    defaultLocale: c.defaultLocale,
    passwordPolicy: c.passwordPolicy,
    phoneRegions: c.phoneRegions,
    agreements: c.agreements,
    supportChannels: c.supportChannels,
    phoneCodeSignIn: { regions: phoneCodeSignInRegions(c) },
    accountClosing: { coolingOffDays: coolingOffDays(c) },
    ...(c.federation?.providers.length ? { federation: { providers: publicProviders(c.federation) } } : {}),
    ...(captcha ? { captcha } : {}),
    ...(c.homeUrl ? { homeUrl: c.homeUrl } : {}),
    ...(c.branding ? { branding: c.branding } : {}),
  };
}

/**
 * Tenant resolution with a short in-memory cache: every widget request names its tenant, and
 * a database round trip per request for a row that changes rarely is waste.
 */
export class TenantDirectory {
  private byKey = new Map<string, { tenant: Tenant; at: number }>();
  private origins: { set: Set<string>; at: number } | undefined;
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  async byPublishableKey(key: string): Promise<Tenant | undefined> {
    const hit = this.byKey.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.tenant;
    const row = await tenants.findTenantByPublishableKey(this.db, key);
    if (!row) return undefined;
    const tenant = toTenant(row);
    this.byKey.set(key, { tenant, at: Date.now() });
    return tenant;
  }

  async byId(id: string): Promise<Tenant | undefined> {
    const row = await tenants.findTenantById(this.db, id);
    return row && toTenant(row);
  }

  /** Union of all tenants' origins: a CORS preflight carries no publishable key. */
  async anyTenantAllows(origin: string): Promise<boolean> {
    if (!this.origins || Date.now() - this.origins.at >= this.ttlMs) {
      this.origins = { set: new Set(await tenants.allAllowedOrigins(this.db)), at: Date.now() };
    }
    return this.origins.set.has(origin);
  }

  invalidate(): void {
    this.byKey.clear();
    this.origins = undefined;
  }
}

/**
 * The config as an operator may read it back (admin API, CLI `show`): provider entries show the
 * account's settings and whether credentials are set, never a credential (bff/src/delivery/accounts.ts).
 */
export function operatorConfigView(config: TenantConfig): Omit<TenantConfig, 'delivery' | 'federation' | 'captcha'> & {
  delivery?: Record<string, unknown>;
  federation?: { providers: Record<string, unknown>[] };
  captcha?: Record<string, unknown>;
} {
  const { delivery, federation, captcha, ...rest } = config;
  const view = deliveryView(delivery);
  return {
    ...rest,
    ...(view ? { delivery: view } : {}),
    ...(federation ? { federation: federationView(federation) } : {}),
    ...(captcha ? { captcha: captchaView(captcha) } : {}),
  };
}
