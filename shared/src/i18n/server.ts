import type { Locale } from './index.ts';
import { fill } from './index.ts';
import { serverEn, type ServerMessageKey } from './server-en.ts';
import { serverZhCN } from './server-zh-CN.ts';

export type { ServerMessageKey };

const CATALOGS: Record<Locale, Record<ServerMessageKey, string>> = { 'zh-CN': serverZhCN, en: serverEn };

/** Like t(), for the texts only the BFF uses (message templates, the email-link page). */
export function tServer(locale: Locale, key: ServerMessageKey, params?: Record<string, string | number>): string {
  return fill(CATALOGS[locale][key] ?? serverEn[key], params);
}
