import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import type { ErrorCode } from '../errors.ts';
import { DIAL_CODES, isPhoneRegion, nationalDigits, type PhoneRegion } from './phone-regions.ts';

export type PhoneCheck = { ok: true; e164: string; region: PhoneRegion } | { ok: false; code: ErrorCode };

/**
 * The authoritative phone rule: a mobile number of one of the tenant's regions, normalised to
 * E.164. `allowed` is the tenant's region list (default: mainland China only; docs/product.md#3-phones).
 */
export function checkMobilePhone(region: string, raw: string, allowed: readonly PhoneRegion[]): PhoneCheck {
  if (!isPhoneRegion(region)) return { ok: false, code: 'phone_region_not_allowed' };
  if (!allowed.includes(region)) return { ok: false, code: 'phone_region_not_allowed' };
  const digits = nationalDigits(region, raw);
  if (!/^\d{5,15}$/.test(digits)) return { ok: false, code: 'phone_invalid' };
  try {
    const parsed = parsePhoneNumberWithError(`+${DIAL_CODES[region]}${digits}`);
    if (parsed.country !== region || !parsed.isValid()) return { ok: false, code: 'phone_invalid' };
    const type = parsed.getType();
    // Hong Kong and Macao publish some ranges as FIXED_LINE_OR_MOBILE; accept those, refuse pure fixed lines.
    if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, code: 'phone_invalid' };
    return { ok: true, e164: parsed.number, region };
  } catch {
    return { ok: false, code: 'phone_invalid' };
  }
}

/**
 * Reads a phone typed as a sign-in identifier: `+852 9123 4567`, or national digits of the
 * tenant's first region. Undefined when it is not a phone of an allowed region.
 */
export function parseIdentifierPhone(raw: string, allowed: readonly PhoneRegion[]): string | undefined {
  const s = raw.replace(/[\s\-().]/g, '');
  if (s.startsWith('+')) {
    for (const region of allowed) {
      if (s.startsWith(`+${DIAL_CODES[region]}`)) {
        const r = checkMobilePhone(region, s, allowed);
        if (r.ok) return r.e164;
      }
    }
    return undefined;
  }
  if (!/^\d+$/.test(s)) return undefined;
  for (const region of allowed) {
    const r = checkMobilePhone(region, s, allowed);
    if (r.ok) return r.e164;
  }
  return undefined;
}
