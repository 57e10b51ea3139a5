/**
 * GET /dev/outbox?to=… (development only): a phone number written with a raw `+`, as people type
 * it, finds the same messages as one with `%2B` — a raw `+` in a query string decodes to a space.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devOutboxRecipient } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe(`GET /dev/outbox?to= (${backend})`, () => {
  it('reads a leading space before digits as the + of an E.164 number, and nothing else', () => {
    expect(devOutboxRecipient(' 8613800138000')).toBe('+8613800138000');
    expect(devOutboxRecipient('+8613800138000')).toBe('+8613800138000');
    expect(devOutboxRecipient('user@example.test')).toBe('user@example.test');
    expect(devOutboxRecipient(' user@example.test')).toBe(' user@example.test');
    expect(devOutboxRecipient('')).toBeUndefined();
    expect(devOutboxRecipient(undefined)).toBeUndefined();
  });

  it('finds the code sent to +86… whether the + is written raw or as %2B', async () => {
    const { code } = await h.sendCode('13900007001');
    expect(code).toMatch(/^[0-9]{6}$/);
    const raw = await h.request('/dev/outbox?to=+8613900007001');
    const encoded = await h.request('/dev/outbox?to=%2B8613900007001');
    expect(raw.status).toBe(200);
    expect(encoded.json.map((m: { code: string }) => m.code)).toEqual([code]);
    expect(raw.json).toEqual(encoded.json);
    // another number's messages stay out
    expect((await h.request('/dev/outbox?to=+8613900007002')).json).toEqual([]);
  });
});
