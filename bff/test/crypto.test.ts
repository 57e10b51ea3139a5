/** The small crypto helpers (bff/src/crypto.ts) that every session and token is made with. */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { base64url, randomBytes, randomToken, sha256Hex } from '../src/crypto.ts';

describe('crypto helpers', () => {
  it('hashes text as SHA-256 of its UTF-8 bytes, in hex, whichever way node:crypto offers', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // Han characters, an emoji, a lone surrogate (U+FFFD once encoded): the same bytes createHash sees
    for (const text of ['京东云账号', 'a😀b', 'x\uD800y', randomToken()])
      expect(sha256Hex(text), text).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

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
