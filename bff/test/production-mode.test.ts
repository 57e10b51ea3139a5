import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { OutboxWorker } from '../src/delivery/outbox.ts';
import { createSenderResolver } from '../src/delivery/providers.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

describe('configuration', () => {
  it('requires a real JD_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JD_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JD_SECRET: 'short' })).toThrow(/JD_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', JD_SECRET: 'x'.repeat(40) }).dev).toBe(false);
    expect(loadConfig({}).dev).toBe(true);
  });
  it('refuses malformed numbers instead of running with NaN', () => {
    expect(() => loadConfig({ SESSION_IDLE_SECONDS: 'soon' })).toThrow(/SESSION_IDLE_SECONDS/);
  });
});

describe(`production mode (${backend})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness({ config: { dev: false, secret: 'p'.repeat(40) } });
  });
  afterAll(() => h.close());

  it('has no dev outbox; with no provider the message fails for good and its code is wiped', async () => {
    expect((await h.app.request('/dev/outbox')).status).toBe(404);
    expect((await h.app.request('/dev')).status).toBe(404);
    const res = await h.request('/v1/verification-codes', { body: { phone: { region: 'CN', number: '13900001111' }, purpose: 'register', channel: 'sms' } });
    expect(res.status).toBe(202);
    const worker = new OutboxWorker({
      db: h.db,
      now: () => h.clock.now(),
      resolveSender: createSenderResolver({ db: h.db, env: {}, dev: false, factories: {} }),
      keepBodies: false,
    });
    expect(await worker.runOnce()).toBe(1);
    const row = await h.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', last_error: 'no_provider_for_sms', body: '', payload: {} });
    const status = await h.request(`/v1/deliveries/${res.json.deliveryId}`);
    expect(status.json).toMatchObject({ status: 'failed', channel: 'sms', attempts: 1 });
  });

  it('answers unknown paths with the error shape, not a stack', async () => {
    const res = await h.app.request('/nowhere', { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: 'Not found.' } });
  });
});
