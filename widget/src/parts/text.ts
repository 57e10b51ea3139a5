/**
 * Helpers for user-visible text: messages come from shared i18n only; a placeholder may be
 * filled with a template (e.g. an agreement link) by splitting the translated message — never
 * by concatenating strings or using unsafeHTML.
 */
import type { TemplateResult } from 'lit';
import { t, type Locale, type MessageKey } from '../../../shared/src/i18n/index.ts';

export function tWith(
  locale: Locale,
  key: MessageKey,
  name: string,
  value: TemplateResult | string,
): (TemplateResult | string)[] {
  const parts = t(locale, key).split(`{${name}}`);
  const out: (TemplateResult | string)[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(value);
    if (part) out.push(part);
  });
  return out;
}

/** Only http(s) and relative URLs from tenant config become links (no javascript:, data:). */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}
