import type { ErrorCode } from '../errors.ts';

export const EMAIL_MAX = 254;
// Practical address shape (WHATWG's <input type=email> rule): local part of atext/dots, dotted domain with a TLD.
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** Lower-cases the whole address: mailbox providers treat the local part case-insensitively in practice. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function emailProblem(raw: string): ErrorCode | undefined {
  const email = normalizeEmail(raw);
  if (email.length === 0 || email.length > EMAIL_MAX || !EMAIL.test(email)) return 'email_invalid';
  const domain = email.slice(email.indexOf('@') + 1);
  if (!/\.[a-z]{2,}$/.test(domain)) return 'email_invalid';
  return undefined;
}

/** `alice@example.com` → `a***@example.com` */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
