import type { AppConfig } from '../config.ts';
import type { Tenant } from './tenants.ts';

/**
 * Test identities (docs/product.md#15-tenants-and-keys): a tenant may reserve phone ranges and emails that always accept its
 * fixed code and receive nothing, so its own CI can register users without a phone. Off unless
 * the tenant enables it; in production only with allowInProduction as well.
 */
export function testCodeFor(
  tenant: Tenant,
  config: AppConfig,
  kind: 'phone' | 'email',
  value: string,
): string | undefined {
  const tm = tenant.config.testMode;
  if (!tm?.enabled || !/^\d{6}$/.test(tm.code)) return undefined;
  if (!config.dev && tm.allowInProduction !== true) return undefined;
  const hit =
    kind === 'phone'
      ? tm.phones.some((prefix) => prefix.startsWith('+') && prefix.length >= 4 && value.startsWith(prefix))
      : tm.emails.some((e) => (e.startsWith('@') ? value.endsWith(e.toLowerCase()) : value === e.toLowerCase()));
  return hit ? tm.code : undefined;
}
