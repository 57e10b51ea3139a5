/**
 * Regions whose mobile numbers the product accepts (docs/product.md#3-phones), with a cheap
 * shape check the widget runs as the user types. The authoritative check is ./phone.ts
 * (libphonenumber-js with full metadata), which the BFF runs; it is kept out of the widget
 * bundle because its metadata alone is ~49 kB gzip.
 */
export const PHONE_REGIONS = ['CN', 'HK', 'MO', 'TW'] as const;
export type PhoneRegion = (typeof PHONE_REGIONS)[number];

export const DIAL_CODES: Record<PhoneRegion, string> = { CN: '86', HK: '852', MO: '853', TW: '886' };

/** Mobile number shapes, national significant number (no trunk prefix). */
const MOBILE_SHAPE: Record<PhoneRegion, RegExp> = {
  CN: /^1[3-9]\d{9}$/,
  HK: /^[4-9]\d{7}$/,
  MO: /^6\d{7}$/,
  TW: /^9\d{8}$/,
};

export function isPhoneRegion(value: unknown): value is PhoneRegion {
  return typeof value === 'string' && (PHONE_REGIONS as readonly string[]).includes(value);
}

/** Strips spaces, dashes, brackets, a leading +<dial code> and Taiwan's trunk 0. */
export function nationalDigits(region: PhoneRegion, raw: string): string {
  let s = raw.replace(/[\s\-().]/g, '');
  const dial = `+${DIAL_CODES[region]}`;
  if (s.startsWith(dial)) s = s.slice(dial.length);
  if (region === 'TW' && s.startsWith('0')) s = s.slice(1);
  return s;
}

/** Quick client-side check; the server's libphonenumber check decides. */
export function looksLikeMobile(region: PhoneRegion, raw: string): boolean {
  return MOBILE_SHAPE[region].test(nationalDigits(region, raw));
}

/**
 * `13800138000` → `138****8000`; works on E.164 too. At most the first 3 and the last 4 national
 * digits show, and at least 4 stay hidden whatever the region's length (an 8-digit +852 number
 * shows 2 and 2: `+852 91****67`), so a mask never all but gives the number away.
 */
export function maskPhone(e164: string): string {
  const region = PHONE_REGIONS.find((r) => e164.startsWith(`+${DIAL_CODES[r]}`));
  const national = region ? e164.slice(DIAL_CODES[region].length + 1) : e164.replace(/^\+/, '');
  const prefix = region && region !== 'CN' ? `+${DIAL_CODES[region]} ` : '';
  const shown = Math.max(0, Math.min(7, national.length - 4));
  const last = Math.min(4, Math.ceil(shown / 2));
  const first = Math.min(3, shown - last);
  return prefix + national.slice(0, first) + '****' + (last ? national.slice(-last) : '');
}
