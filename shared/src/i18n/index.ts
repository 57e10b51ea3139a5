import { en, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';
import type { ErrorCode } from '../errors.ts';
import { fill, type Locale } from './locale.ts';

export { LOCALES, isLocale, matchLocale, fill, type Locale } from './locale.ts';
export type { MessageKey };

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

/**
 * Both catalogues are loaded here, so this resolves at once. The widget's build replaces this
 * module with widget/src/i18n.ts, where it loads the locale's catalogue (its own chunk).
 */
export function loadLocale(_locale: Locale): Promise<void> {
  return Promise.resolve();
}

/** Looks up a message and fills its placeholders. */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return fill(CATALOGS[locale][key] ?? en[key], params);
}

export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}` as MessageKey, params);
}
