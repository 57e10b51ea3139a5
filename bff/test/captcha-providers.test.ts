/**
 * The captcha verifiers (bff/src/captcha/) against the local fakes of Tencent Cloud Captcha,
 * Alibaba Cloud Captcha 2.0 and Cloudflare Turnstile (./fakes/captcha.ts): a ticket passes once,
 * a replayed or unknown one fails, our wrong credentials and a provider that is down or hangs are
 * `unavailable`, and no reason ever carries a secret or a ticket. No traffic leaves 127.0.0.1.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CaptchaProvider } from '../../shared/src/captcha.ts';
import {
  captchaVerifier,
  type CaptchaSettings,
  type CaptchaVerdict,
  type OpenedCaptcha,
} from '../src/captcha/verifier.ts';
import { closedPortUrl } from './fakes/http-fake.ts';
import { startFakeCaptcha, type FakeCaptcha } from './fakes/captcha.ts';

let fake: FakeCaptcha;
beforeAll(async () => {
  fake = await startFakeCaptcha();
});
afterAll(() => fake.close());

const USER_IP = '203.0.113.7';

function settings(over: CaptchaSettings = {}): CaptchaSettings {
  return {
    tencentEndpoint: fake.tencentEndpoint,
    aliyunEndpoint: fake.aliyunEndpoint,
    turnstileVerifyUrl: fake.turnstileVerifyUrl,
    timeoutMs: 2000,
    ...over,
  };
}

function opened(provider: CaptchaProvider, wrong = false): OpenedCaptcha {
  const c = fake.credentials;
  switch (provider) {
    case 'tencent':
      return { provider, ...c.tencent, ...(wrong ? { secretId: 'AKIDwrongwrongwrongwrong' } : {}) };
    case 'aliyun': {
      const { prefix: _prefix, ...rest } = c.aliyun;
      return { provider, ...rest, ...(wrong ? { accessKeyId: 'LTAIwrongwrongwrong' } : {}) };
    }
    case 'turnstile':
      return { provider, ...c.turnstile, ...(wrong ? { secretKey: '0xWRONGSECRETKEY000000000000000' } : {}) };
  }
}

function secretsOf(config: OpenedCaptcha): string[] {
  switch (config.provider) {
    case 'tencent':
      return [config.secretKey, config.appSecretKey];
    case 'aliyun':
      return [config.accessKeySecret];
    case 'turnstile':
      return [config.secretKey];
  }
}

/** Verifies and asserts the verdict exactly (a reason by its kind), and that the reason hides every secret and the ticket. */
async function expectVerdict(
  provider: CaptchaProvider,
  answer: { ticket: string; randstr?: string },
  expected: 'pass' | { verdict: 'fail' | 'unavailable'; reason: RegExp },
  options: { config?: OpenedCaptcha; settings?: CaptchaSettings } = {},
): Promise<CaptchaVerdict> {
  const config = options.config ?? opened(provider);
  const verdict = await captchaVerifier(config, options.settings ?? settings()).verify({ ...answer, ip: USER_IP });
  if (expected === 'pass') {
    expect(verdict).toEqual({ verdict: 'pass' });
    return verdict;
  }
  expect(verdict.verdict).toBe(expected.verdict);
  if (verdict.verdict === 'pass') return verdict;
  expect(Object.keys(verdict).sort()).toEqual(['reason', 'verdict']);
  expect(verdict.reason).toMatch(expected.reason);
  expect(verdict.reason).toMatch(/^[a-z_]+(:[A-Za-z0-9._\-[\]]+)*$/);
  for (const hidden of [...secretsOf(config), answer.ticket]) expect(verdict.reason).not.toContain(hidden);
  return verdict;
}

const PROVIDERS: Array<{
  provider: CaptchaProvider;
  /** an answer the browser would send, randstr where the provider has one */
  answer: (ticket?: string) => { ticket: string; randstr?: string };
  failReason: { replay: RegExp; unknown: RegExp };
  wrongCredentials: RegExp;
  downReason: RegExp;
  /** the user IP as the fake saw it (undefined where the API carries none) */
  seenIp: (call: { body: Record<string, unknown> }) => unknown;
  ipCarried: boolean;
}> = [
  {
    provider: 'tencent',
    answer: (ticket) => {
      if (ticket) return { ticket, randstr: '@abcdef' };
      const issued = fake.issue('tencent');
      return { ticket: issued.ticket, randstr: issued.randstr! };
    },
    failReason: { replay: /^tencent_captcha:9$/, unknown: /^tencent_captcha:15$/ },
    wrongCredentials: /^tencent_config:AuthFailure\.SecretIdNotFound$/,
    downReason: /^tencent_error:InternalError$/,
    seenIp: (call) => call.body.UserIp,
    ipCarried: true,
  },
  {
    provider: 'aliyun',
    answer: (ticket) => ({ ticket: ticket ?? fake.issueTicket('aliyun') }),
    failReason: { replay: /^aliyun_captcha:F008$/, unknown: /^aliyun_captcha:F003$/ },
    wrongCredentials: /^aliyun_rejected:404:InvalidAccessKeyId\.NotFound$/,
    downReason: /^aliyun_http_error:503:ServiceUnavailable$/,
    // VerifyIntelligentCaptcha carries no user address (Captcha 2.0 reads it in the browser)
    seenIp: (call) => JSON.stringify(call).includes(USER_IP) || undefined,
    ipCarried: false,
  },
  {
    provider: 'turnstile',
    answer: (ticket) => ({ ticket: ticket ?? fake.issueTicket('turnstile') }),
    failReason: {
      replay: /^turnstile_captcha:timeout-or-duplicate$/,
      unknown: /^turnstile_captcha:invalid-input-response$/,
    },
    wrongCredentials: /^turnstile_rejected:invalid-input-secret$/,
    downReason: /^turnstile_http_error:500:internal-error$/,
    seenIp: (call) => call.body.remoteip,
    ipCarried: true,
  },
];

describe.each(PROVIDERS)(
  '$provider verifier',
  ({ provider, answer, failReason, wrongCredentials, downReason, seenIp, ipCarried }) => {
    beforeEach(() => fake.down(provider, false));

    it('passes a ticket the provider issued', async () => {
      await expectVerdict(provider, answer(), 'pass');
    });

    it('fails the same ticket the second time (replay)', async () => {
      const a = answer();
      await expectVerdict(provider, a, 'pass');
      await expectVerdict(provider, a, { verdict: 'fail', reason: failReason.replay });
    });

    it('fails a ticket the provider never issued', async () => {
      await expectVerdict(provider, answer('garbage-ticket-0123456789'), {
        verdict: 'fail',
        reason: failReason.unknown,
      });
    });

    it('is unavailable with our wrong credentials, and the ticket stays unspent', async () => {
      const a = answer();
      await expectVerdict(
        provider,
        a,
        { verdict: 'unavailable', reason: wrongCredentials },
        { config: opened(provider, true) },
      );
      await expectVerdict(provider, a, 'pass');
    });

    it('is unavailable when the provider answers with a server error', async () => {
      fake.down(provider, 'error');
      await expectVerdict(provider, answer(), { verdict: 'unavailable', reason: downReason });
    });

    it('is unavailable within the deadline when the provider hangs', async () => {
      fake.down(provider, 'hang');
      const started = performance.now();
      await expectVerdict(
        provider,
        answer(),
        { verdict: 'unavailable', reason: /^[a-z]+_timeout$/ },
        {
          settings: settings({ timeoutMs: 300 }),
        },
      );
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(1500);
    });

    it('is unavailable when nothing listens at the endpoint', async () => {
      const closed = await closedPortUrl();
      const host = closed.replace('http://', '');
      await expectVerdict(
        provider,
        answer(),
        { verdict: 'unavailable', reason: /^[a-z]+_unreachable$/ },
        {
          settings: settings({
            tencentEndpoint: host,
            aliyunEndpoint: host,
            turnstileVerifyUrl: `${closed}/siteverify`,
          }),
        },
      );
    });

    it(`${ipCarried ? 'sends' : 'has no field for'} the user IP`, async () => {
      await expectVerdict(provider, answer(), 'pass');
      expect(seenIp(fake.calls(provider).at(-1)!)).toBe(ipCarried ? USER_IP : undefined);
    });
  },
);

describe('provider-specific answers', () => {
  it('tencent: a ticket with another randstr fails (code 7), and a wrong AppSecretKey fails as 100', async () => {
    const issued = fake.issue('tencent');
    await expectVerdict(
      'tencent',
      { ticket: issued.ticket, randstr: '@wrong1' },
      { verdict: 'fail', reason: /^tencent_captcha:7$/ },
    );
    const other = fake.issue('tencent');
    await expectVerdict(
      'tencent',
      { ticket: other.ticket, randstr: other.randstr! },
      { verdict: 'fail', reason: /^tencent_captcha:100$/ },
      {
        config: {
          ...(opened('tencent') as Extract<OpenedCaptcha, { provider: 'tencent' }>),
          appSecretKey: 'wrong-app-secret-key',
        },
      },
    );
  });

  it('tencent: a wrong SecretKey is a signature failure (unavailable)', async () => {
    await expectVerdict(
      'tencent',
      { ticket: fake.issueTicket('tencent'), randstr: '@x' },
      { verdict: 'unavailable', reason: /^tencent_config:AuthFailure\.SignatureFailure$/ },
      {
        config: {
          ...(opened('tencent') as Extract<OpenedCaptcha, { provider: 'tencent' }>),
          secretKey: 'wrong-secret-key-000',
        },
      },
    );
  });

  it('tencent: the call is DescribeCaptchaResult with CaptchaType 9 and the numeric app id', async () => {
    const a = fake.issue('tencent');
    await expectVerdict('tencent', { ticket: a.ticket, randstr: a.randstr! }, 'pass');
    const call = fake.calls('tencent').at(-1)!;
    expect(call.headers['x-tc-action']).toBe('DescribeCaptchaResult');
    expect(call.headers['x-tc-version']).toBe('2019-07-22');
    expect(call.body).toMatchObject({
      CaptchaType: 9,
      Ticket: a.ticket,
      Randstr: a.randstr,
      CaptchaAppId: Number(fake.credentials.tencent.captchaAppId),
      AppSecretKey: fake.credentials.tencent.appSecretKey,
    });
  });

  it('aliyun: a wrong AccessKeySecret is a signature mismatch (unavailable); another scene fails (F012)', async () => {
    const base = opened('aliyun') as Extract<OpenedCaptcha, { provider: 'aliyun' }>;
    await expectVerdict(
      'aliyun',
      { ticket: fake.issueTicket('aliyun') },
      { verdict: 'unavailable', reason: /^aliyun_rejected:400:SignatureDoesNotMatch$/ },
      { config: { ...base, accessKeySecret: 'wrong-access-key-secret' } },
    );
    await expectVerdict(
      'aliyun',
      { ticket: fake.issueTicket('aliyun') },
      { verdict: 'fail', reason: /^aliyun_captcha:F012$/ },
      { config: { ...base, sceneId: 'otherscene' } },
    );
    const call = fake.calls('aliyun').at(-1)!;
    expect(call.headers['x-acs-action']).toBe('VerifyIntelligentCaptcha');
    expect(call.headers['x-acs-version']).toBe('2023-03-05');
    expect(call.body.SceneId).toBe('otherscene');
  });

  it('turnstile: the secret travels in the body only, never in the URL', async () => {
    const ticket = fake.issueTicket('turnstile');
    await expectVerdict('turnstile', { ticket }, 'pass');
    const call = fake.calls('turnstile').at(-1)!;
    expect(call.body).toMatchObject({
      secret: fake.credentials.turnstile.secretKey,
      response: ticket,
      remoteip: USER_IP,
    });
    expect(call.path).toBe('/turnstile/v0/siteverify');
  });

  it('turnstile: an answer that is not JSON is unavailable, never a pass', async () => {
    const verdict = await captchaVerifier(
      opened('turnstile'),
      settings({ turnstileVerifyUrl: fake.scriptUrls.turnstile }),
    ).verify({
      ticket: fake.issueTicket('turnstile'),
      ip: null,
    });
    expect(verdict).toEqual({ verdict: 'unavailable', reason: 'turnstile_http_error:200' });
  });
});

describe('browser scripts and tickets', () => {
  it.each(['tencent', 'aliyun', 'turnstile'] as const)(
    '%s: the script is served as JavaScript and names the API',
    async (provider) => {
      const res = await fetch(fake.scriptUrls[provider]);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      const text = await res.text();
      const api = {
        tencent: 'window.TencentCaptcha',
        aliyun: 'window.initAliyunCaptcha',
        turnstile: 'window.turnstile',
      }[provider];
      expect(text).toContain(api);
      expect(text).toContain('fake-captcha-solve');
    },
  );

  it('hands out a fresh ticket to a page (CORS *) that then passes once', async () => {
    const res = await fetch(`${fake.aliyunEndpoint.replace(/^/, 'http://')}/fake/issue?provider=aliyun`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const { ticket } = (await res.json()) as { ticket: string };
    await expectVerdict('aliyun', { ticket }, 'pass');
    await expectVerdict('aliyun', { ticket }, { verdict: 'fail', reason: /^aliyun_captcha:F008$/ });
  });
});
