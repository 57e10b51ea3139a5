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

/** The rest of a locale's messages (the widget's second catalogue chunk): here, already loaded. */
export function loadMore(_locale: Locale): Promise<void> {
  return Promise.resolve();
}

/** The rest of a locale's messages still loading: never, here. */
export function messagesPending(_locale: Locale): Promise<void> | undefined {
  return undefined;
}

/** Called when more messages arrive (the widget build's i18n); here nothing ever arrives later. */
export function onMessagesLoaded(_listener: () => void): () => void {
  return () => {};
}

/** Looks up a message and fills its placeholders. */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return fill(CATALOGS[locale][key] ?? en[key], params);
}

export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}` as MessageKey, params);
}
