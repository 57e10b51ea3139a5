import type { PasswordPolicy } from './rules/password.ts';
import { DEFAULT_PASSWORD_POLICY } from './rules/password.ts';
import type { PhoneRegion } from './rules/phone-regions.ts';
import type { Locale } from './i18n/index.ts';
import type { ProviderName, ProviderSettings } from './delivery-providers.ts';

export type Localized = Record<Locale, string>;

/** An agreement the user accepts at registration; consent is stored with its version. */
export interface Agreement {
  key: string;
  version: string;
  title: Localized;
  url: Localized;
}

export interface SupportChannels {
  ticketUrl?: string;
  hotline?: string;
  email?: string;
}

/**
 * Where a channel's messages go, as stored (one entry per provider in
 * shared/src/delivery-providers.ts). Without `sealedCredentials` the operator's account is used:
 * credentials, settings and endpoint all from the BFF's environment. With it, the tenant's own
 * account: its credentials (AES-GCM sealed with a key derived from JD_SECRET, never returned by
 * any API) and the settings stored next to them. Never sent to a widget. Older versions stored
 * other keys (`baseUrl`, `endpoint`, `protocol`, plaintext credentials); bff/src/delivery/accounts.ts
 * never reads a URL key from such a row, and uses plaintext credentials only as a complete own
 * account (sealed at the next change of that channel).
 */
export type ProviderConfig = {
  [P in ProviderName]: {
    provider: P;
    /** how long one provider call may take before it counts as a retryable failure (default 10 s) */
    timeoutMs?: number;
    /** the tenant's own credentials, sealed (bff/src/delivery/accounts.ts) */
    sealedCredentials?: string;
  } & ProviderSettings<P>;
}[ProviderName];

export interface DeliveryConfig {
  email?: ProviderConfig;
  sms?: ProviderConfig;
  voice?: ProviderConfig;
}

/**
 * Test identities (issue 3): numbers/emails that always accept `code` and receive nothing, so a
 * tenant's own CI can register users. Off by default; in production only with allowInProduction.
 */
export interface TestModeConfig {
  enabled: boolean;
  /** E.164 prefixes, e.g. "+8619900000" for a reserved range */
  phones: string[];
  /** exact addresses, or "@domain" for a whole domain */
  emails: string[];
  code: string;
  allowInProduction?: boolean;
}

/**
 * The tenant's look in the widgets: the elements turn these into the defaults of their CSS custom
 * properties (--jd-color-primary, --jd-radius), so a portal's own CSS still wins.
 */
export interface Branding {
  /** https only */
  logoUrl?: string;
  /** #rrggbb */
  primaryColor?: string;
  /** px, 0–24 */
  cornerRadius?: number;
}

/** Per-tenant settings (PRODUCT.md "Multi-tenant"); stored as JSON on the tenant row. */
export interface TenantConfig {
  displayName: Localized;
  defaultLocale: Locale;
  passwordPolicy: PasswordPolicy;
  phoneRegions: PhoneRegion[];
  agreements: Agreement[];
  supportChannels: SupportChannels;
  branding?: Branding;
  allowedOrigins: string[];
  /** message providers per channel; absent = the dev outbox in development */
  delivery?: DeliveryConfig;
  /** email sender shown to users, e.g. "Acme Cloud <no-reply@acme.example>" */
  emailFrom?: string;
  testMode?: TestModeConfig;
}

/** What the widget may read about its tenant: a whitelist (no origins, providers or secrets). */
export type TenantPublicConfig = Pick<
  TenantConfig,
  'displayName' | 'defaultLocale' | 'passwordPolicy' | 'phoneRegions' | 'agreements' | 'supportChannels' | 'branding'
> & { slug: string };

export function defaultTenantConfig(displayName: string, allowedOrigins: string[] = []): TenantConfig {
  return {
    displayName: { 'zh-CN': displayName, en: displayName },
    defaultLocale: 'zh-CN',
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY },
    // PRODUCT.md: mainland China only by default (seed 001); HK/MO/TW can be enabled (seed 003).
    phoneRegions: ['CN'],
    agreements: [
      {
        key: 'registration',
        version: '1.0',
        title: { 'zh-CN': '用户注册协议', en: 'Registration Agreement' },
        url: { 'zh-CN': '/legal/registration', en: '/legal/registration' },
      },
      {
        key: 'privacy',
        version: '1.0',
        title: { 'zh-CN': '隐私政策', en: 'Privacy Policy' },
        url: { 'zh-CN': '/legal/privacy', en: '/legal/privacy' },
      },
      {
        key: 'service',
        version: '1.0',
        title: { 'zh-CN': '服务协议', en: 'Service Agreement' },
        url: { 'zh-CN': '/legal/service', en: '/legal/service' },
      },
    ],
    supportChannels: { ticketUrl: '/support', hotline: '400-000-0000', email: 'support@example.com' },
    allowedOrigins,
  };
}
