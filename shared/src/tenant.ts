import type { PasswordPolicy } from './rules/password.ts';
import { DEFAULT_PASSWORD_POLICY } from './rules/password.ts';
import type { PhoneRegion } from './rules/phone-regions.ts';
import type { Locale } from './i18n/index.ts';

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

/** Per-tenant settings (PRODUCT.md "Multi-tenant"); stored as JSON on the tenant row. */
export interface TenantConfig {
  displayName: Localized;
  defaultLocale: Locale;
  passwordPolicy: PasswordPolicy;
  phoneRegions: PhoneRegion[];
  agreements: Agreement[];
  supportChannels: SupportChannels;
  allowedOrigins: string[];
}

/** What the widget may read about its tenant (no origins, no secrets). */
export type TenantPublicConfig = Omit<TenantConfig, 'allowedOrigins'> & { slug: string };

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
