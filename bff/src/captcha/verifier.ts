/**
 * Server-side verification of a solved captcha (shared/src/captcha.ts): one `CaptchaVerifier` per
 * provider, built from the tenant's setting with its secrets opened (./config.ts `openCaptcha`).
 *
 * A verification ends in one of three verdicts, never an exception:
 * - `pass`: the provider accepted the ticket;
 * - `fail`: the provider says the ticket is wrong, expired or replayed (the user may try again);
 * - `unavailable`: the provider could not say (unreachable, timeout, 5xx, a nonsense answer) or
 *   refused OUR credentials; the tenant's `onProviderDown` decides what follows.
 * When a provider answers "not passed" with a code we do not know, the verdict is `fail`, never
 * `unavailable`: a tenant with `onProviderDown: 'allow'` must not let an unknown refusal through.
 *
 * `reason` is for logs: a short kind and the provider's own codes, cleaned to `[A-Za-z0-9._-]`,
 * with every configured secret and the ticket masked, in case a provider ever echoes one.
 */
import { cleanPart } from '../delivery/provider-errors.ts';
import { aliyunVerifier } from './aliyun.ts';
import { tencentVerifier } from './tencent.ts';
import { turnstileVerifier } from './turnstile.ts';

export interface CaptchaSettings {
  /**
   * Operator overrides for local fakes: Tencent host[:port] (like TencentSenderConfig.endpoint),
   * Aliyun endpoint host[:port], Turnstile siteverify URL. A host may be written with a scheme
   * (`http://127.0.0.1:8080`); without one, loopback hosts are reached over http, others over https.
   */
  tencentEndpoint?: string;
  aliyunEndpoint?: string;
  turnstileVerifyUrl?: string;
  /** deadline per verification, ms (default 5000) */
  timeoutMs?: number;
}

/** The provider's config with its secrets opened (the caller unseals them). */
export type OpenedCaptcha =
  | { provider: 'tencent'; captchaAppId: string; appSecretKey: string; secretId: string; secretKey: string }
  | { provider: 'aliyun'; sceneId: string; accessKeyId: string; accessKeySecret: string }
  | { provider: 'turnstile'; siteKey: string; secretKey: string };

export type CaptchaVerdict =
  | { verdict: 'pass' }
  /** the provider says the ticket is wrong, expired, replayed */
  | { verdict: 'fail'; reason: string }
  /** unreachable, timeout, 5xx, auth/config error on OUR side, nonsense answer */
  | { verdict: 'unavailable'; reason: string };

export interface CaptchaAttempt {
  ticket: string;
  /** Tencent only: the random string the browser got with the ticket */
  randstr?: string;
  /** the user's address, where the provider's API carries one */
  ip: string | null;
}

export interface CaptchaVerifier {
  verify(input: CaptchaAttempt): Promise<CaptchaVerdict>;
}

export const DEFAULT_CAPTCHA_TIMEOUT_MS = 5000;

export function captchaVerifier(config: OpenedCaptcha, settings: CaptchaSettings = {}): CaptchaVerifier {
  switch (config.provider) {
    case 'tencent':
      return tencentVerifier(config, settings);
    case 'aliyun':
      return aliyunVerifier(config, settings);
    case 'turnstile':
      return turnstileVerifier(config, settings);
  }
}

/** `kind:code:code`, with each of `hidden` (secrets, the ticket) masked. */
export function captchaReason(
  kind: string,
  codes: Array<string | number | null | undefined>,
  hidden: Array<string | undefined>,
): string {
  let reason = [kind, ...codes.map(cleanPart).filter((c): c is string => c !== null)].join(':');
  for (const h of hidden) {
    // masks the cleaned form too: a code that echoed a secret went through cleanPart
    for (const form of h ? [h, cleanPart(h) ?? ''] : []) {
      if (form.length >= 4) reason = reason.split(form).join('[redacted]');
    }
  }
  return reason;
}

export const failed = (reason: string): CaptchaVerdict => ({ verdict: 'fail', reason });
export const unavailable = (reason: string): CaptchaVerdict => ({ verdict: 'unavailable', reason });

/**
 * An operator's endpoint override, `host[:port]` or `scheme://host[:port]`: the host and the
 * protocol to reach it with (http only for a scheme that says so or a loopback host).
 */
export function endpointOverride(value: string): { host: string; protocol: 'http' | 'https' } {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(value);
  if (m) return { host: m[2], protocol: m[1] === 'http' ? 'http' : 'https' };
  const hostname = value.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = hostname === 'localhost' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  return { host: value, protocol: loopback ? 'http' : 'https' };
}
