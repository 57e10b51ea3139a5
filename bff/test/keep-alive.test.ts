/**
 * HTTP hygiene on the real Node server: a refused oversized body must not poison the keep-alive
 * connection it came on (the next request on it must be answered, not reset).
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
let server: ReturnType<typeof serve>;
let base: string;
beforeAll(async () => {
  h = await makeHarness();
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

describe('keep-alive after a 413', () => {
  it('answers the next request on the same client after refusing a 300 KB body', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const headers = {
      'content-type': 'application/json',
      'x-jd-publishable-key': h.tenant.publishableKey,
      origin: ORIGIN,
    };
    const send = (method: string, path: string, body?: string) =>
      new Promise<number | string>((resolve) => {
        const req = request(`${base}${path}`, { method, headers, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.name));
        req.end(body);
      });
    const results: (number | string)[] = [];
    for (let i = 0; i < 3; i++) {
      results.push(
        await send('POST', '/v1/sessions', JSON.stringify({ identifier: 'x'.repeat(300_000), password: 'y' })),
      );
      results.push(await send('GET', '/v1/config'));
    }
    expect(results).toEqual([413, 200, 413, 200, 413, 200]);
    agent.destroy();
  });
});
