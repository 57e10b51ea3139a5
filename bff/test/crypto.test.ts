/** The small crypto helpers (bff/src/crypto.ts) that every session and token is made with. */
import { describe, expect, it } from 'vitest';
import { base64url, randomBytes, randomToken } from '../src/crypto.ts';

describe('crypto helpers', () => {
  it('encodes base64url without padding, with - and _ for + and /', () => {
    expect(base64url(new Uint8Array([251, 255, 191]))).toBe('-_-_');
    expect(base64url(new Uint8Array([0]))).toBe('AA');
    expect(base64url(new Uint8Array([]))).toBe('');
  });

  it('encodes only the view it is given, not the rest of its buffer', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(base64url(whole.subarray(2, 4))).toBe(base64url(new Uint8Array([3, 4])));
  });

  it('makes 256-bit tokens of 43 base64url characters, each new', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomBytes(12)).toHaveLength(12);
  });
});
