/**
 * Tencent Cloud Captcha (腾讯云验证码): DescribeCaptchaResult (API 2019-07-22, captcha.tencentcloudapi.com)
 * through the Tencent Cloud SDK's `CommonClient` (TC3-HMAC-SHA256 signing; the per-product captcha
 * package would add a dependency for one call).
 *
 * The answer is `{ CaptchaCode, CaptchaMsg, EvilLevel, ... }`. CaptchaCode 1 passes, unless
 * EvilLevel is 100 (Tencent's advice for invisible mode: the request was judged malicious). Every
 * other code is a refusal of this ticket (Tencent's list: 7 randstr mismatch, 8 expired, 9 reused,
 * 15 decryption failed, 16 app id mismatch, 21 risk control or a disaster-recovery ticket, 100
 * app id / AppSecretKey / ticket mismatch), so `fail`. Note that a wrong AppSecretKey is also 100:
 * Tencent cannot tell it from a ticket of another app, so a misconfigured key shows in the logs as
 * `tencent_captcha:100` on every attempt, not as `unavailable`.
 *
 * An SDK exception is `unavailable`: with an API code (AuthFailure.*, UnauthorizedOperation.*,
 * InvalidParameter*, MissingParameter: our configuration; InternalError.*, limits: theirs), with an
 * HTTP status (5xx), or neither (connection refused, reset, timeout).
 */
import tencentCommon from 'tencentcloud-sdk-nodejs-common';
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

export const TENCENT_CAPTCHA_ENDPOINT = 'captcha.tencentcloudapi.com';
const VERSION = '2019-07-22';
/** slider/"smart" captcha: the only type DescribeCaptchaResult accepts */
const CAPTCHA_TYPE = 9;

/** Codes that mean our setting is wrong (keys, permissions, parameters), not their service. */
function isConfigCode(code: string): boolean {
  const top = code.split('.')[0] ?? code;
  return [
    'AuthFailure',
    'UnauthorizedOperation',
    'InvalidParameter',
    'InvalidParameterValue',
    'MissingParameter',
  ].includes(top);
}

export function tencentVerifier(
  config: Extract<OpenedCaptcha, { provider: 'tencent' }>,
  settings: CaptchaSettings,
): CaptchaVerifier {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_CAPTCHA_TIMEOUT_MS;
  const secrets = [config.secretKey, config.appSecretKey, config.secretId];
  const override = settings.tencentEndpoint ? endpointOverride(settings.tencentEndpoint) : undefined;
  const client = new tencentCommon.CommonClient(TENCENT_CAPTCHA_ENDPOINT, VERSION, {
    credential: { secretId: config.secretId, secretKey: config.secretKey },
    region: '',
    profile: {
      httpProfile: {
        endpoint: override?.host ?? TENCENT_CAPTCHA_ENDPOINT,
        protocol: `${override?.protocol ?? 'https'}://`,
        reqMethod: 'POST',
        // the SDK's own socket timeout (seconds) cleans up after our hard deadline
        reqTimeout: Math.max(1, Math.ceil(timeoutMs / 1000) + 1),
      },
    },
  });

  return {
    async verify({ ticket, randstr, ip }): Promise<CaptchaVerdict> {
      const hidden = [...secrets, ticket];
      try {
        // the SDK types answers as `any`; the shape is checked field by field below
        const answer: unknown = await withDeadline(timeoutMs, (signal) =>
          client.request(
            'DescribeCaptchaResult',
            {
              CaptchaType: CAPTCHA_TYPE,
              Ticket: ticket,
              // required by the API; an unknown address is sent empty rather than made up
              UserIp: ip ?? '',
              Randstr: randstr ?? '',
              CaptchaAppId: Number(config.captchaAppId),
              AppSecretKey: config.appSecretKey,
            },
            { signal },
          ),
        );
        const { CaptchaCode: code, EvilLevel: evil } = (answer ?? {}) as { CaptchaCode?: unknown; EvilLevel?: unknown };
        if (typeof code !== 'number') return unavailable(captchaReason('tencent_bad_answer', [], hidden));
        if (code !== 1) return failed(captchaReason('tencent_captcha', [code], hidden));
        if (evil === 100) return failed(captchaReason('tencent_evil', [code, evil], hidden));
        return { verdict: 'pass' };
      } catch (err) {
        if (err instanceof DeadlineExceeded) return unavailable('tencent_timeout');
        const e = (err ?? {}) as { code?: unknown; httpCode?: unknown };
        if (typeof e.code === 'string' && e.code) {
          const kind = isConfigCode(e.code) ? 'tencent_config' : 'tencent_error';
          return unavailable(captchaReason(kind, [e.code], hidden));
        }
        if (typeof e.httpCode === 'number')
          return unavailable(captchaReason('tencent_http_error', [e.httpCode], hidden));
        return unavailable('tencent_unreachable');
      }
    },
  };
}
