/**
 * Small crypto helpers on WebCrypto (available in Node 20 and every edge runtime), so this
 * module stays free of Node-only APIs.
 */
const encoder = new TextEncoder();

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  crypto.getRandomValues(out);
  return out;
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A random opaque token: 32 bytes = 256 bits. */
export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

export async function sha256Hex(value: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

/** Keyed hashing for low-entropy secrets (6-digit codes): a leaked table cannot be brute-forced offline. */
export function createHmac(secret: string): (value: string) => Promise<string> {
  const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return async (value) => hex(await crypto.subtle.sign('HMAC', await key, encoder.encode(value)));
}

/** Constant-time comparison of two equal-length hex strings. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A uniformly random 6-digit code (rejection sampling, no modulo bias). */
export function randomDigits(length: number): string {
  let out = '';
  while (out.length < length) {
    const [b] = randomBytes(1);
    if (b! < 250) out += String(b! % 10);
  }
  return out;
}
