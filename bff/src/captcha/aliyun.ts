/**
 * Alibaba Cloud Captcha 2.0 (阿里云验证码 2.0): VerifyIntelligentCaptcha (API 2023-03-05,
 * captcha.cn-shanghai.aliyuncs.com) through the official SDK `@alicloud/captcha20230305`, which
 * signs with ACS3-HMAC-SHA256 (@alicloud/openapi-core) and can be pointed at a loopback http fake
 * (endpoint + protocol 'http').
 *
 * The answer is `{ RequestId, Success, Code, Message, Result: { VerifyResult, VerifyCode } }`.
 * VerifyResult true (VerifyCode T001, or T005/T006 for test mode and allow lists) passes;
 * VerifyResult false (F001 risk, F002/F003 empty or malformed parameter, F008 replayed, F012 scene
 * mismatch, …) is `fail`. The API carries no user address: Captcha 2.0 reads it in the browser.
 *
 * An SDK error is `unavailable`: a 4xx with a code (InvalidAccessKeyId.NotFound,
 * SignatureDoesNotMatch, Forbidden.*: our configuration), a 5xx or throttling (theirs), or no
 * answer at all (connection refused, timeout). The SDK does not retry unless told to.
 */
import captchaSdk, { VerifyIntelligentCaptchaRequest } from '@alicloud/captcha20230305';
import { DeadlineExceeded, withDeadline } from '../delivery/provider-errors.ts';
import {
  DEFAULT_CAPTCHA_TIMEOUT_MS,
  captchaReason,
  endpointOverride,
  failed,
  unavailable,
  type CaptchaSettings,
  type CaptchaVerdict,
  type CaptchaVerifier,
  type OpenedCaptcha,
} from './verifier.ts';

export const ALIYUN_CAPTCHA_ENDPOINT = 'captcha.cn-shanghai.aliyuncs.com';

/**
 * The SDK is CommonJS with `exports.default = Client`: Node's ESM loader hands over
 * `module.exports` as the default import, other loaders (tsx, Bun) the class itself.
 */
const CaptchaClient: typeof captchaSdk.default =
  (captchaSdk as unknown as { default?: typeof captchaSdk.default }).default ??
  (captchaSdk as unknown as typeof captchaSdk.default);

/** the SDK's Config class (@alicloud/openapi-core, not a dependency of ours): read field by field */
type ClientConfig = ConstructorParameters<typeof CaptchaClient>[0];

export function aliyunVerifier(
  config: Extract<OpenedCaptcha, { provider: 'aliyun' }>,
  settings: CaptchaSettings,
): CaptchaVerifier {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_CAPTCHA_TIMEOUT_MS;
  const secrets = [config.accessKeySecret, config.accessKeyId];
  const override = settings.aliyunEndpoint ? endpointOverride(settings.aliyunEndpoint) : undefined;
  const client = new CaptchaClient({
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    endpoint: override?.host ?? ALIYUN_CAPTCHA_ENDPOINT,
    protocol: override?.protocol ?? 'https',
    // the SDK's own socket timeouts (ms) clean up after our hard deadline
    connectTimeout: timeoutMs + 1000,
    readTimeout: timeoutMs + 1000,
  } as ClientConfig);

  return {
    async verify({ ticket }): Promise<CaptchaVerdict> {
      const hidden = [...secrets, ticket];
      try {
        const request = new VerifyIntelligentCaptchaRequest({ captchaVerifyParam: ticket, sceneId: config.sceneId });
        const answer = await withDeadline(timeoutMs, () => client.verifyIntelligentCaptcha(request));
        // typed by the SDK, but whatever the wire said: checked field by field
        const body = (answer?.body ?? {}) as {
          success?: unknown;
          code?: unknown;
          result?: { verifyResult?: unknown; verifyCode?: unknown };
        };
        const code = typeof body.code === 'string' ? body.code : undefined;
        const verifyCode = typeof body.result?.verifyCode === 'string' ? body.result.verifyCode : undefined;
        if (body.success !== true) return unavailable(captchaReason('aliyun_not_success', [code], hidden));
        if (body.result?.verifyResult === true) return { verdict: 'pass' };
        if (body.result?.verifyResult === false) return failed(captchaReason('aliyun_captcha', [verifyCode], hidden));
        return unavailable(captchaReason('aliyun_bad_answer', [code], hidden));
      } catch (err) {
        if (err instanceof DeadlineExceeded) return unavailable('aliyun_timeout');
        const e = (err ?? {}) as { code?: unknown; statusCode?: unknown };
        const code = typeof e.code === 'string' && e.code && e.code !== 'undefined' ? e.code : undefined;
        if (typeof e.statusCode === 'number') {
          const kind =
            e.statusCode >= 400 && e.statusCode < 500 && !code?.includes('Throttling')
              ? 'aliyun_rejected'
              : 'aliyun_http_error';
          return unavailable(captchaReason(kind, [e.statusCode, code], hidden));
        }
        return unavailable('aliyun_unreachable');
      }
    },
  };
}
