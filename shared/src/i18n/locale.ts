/**
 * The catalogue-free part of the i18n API: locales, matching and placeholder filling. Both
 * ./index.ts (every catalogue, loaded up front: the BFF, tests) and the widget's
 * widget/src/i18n.ts (one catalogue per locale, loaded on demand) build on it.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

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
