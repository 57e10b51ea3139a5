import type { PasswordPolicy } from './rules/password.ts';
import { DEFAULT_PASSWORD_POLICY } from './rules/password.ts';
import { isHttpsUrl } from './rules/branding.ts';
import type { PhoneRegion } from './rules/phone-regions.ts';
import type { Locale } from './i18n/index.ts';
import type { ProviderName, ProviderSettings } from './delivery-providers.ts';
import type { AbuseConfig } from './abuse.ts';
import type { CaptchaConfig, CaptchaPublic } from './captcha.ts';
import type { FederationConfig, FederationProviderPublic } from './federation.ts';

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
 * Test identities (docs/product.md#15-tenants-and-keys): numbers/emails that always accept `code` and receive nothing, so a
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

/** Per-tenant settings (docs/product.md#15-tenants-and-keys); stored as JSON on the tenant row. */
export interface TenantConfig {
  displayName: Localized;
  defaultLocale: Locale;
  passwordPolicy: PasswordPolicy;
  phoneRegions: PhoneRegion[];
  agreements: Agreement[];
  supportChannels: SupportChannels;
  /** the portal's home page (https): the email link's landing page links back to it */
  homeUrl?: string;
  branding?: Branding;
  allowedOrigins: string[];
  /** message providers per channel; absent = the dev outbox in development */
  delivery?: DeliveryConfig;
  /** email sender shown to users, e.g. "Acme Cloud <no-reply@acme.example>" */
  emailFrom?: string;
  testMode?: TestModeConfig;
  /** forgot password (docs/product.md#21-forgot-password); absent = the defaults */
  passwordReset?: { signInAfter: boolean };
  /** sign-in with a phone code (docs/product.md#22-sign-in-with-a-phone-code): its regions; absent = mainland China, `[]` = off */
  phoneCodeSignIn?: { regions: PhoneRegion[] };
  /** closing an account (docs/product.md#24-closing-an-account): days before its data is erased; absent = 15 */
  accountClosing?: { coolingOffDays: number };
  /** upstream identity providers (docs/product.md#25-sign-in-with-an-upstream-account); secrets sealed */
  federation?: FederationConfig;
  /** the bot challenge before a paid code (docs/security.md#abuse-protection-for-paid-messages); secrets sealed */
  captcha?: CaptchaConfig;
  /** risk thresholds, the daily message budget and the voice regions; absent = the defaults (shared/src/abuse.ts) */
  abuse?: AbuseConfig;
}

/** Days between asking to close an account and its erasure (default 15; 0: at the next sweep). */
export const coolingOffDays = (config: Pick<TenantConfig, 'accountClosing'>) =>
  config.accountClosing?.coolingOffDays ?? 15;

/** Regions whose phones may sign in with a code: the setting (default +86) within the tenant's phone regions. */
export function phoneCodeSignInRegions(config: Pick<TenantConfig, 'phoneRegions' | 'phoneCodeSignIn'>): PhoneRegion[] {
  const wanted: readonly PhoneRegion[] = config.phoneCodeSignIn?.regions ?? ['CN'];
  return config.phoneRegions.filter((r) => wanted.includes(r));
}

/** Whether a reset of a forgotten password ends signed in (default on). */
export const signInAfterReset = (config: Pick<TenantConfig, 'passwordReset'>) =>
  config.passwordReset?.signInAfter ?? true;

/** What the widget may read about its tenant: a whitelist (no origins, providers or secrets). */
export type TenantPublicConfig = Pick<
  TenantConfig,
  | 'displayName'
  | 'defaultLocale'
  | 'passwordPolicy'
  | 'phoneRegions'
  | 'agreements'
  | 'supportChannels'
  | 'homeUrl'
  | 'branding'
> & {
  slug: string;
  /** the regions whose phones may sign in with a code (absent or none: the choice is not offered) */
  phoneCodeSignIn?: { regions: PhoneRegion[] };
  /** days between asking to close an account and its erasure (docs/product.md#24-closing-an-account) */
  accountClosing?: { coolingOffDays: number };
  /** the upstream providers to draw "Log in with …" buttons for (no issuer, client or secret) */
  federation?: { providers: FederationProviderPublic[] };
  /** the bot challenge before a paid code (shared/src/captcha.ts): which script, and its public key */
  captcha?: CaptchaPublic;
};

/** The placeholder agreements the BFF serves itself (GET /legal/:doc) until a tenant sets its own. */
export const DEFAULT_AGREEMENT_PATHS = {
  registration: '/legal/registration',
  privacy: '/legal/privacy',
  service: '/legal/service',
} as const;

/**
 * A new tenant's config. `publicUrl` is the BFF's public origin (PUBLIC_URL): the default
 * agreements link to the BFF's own /legal pages there, as absolute URLs, because the widget
 * renders them on the portal's page — a path alone would resolve against the portal's origin,
 * where nothing serves it. Only an https origin is used (a link in a tenant config is https or a
 * path: shared/src/tenant-config.ts); without one the links stay paths, right only when the page
 * is served by the BFF itself (the dev demo), and `npm run tenant create` says so.
 */
export function defaultTenantConfig(
  displayName: string,
  allowedOrigins: string[] = [],
  publicUrl?: string,
): TenantConfig {
  const legal = (doc: keyof typeof DEFAULT_AGREEMENT_PATHS) => {
    const url = isHttpsUrl(publicUrl)
      ? new URL(DEFAULT_AGREEMENT_PATHS[doc], publicUrl).href
      : DEFAULT_AGREEMENT_PATHS[doc];
    return { 'zh-CN': url, en: url };
  };
  return {
    displayName: { 'zh-CN': displayName, en: displayName },
    defaultLocale: 'zh-CN',
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY },
    // mainland China only by default; HK/MO/TW can be enabled (docs/product.md#3-phones)
    phoneRegions: ['CN'],
    agreements: [
      {
        key: 'registration',
        version: '1.0',
        title: { 'zh-CN': '用户注册协议', en: 'Registration Agreement' },
        url: legal('registration'),
      },
      {
        key: 'privacy',
        version: '1.0',
        title: { 'zh-CN': '隐私政策', en: 'Privacy Policy' },
        url: legal('privacy'),
      },
      {
        key: 'service',
        version: '1.0',
        title: { 'zh-CN': '服务协议', en: 'Service Agreement' },
        url: legal('service'),
      },
    ],
    supportChannels: { ticketUrl: '/support', hotline: '400-000-0000', email: 'support@example.com' },
    allowedOrigins,
  };
}
