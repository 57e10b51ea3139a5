/**
 * Small crypto helpers. Hashing uses node:crypto's synchronous createHash/createHmac, which Bun,
 * Deno and Workers (nodejs_compat) provide too: WebCrypto's digest is asynchronous and runs on
 * libuv's thread pool, where every session check would queue behind argon2 jobs (measured:
 * ~42k/s vs ~616k/s, and 14 % of the session check's time).
 */
import * as nodeCrypto from 'node:crypto';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac as nodeHmac,
  randomBytes as nodeRandomBytes,
} from 'node:crypto';

/**
 * Random bytes, cut from a pool filled 4 KiB at a time (as node:crypto's randomUUID does): one
 * call into OpenSSL per ~100 tokens instead of one per token. Bytes are never handed out twice:
 * a used pool is replaced, never refilled, so a view into it stays what it was.
 */
const POOL_BYTES = 4096;
let pool: Uint8Array = new Uint8Array(0);
let poolOffset = 0;
export function randomBytes(n: number): Uint8Array {
  if (n > POOL_BYTES / 8) return nodeRandomBytes(n);
  if (poolOffset + n > pool.length) {
    pool = nodeRandomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** Base64url without padding (RFC 4648 §5), natively: tokens are made on every sign-in. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** A random opaque token: 32 bytes = 256 bits. */
export function randomToken(bytes = 32): string {
  return base64url(randomBytes(bytes));
}

// node:crypto's one-shot hash (Node >= 20.12) makes no Hash object: a quarter of the cost for a
// session token, hashed on every session check (docs/benchmarks.md); createHash where a runtime lacks it
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export const sha256Hex: (value: string) => string =
  typeof oneShotHash === 'function'
    ? (value) => oneShotHash('sha256', value, 'hex')
    : (value) => createHash('sha256').update(value).digest('hex');

/** Keyed hashing for low-entropy secrets (6-digit codes): a leaked table cannot be brute-forced offline. */
export function createHmac(secret: string): (value: string) => string {
  return (value) => nodeHmac('sha256', secret).update(value).digest('hex');
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
    if (b < 250) out += String(b % 10);
  }
  return out;
}

/** A 256-bit key for sealing secrets at rest, derived from the BFF's secret and a purpose. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHash('sha256').update(`jd-account:${purpose}:${secret}`).digest();
}

/** AES-256-GCM: base64url(iv ‖ ciphertext ‖ tag). */
export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return base64url(new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])));
}

export function unseal(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
}
