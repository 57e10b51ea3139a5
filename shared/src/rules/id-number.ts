/**
 * The ID number of a real-name record and of a lost-device application
 * (docs/product.md#14-lost-mfa-device-applications): a resident ID card number, a passport number or a unified social
 * credit code — letters and digits only, 6 to 32 of them, compared without case (a resident ID's
 * check character X is often typed x). No zod here: the widget checks the form with this module,
 * and the server's schemas (shared/src/api.ts, shared/src/admin-api.ts) with the same pattern.
 */

export const ID_NUMBER_PATTERN = /^[0-9A-Za-z]{6,32}$/;

/** Whether a typed ID number (surrounding spaces ignored) has the shape of one. */
export function isIdNumber(value: string): boolean {
  return ID_NUMBER_PATTERN.test(value.trim());
}

/** The form an ID number is compared and kept in: trimmed, upper case. */
export function normalizeIdNumber(value: string): string {
  return value.trim().toUpperCase();
}
