/**
 * Provider accounts per tenant (docs/operating.md#delivery-providers, shared/src/delivery-providers.ts): a tenant
 * uses either the operator's account — credentials, settings and endpoint all from the BFF's
 * environment — or its own, with every credential its own, sealed at rest and never shown again.
 * No tenant-set URL, host or protocol exists, so the BFF never connects where a tenant says, and
 * the operator's credentials never go anywhere but to the operator's endpoint.
 *
 * The providers here are the local fakes (bff/test/fakes); the environment's endpoint overrides
 * point at them, as an operator's would. A second fake stands for a server a tenant controls:
 * it must never receive a request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROVIDER_NAMES,
  PROVIDERS,
  providersFor,
  type DeliveryChannel,
  type ProviderName,
} from '../../shared/src/delivery-providers.ts';
import type { TenantConfig } from '../../shared/src/tenant.ts';
import { tenantConfigPatch } from '../../shared/src/tenant-config.ts';
import { createApp } from '../src/app.ts';
import { jsonb } from '../src/db/json.ts';
import { senderFactories } from '../src/delivery/factories.ts';
import { createSenderResolver } from '../src/delivery/providers.ts';
import type { OutgoingMessage } from '../src/delivery/sender.ts';
import { createLogger } from '../src/log.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { findTenantBySlug } from '../src/services/tenants.ts';
import { startFakeResend, type FakeResend } from './fakes/resend.ts';
import { startFakeTencent, verifyTc3, type FakeTencent } from './fakes/tencent.ts';
import { startFakeTwilio, type FakeTwilio } from './fakes/twilio.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

const OPERATOR = {
  TWILIO_ACCOUNT_SID: `ACoperator${'0'.repeat(24)}`,
  TWILIO_AUTH_TOKEN: 'OPERATOR-twilio-token-0123456789',
  TWILIO_FROM: '+15005550001',
  RESEND_API_KEY: 're_OPERATOR_key_0123456789',
  RESEND_FROM: 'Operator <no-reply@operator.test>',
  TENCENTCLOUD_SECRET_ID: 'AKIDoperator0123456789',
  TENCENTCLOUD_SECRET_KEY: 'OPERATOR-tencent-secret-key-0123',
  TENCENTCLOUD_SMS_SDK_APP_ID: '1400000001',
  TENCENTCLOUD_SMS_SIGN_NAME: '运营方',
  TENCENTCLOUD_SMS_TEMPLATES: JSON.stringify({ register: '100001' }),
  TENCENTCLOUD_VOICE_SDK_APP_ID: '1400000011',
  TENCENTCLOUD_VOICE_TEMPLATES: JSON.stringify({ register: '100011' }),
  TENCENTCLOUD_REGION: 'ap-beijing',
};
const TENANT = {
  accountSid: `ACtenant${'1'.repeat(26)}`,
  authToken: 'TENANT-twilio-token-abcdefghijk',
  apiKey: 're_TENANT_key_abcdefghijk',
  secretId: 'AKIDtenantabcdefghijk',
  secretKey: 'TENANT-tencent-secret-key-abcd',
};
const OPERATOR_SECRETS = [OPERATOR.TWILIO_AUTH_TOKEN, OPERATOR.RESEND_API_KEY, OPERATOR.TENCENTCLOUD_SECRET_KEY];
const TENANT_SECRETS = [TENANT.authToken, TENANT.apiKey, TENANT.secretKey];

let h: Harness;
let twilio: FakeTwilio;
let resend: FakeResend;
let tencent: FakeTencent;
/** stands for a server the tenant controls */
let tenantServer: FakeTwilio;
let adminKey: string;
let env: Record<string, string>;
/** what the app and the senders logged */
const logLines: string[] = [];
let app: Harness['app'];

beforeAll(async () => {
  h = await makeHarness();
  [twilio, resend, tencent, tenantServer] = await Promise.all([
    startFakeTwilio(),
    startFakeResend(),
    startFakeTencent(),
    startFakeTwilio(),
  ]);
  // the operator's endpoint overrides: the only way a provider's address is chosen
  env = {
    ...OPERATOR,
    TWILIO_BASE_URL: twilio.url,
    RESEND_BASE_URL: resend.url,
    TENCENTCLOUD_ENDPOINT: tencent.host,
    TENCENTCLOUD_PROTOCOL: 'http:',
  };
  app = createApp({
    deps: { ...h.deps, log: createLogger({ level: 'debug', write: (l) => logLines.push(l) }) },
    tenants: h.tenants,
  });
  adminKey = (await createAdminKey(h.db, h.clock, h.tenant.id, 'providers')).secretKey;
});
afterAll(async () => {
  await Promise.allSettled([twilio.close(), resend.close(), tencent.close(), tenantServer.close()]);
  await h.close();
});

async function admin(method: 'GET' | 'PATCH', body?: unknown) {
  const res = await app.request('/admin/v1/config', {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'accept-language': 'en' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

/** The tenant row as stored, as text. */
async function storedConfig(): Promise<string> {
  const row = await h.db
    .selectFrom('tenants')
    .select(sql<string>`config::text`.as('text'))
    .where('id', '=', h.tenant.id)
    .executeTakeFirstOrThrow();
  return row.text;
}

/** Writes a stored config directly, as an older version (or a database edit) would have left it. */
async function storeRaw(delivery: Record<string, unknown>, extra: Partial<TenantConfig> = {}) {
  const current = (await findTenantBySlug(h.db, 'acme'))!;
  await h.db
    .updateTable('tenants')
    .set({ config: jsonb({ ...current.config, ...extra, delivery }) })
    .where('id', '=', h.tenant.id)
    .execute();
}

let seq = 0;
function message(channel: OutgoingMessage['channel']): OutgoingMessage {
  const to = channel === 'email' ? 'user@example.com' : '+8613800138000';
  return {
    id: `00000000-0000-4000-9000-${String(++seq).padStart(12, '0')}`,
    tenantId: h.tenant.id,
    channel,
    to,
    purpose: 'register',
    locale: 'zh-CN',
    subject: channel === 'email' ? 'Code' : null,
    text: '您的注册验证码是123456，10分钟内有效。',
    template: { key: 'register', params: ['123456', '10'] },
    code: '123456',
  };
}

/** Delivers one message the way the outbox worker does (boot.ts wires the same resolver). */
async function deliver(channel: OutgoingMessage['channel'], o: { env?: Record<string, string>; secret?: string } = {}) {
  const resolveSender = createSenderResolver({
    db: h.db,
    env: o.env ?? env,
    dev: false,
    factories: senderFactories,
    secret: o.secret ?? h.deps.config.secret,
    ttlMs: 0,
  });
  return (await resolveSender(h.tenant.id, channel)).deliver(message(channel));
}

const basicUser = (authorization: unknown) =>
  Buffer.from(String(authorization).replace(/^Basic /, ''), 'base64')
    .toString()
    .split(':');
const recorded = (...fakes: Array<{ requests: Array<{ path: string; rawBody: string; headers: unknown }> }>) =>
  fakes.flatMap((f) => f.requests.map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.rawBody}`)).join('\n');

describe(`provider accounts and credentials (${backend})`, () => {
  describe('no tenant-set address', () => {
    const URL_KEYS = ['baseUrl', 'endpoint', 'protocol', 'host', 'url', 'apiBase', 'proxy'];

    it('the provider registry has no setting that could name an address', () => {
      // a class check: whatever is added to the registry later, no address-like key gets in
      for (const name of PROVIDER_NAMES) {
        for (const key of [...Object.keys(PROVIDERS[name].settings), ...PROVIDERS[name].credentials]) {
          expect(key).not.toMatch(/url|uri|endpoint|host|protocol|base|proxy|domain|server/i);
        }
      }
    });

    it('the shared schema refuses every address key for every provider and channel, at the top and inside credentials', () => {
      const cases: Array<[DeliveryChannel, ProviderName, string]> = [];
      for (const channel of ['email', 'sms', 'voice'] as const)
        for (const p of providersFor(channel)) for (const k of URL_KEYS) cases.push([channel, p, k]);
      expect(cases.length).toBeGreaterThan(40);
      for (const [channel, provider, key] of cases) {
        const top = tenantConfigPatch.safeParse({
          delivery: { [channel]: { provider, [key]: 'http://127.0.0.1:1/' } },
        });
        expect(top.success, `${channel}.${provider}.${key}`).toBe(false);
        if (provider === 'dev') continue;
        const creds = Object.fromEntries((PROVIDERS[provider].credentials as readonly string[]).map((c) => [c, 'x1']));
        const inner = tenantConfigPatch.safeParse({
          delivery: { [channel]: { provider, credentials: { ...creds, [key]: 'http://127.0.0.1:1/' } } },
        });
        expect(inner.success, `${channel}.${provider}.credentials.${key}`).toBe(false);
      }
      // and a provider on a channel it does not serve, or an unknown one
      expect(tenantConfigPatch.safeParse({ delivery: { email: { provider: 'twilio' } } }).success).toBe(false);
      expect(tenantConfigPatch.safeParse({ delivery: { sms: { provider: 'resend' } } }).success).toBe(false);
      expect(tenantConfigPatch.safeParse({ delivery: { sms: { provider: 'http' } } }).success).toBe(false);
      expect(tenantConfigPatch.safeParse({ delivery: { sms: { provider: 'twilio' } } }).success).toBe(true);
    });

    it('PATCH /admin/v1/config refuses an address, partial credentials, or operator-account settings with 400 invalid_input, changing nothing', async () => {
      const before = await storedConfig();
      const refused = [
        { sms: { provider: 'twilio', baseUrl: tenantServer.url } },
        { email: { provider: 'resend', baseUrl: tenantServer.url } },
        { sms: { provider: 'tencent', endpoint: tenantServer.host, protocol: 'http:' } },
        {
          voice: {
            provider: 'twilio',
            credentials: { accountSid: TENANT.accountSid, authToken: TENANT.authToken, baseUrl: tenantServer.url },
            from: '+15005550009',
          },
        },
        // some credentials and the rest from the operator: the mix that leaked them
        { sms: { provider: 'twilio', credentials: { accountSid: TENANT.accountSid }, from: '+15005550009' } },
        // the operator's account with the tenant's sender: settings belong to an own account
        { sms: { provider: 'twilio', from: '+15005550009' } },
        // an own account without its required settings
        { sms: { provider: 'twilio', credentials: { accountSid: TENANT.accountSid, authToken: TENANT.authToken } } },
        // "keep the stored credentials" with none stored
        { sms: { provider: 'twilio', credentials: { set: true }, from: '+15005550009' } },
      ];
      for (const delivery of refused) {
        const res = await admin('PATCH', { delivery });
        expect(res.status, JSON.stringify(delivery)).toBe(400);
        expect(res.json.error.code).toBe('invalid_input');
        expect(res.json.error.fields.length).toBeGreaterThan(0);
      }
      expect(await storedConfig()).toBe(before);
      expect(tenantServer.requests).toHaveLength(0);
    });
  });

  describe("the operator's account", () => {
    it("a tenant naming a provider without credentials gets the operator's credentials sent to the operator's endpoint only", async () => {
      expect(
        (
          await admin('PATCH', {
            delivery: { sms: { provider: 'twilio' }, email: { provider: 'resend' }, voice: { provider: 'tencent' } },
          })
        ).status,
      ).toBe(200);
      const [sms, email, voice] = [twilio.requests.length, resend.requests.length, tencent.requests.length];

      expect(await deliver('sms')).toMatchObject({ ok: true });
      const t = twilio.requests[sms];
      expect(t.path).toBe(`/2010-04-01/Accounts/${OPERATOR.TWILIO_ACCOUNT_SID}/Messages.json`);
      expect(basicUser(t.headers.authorization)).toEqual([OPERATOR.TWILIO_ACCOUNT_SID, OPERATOR.TWILIO_AUTH_TOKEN]);
      expect(t.body).toMatchObject({ From: OPERATOR.TWILIO_FROM });

      expect(await deliver('email')).toMatchObject({ ok: true });
      const r = resend.requests[email];
      expect(r.headers.authorization).toBe(`Bearer ${OPERATOR.RESEND_API_KEY}`);
      expect(r.body).toMatchObject({ from: OPERATOR.RESEND_FROM });

      expect(await deliver('voice')).toMatchObject({ ok: true });
      const v = tencent.requests[voice];
      expect(verifyTc3(v, OPERATOR.TENCENTCLOUD_SECRET_KEY)).toMatchObject({
        valid: true,
        secretId: OPERATOR.TENCENTCLOUD_SECRET_ID,
      });
      expect(v.headers['x-tc-region']).toBe('ap-beijing');
      expect(v.body).toMatchObject({ VoiceSdkAppid: OPERATOR.TENCENTCLOUD_VOICE_SDK_APP_ID, TemplateId: '100011' });
      expect(tenantServer.requests).toHaveLength(0);
    });

    it("an old stored entry with baseUrl/endpoint/protocol is not honoured: the request goes to the operator's endpoint", async () => {
      await storeRaw({
        sms: { provider: 'twilio', baseUrl: tenantServer.url, from: '+15005550009' },
        voice: { provider: 'tencent', endpoint: tenantServer.host, protocol: 'http:' },
        email: { provider: 'resend', baseUrl: tenantServer.url },
      });
      const before = twilio.requests.length;
      expect(await deliver('sms')).toMatchObject({ ok: true });
      expect(await deliver('voice')).toMatchObject({ ok: true });
      expect(await deliver('email')).toMatchObject({ ok: true });
      expect(tenantServer.requests).toHaveLength(0);
      // the old row's `from` belonged to no account: the operator's account sends as the operator
      expect(twilio.requests[before].body).toMatchObject({ From: OPERATOR.TWILIO_FROM });
      // and reading it back shows no address
      const read = await admin('GET');
      expect(read.text).not.toContain(tenantServer.host);
      expect(read.json.delivery).toEqual({
        sms: { provider: 'twilio' },
        voice: { provider: 'tencent' },
        email: { provider: 'resend' },
      });
    });

    it("an old stored entry with only some credentials fails for good instead of being completed with the operator's", async () => {
      await storeRaw({ sms: { provider: 'twilio', accountSid: TENANT.accountSid, baseUrl: tenantServer.url } });
      const before = twilio.requests.length;
      expect(await deliver('sms')).toEqual({ ok: false, retryable: false, reason: 'twilio_credentials_incomplete' });
      expect(twilio.requests).toHaveLength(before);
      expect(tenantServer.requests).toHaveLength(0);
    });

    it('a tenant cannot pick the dev outbox in production (codes would be kept readable and never sent)', async () => {
      await storeRaw({ sms: { provider: 'dev' } });
      expect(await deliver('sms')).toEqual({ ok: false, retryable: false, reason: 'no_provider_for_sms' });
    });

    it('fails for good with a reason naming the missing settings, not their values, when the environment does not configure the provider', async () => {
      await storeRaw({ sms: { provider: 'twilio' } });
      const { TWILIO_ACCOUNT_SID: _a, TWILIO_AUTH_TOKEN: _b, ...rest } = env;
      expect(await deliver('sms', { env: rest })).toEqual({
        ok: false,
        retryable: false,
        reason: 'twilio_not_configured:TWILIO_ACCOUNT_SID,TWILIO_AUTH_TOKEN',
      });
    });
  });

  describe("the tenant's own account", () => {
    it("uses the tenant's credentials and settings only, at the operator's endpoint, none of the operator's mixed in", async () => {
      const res = await admin('PATCH', {
        emailFrom: 'Acme <no-reply@acme.test>',
        delivery: {
          sms: {
            provider: 'twilio',
            from: '+15005550009',
            credentials: { accountSid: TENANT.accountSid, authToken: TENANT.authToken },
          },
          email: { provider: 'resend', credentials: { apiKey: TENANT.apiKey } },
          voice: {
            provider: 'tencent',
            smsSdkAppId: '1400000002',
            signName: '租户',
            templates: { register: '200002' },
            voiceSdkAppId: '1400000022',
            credentials: { secretId: TENANT.secretId, secretKey: TENANT.secretKey },
          },
        },
      });
      expect(res.status).toBe(200);
      const [sms, email, voice] = [twilio.requests.length, resend.requests.length, tencent.requests.length];

      expect(await deliver('sms')).toMatchObject({ ok: true });
      const t = twilio.requests[sms];
      expect(t.path).toBe(`/2010-04-01/Accounts/${TENANT.accountSid}/Messages.json`);
      expect(basicUser(t.headers.authorization)).toEqual([TENANT.accountSid, TENANT.authToken]);
      expect(t.body).toMatchObject({ From: '+15005550009' });

      expect(await deliver('email')).toMatchObject({ ok: true });
      expect(resend.requests[email].headers.authorization).toBe(`Bearer ${TENANT.apiKey}`);
      expect(resend.requests[email].body).toMatchObject({ from: 'Acme <no-reply@acme.test>' });

      expect(await deliver('voice')).toMatchObject({ ok: true });
      const v = tencent.requests[voice];
      expect(verifyTc3(v, TENANT.secretKey)).toMatchObject({ valid: true, secretId: TENANT.secretId });
      // the tenant set no voice templates and no region: the operator's are not filled in
      expect(v.headers['x-tc-action']).toBe('SendCodeVoice');
      expect(v.headers['x-tc-region']).toBe('ap-guangzhou');
      expect(v.body).toMatchObject({ VoiceSdkAppid: '1400000022' });

      // nothing of the operator's account in any of these requests
      const sent = recorded({
        requests: [...twilio.requests.slice(sms), ...resend.requests.slice(email), ...tencent.requests.slice(voice)],
      });
      expect(sent).toContain(TENANT.accountSid);
      for (const s of [
        ...OPERATOR_SECRETS,
        OPERATOR.TWILIO_ACCOUNT_SID,
        OPERATOR.TWILIO_FROM,
        OPERATOR.TENCENTCLOUD_SECRET_ID,
        OPERATOR.TENCENTCLOUD_VOICE_SDK_APP_ID,
      ]) {
        expect(sent).not.toContain(s);
      }
      expect(tenantServer.requests).toHaveLength(0);
    });

    it('stores the credentials sealed: the row holds no plaintext secret, and another JD_SECRET cannot open them', async () => {
      const text = await storedConfig();
      for (const s of [...TENANT_SECRETS, TENANT.accountSid, TENANT.secretId]) expect(text).not.toContain(s);
      expect(text).toContain('sealedCredentials');
      expect(await deliver('sms', { secret: 'another-secret-'.repeat(3) })).toEqual({
        ok: false,
        retryable: false,
        reason: 'twilio_credentials_unreadable',
      });
    });

    it('GET /admin/v1/config shows settings and that credentials are set, never a credential', async () => {
      const read = await admin('GET');
      expect(read.status).toBe(200);
      for (const s of [...TENANT_SECRETS, TENANT.accountSid, TENANT.secretId]) expect(read.text).not.toContain(s);
      expect(read.text).not.toContain('sealedCredentials');
      expect(read.json.delivery).toEqual({
        sms: {
          provider: 'twilio',
          from: '+15005550009',
          credentials: { set: true, keys: ['accountSid', 'authToken'] },
        },
        email: { provider: 'resend', credentials: { set: true, keys: ['apiKey'] } },
        voice: {
          provider: 'tencent',
          smsSdkAppId: '1400000002',
          signName: '租户',
          templates: { register: '200002' },
          voiceSdkAppId: '1400000022',
          credentials: { set: true, keys: ['secretId', 'secretKey'] },
        },
      });
      // nor did any log line carry one
      for (const s of [...TENANT_SECRETS, ...OPERATOR_SECRETS]) expect(logLines.join('\n')).not.toContain(s);
    });

    it('a PATCH keeps stored credentials unless it replaces or removes them', async () => {
      const sealedSms = () =>
        storedConfig().then(
          (t) => (JSON.parse(t) as TenantConfig).delivery?.sms as { sealedCredentials?: string } | undefined,
        );
      const original = (await sealedSms())!.sealedCredentials;
      // other keys, another channel, and the config read back and written as is: kept
      expect((await admin('PATCH', { defaultLocale: 'en' })).status).toBe(200);
      expect(
        (await admin('PATCH', { delivery: { email: { provider: 'resend', credentials: { apiKey: TENANT.apiKey } } } }))
          .status,
      ).toBe(200);
      const read = await admin('GET');
      expect((await admin('PATCH', { delivery: read.json.delivery })).status).toBe(200);
      // a setting changed without repeating the credentials: kept
      expect((await admin('PATCH', { delivery: { sms: { provider: 'twilio', from: '+15005550010' } } })).status).toBe(
        200,
      );
      expect((await sealedSms())!.sealedCredentials).toBe(original);
      let before = twilio.requests.length;
      expect(await deliver('sms')).toMatchObject({ ok: true });
      expect(basicUser(twilio.requests[before].headers.authorization)).toEqual([TENANT.accountSid, TENANT.authToken]);
      expect(twilio.requests[before].body).toMatchObject({ From: '+15005550010' });

      // replaced
      const rotated = 'TENANT-rotated-token-zyxwvut';
      expect(
        (
          await admin('PATCH', {
            delivery: {
              sms: {
                provider: 'twilio',
                from: '+15005550010',
                credentials: { accountSid: TENANT.accountSid, authToken: rotated },
              },
            },
          })
        ).status,
      ).toBe(200);
      before = twilio.requests.length;
      expect(await deliver('sms')).toMatchObject({ ok: true });
      expect(basicUser(twilio.requests[before].headers.authorization)).toEqual([TENANT.accountSid, rotated]);
      expect(await storedConfig()).not.toContain(rotated);

      // removed: back to the operator's account (its settings with it)
      expect((await admin('PATCH', { delivery: { sms: { provider: 'twilio', credentials: null } } })).status).toBe(200);
      expect((await admin('GET')).json.delivery.sms).toEqual({ provider: 'twilio' });
      before = twilio.requests.length;
      expect(await deliver('sms')).toMatchObject({ ok: true });
      expect(basicUser(twilio.requests[before].headers.authorization)).toEqual([
        OPERATOR.TWILIO_ACCOUNT_SID,
        OPERATOR.TWILIO_AUTH_TOKEN,
      ]);

      // another provider does not inherit them; null removes the channel
      expect((await admin('PATCH', { delivery: { voice: { provider: 'twilio' }, email: null } })).status).toBe(200);
      const after = (await admin('GET')).json.delivery;
      expect(after.voice).toEqual({ provider: 'twilio' });
      expect(after.email).toBeUndefined();
      expect(await storedConfig()).not.toContain('sealedCredentials');
    });

    it('an old row with complete plaintext credentials is an own account (never mixed), and is sealed at its next change', async () => {
      await storeRaw({
        sms: {
          provider: 'twilio',
          accountSid: TENANT.accountSid,
          authToken: TENANT.authToken,
          from: '+15005550011',
          baseUrl: tenantServer.url,
        },
      });
      const before = twilio.requests.length;
      expect(await deliver('sms')).toMatchObject({ ok: true });
      expect(basicUser(twilio.requests[before].headers.authorization)).toEqual([TENANT.accountSid, TENANT.authToken]);
      expect(tenantServer.requests).toHaveLength(0);
      const read = await admin('GET');
      expect(read.text).not.toContain(TENANT.authToken);
      expect(read.json.delivery.sms).toEqual({
        provider: 'twilio',
        from: '+15005550011',
        credentials: { set: true, keys: ['accountSid', 'authToken'] },
      });
      expect((await admin('PATCH', { delivery: read.json.delivery })).status).toBe(200);
      const text = await storedConfig();
      expect(text).not.toContain(TENANT.authToken);
      expect(text).not.toContain(tenantServer.host);
      expect(await deliver('sms')).toMatchObject({ ok: true });
    });
  });
});

describe('tenant CLI (npm run tenant)', () => {
  const run = promisify(execFile);
  const root = resolve(import.meta.dirname, '../..');
  const dir = mkdtempSync(join(tmpdir(), 'jd-cli-providers-'));
  const { DATABASE_URL: _pg, ...baseEnv } = process.env;
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'bff/src/cli/tenant.ts', ...args], {
      cwd: root,
      env: { ...baseEnv, PGLITE_DIR: join(dir, 'pglite') },
    });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('configures own credentials without ever printing them, and refuses an address', async () => {
    await cli('create', 'cli-providers', '--origin', 'https://console.cli.test');
    const json = JSON.stringify({
      delivery: {
        sms: {
          provider: 'twilio',
          from: '+15005550012',
          credentials: { accountSid: TENANT.accountSid, authToken: TENANT.authToken },
        },
      },
    });
    const configured = await cli('configure', 'cli-providers', '--json', json);
    expect(configured.stdout + configured.stderr).not.toContain(TENANT.authToken);
    const shown = await cli('show', 'cli-providers');
    expect(shown.stdout + shown.stderr).not.toContain(TENANT.authToken);
    expect(shown.stdout).not.toContain('sealedCredentials');
    expect(JSON.parse(shown.stdout).config.delivery.sms).toEqual({
      provider: 'twilio',
      from: '+15005550012',
      credentials: { set: true, keys: ['accountSid', 'authToken'] },
    });
    await expect(
      cli(
        'configure',
        'cli-providers',
        '--json',
        JSON.stringify({ delivery: { sms: { provider: 'twilio', baseUrl: 'http://127.0.0.1:9/' } } }),
      ),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('invalid_input: delivery.sms'),
    });
  }, 180_000);
});
