/**
 * A tenant's branding (docs/embedding.md#theming): exact shapes only, so nothing a tenant sets can inject CSS or
 * load a script. The BFF refuses anything else when the config is changed; the widget checks
 * again before a value reaches a style or an <img>.
 */

export const CORNER_RADIUS_MAX = 24;

/** #rrggbb */
export const isBrandColor = (v: unknown): v is string => typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v);

/** whole px, 0–24 */
export const isCornerRadius = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= CORNER_RADIUS_MAX;

/** an absolute https URL (never http: mixed content, never javascript:/data:) */
export function isHttpsUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    return new URL(v).protocol === 'https:';
  } catch {
    return false;
  }
}
