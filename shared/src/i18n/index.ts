import { en, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';
import type { ErrorCode } from '../errors.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type { MessageKey };

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Maps a BCP 47 tag or an Accept-Language header to a supported locale (zh* → zh-CN, else en). */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  for (const part of tag.split(',')) {
    const lang = part.split(';')[0].trim().toLowerCase();
    if (lang.startsWith('zh')) return 'zh-CN';
    if (lang.startsWith('en')) return 'en';
  }
  return undefined;
}

/** Fills `{name}` placeholders; unknown placeholders are left as they are. */
export function fill(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Looks up a message and fills its placeholders. */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return fill(CATALOGS[locale][key] ?? en[key], params);
}

export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}` as MessageKey, params);
}
