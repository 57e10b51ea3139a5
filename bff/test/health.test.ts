/** /healthz (the process answers) and /readyz (its database answers `select 1` in time). */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { createDb } from '../src/db/create.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let closed = false;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  if (!closed) await h.close();
});

describe(`health and readiness (${backend})`, () => {
  it('answers /healthz without a tenant key', async () => {
    const res = await h.request('/healthz', { pk: null });
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
  });

  it('answers /readyz 200 ready while the database answers', async () => {
    const res = await h.request('/readyz', { pk: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ready' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers /readyz 503 within its timeout when the database accepts a connection but never answers', async () => {
    // a "database" that takes the TCP connection and then stays silent
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    const port = (silent.address() as { port: number }).port;
    const hung = createDb({ url: `postgres://nobody@127.0.0.1:${port}/nothing`, poolSize: 1 });
    const app = createApp({ deps: { ...h.deps, db: hung }, tenants: h.tenants });
    try {
      const started = Date.now();
      const res = await app.request('http://localhost/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      await Promise.race([hung.destroy().catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
    }
  });

  it('answers /readyz 503 unavailable once the database is closed', async () => {
    await h.close();
    closed = true;
    const res = await h.request('/readyz', { pk: null });
    expect(res.status).toBe(503);
    expect(res.json).toEqual({ status: 'unavailable' });
    // the process itself still answers
    expect((await h.request('/healthz', { pk: null })).status).toBe(200);
  });
});
