/**
 * Cloudflare Turnstile: POST https://challenges.cloudflare.com/turnstile/v0/siteverify, a form of
 * `secret`, `response` (the token) and `remoteip`, with plain fetch. The answer is
 * `{ success, 'error-codes': [...] }`:
 * - success true passes;
 * - `missing-input-secret`, `invalid-input-secret` (our secret), `bad-request` (our request) and
 *   `internal-error` (theirs) are `unavailable`;
 * - anything else with success false (`invalid-input-response`, `timeout-or-duplicate`,
 *   `missing-input-response`, a code we do not know) is `fail`.
 * A non-2xx answer without such a body, a network error or the deadline is `unavailable`.
 */
import {
  DEFAULT_CAPTCHA_TIMEOUT_MS,
  captchaReason,
  failed,
  unavailable,
  type CaptchaSettings,
  type CaptchaVerdict,
  type CaptchaVerifier,
  type OpenedCaptcha,
} from './verifier.ts';

export const TURNSTILE_VERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';

const NOT_THE_TICKET = new Set(['missing-input-secret', 'invalid-input-secret', 'bad-request', 'internal-error']);

export function turnstileVerifier(
  config: Extract<OpenedCaptcha, { provider: 'turnstile' }>,
  settings: CaptchaSettings,
): CaptchaVerifier {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_CAPTCHA_TIMEOUT_MS;
  const url = settings.turnstileVerifyUrl ?? TURNSTILE_VERIFY_URL;

  return {
    async verify({ ticket, ip }): Promise<CaptchaVerdict> {
      const hidden = [config.secretKey, ticket];
      const form = new URLSearchParams({ secret: config.secretKey, response: ticket });
      if (ip) form.set('remoteip', ip);
      let status: number;
      let answer: unknown;
      try {
        const res = await fetch(url, {
          method: 'POST',
          body: form,
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        answer = await res.json().catch(() => undefined);
      } catch (err) {
        const name = (err as { name?: unknown } | null)?.name;
        return unavailable(name === 'TimeoutError' ? 'turnstile_timeout' : 'turnstile_unreachable');
      }
      const body = (answer ?? {}) as { success?: unknown; 'error-codes'?: unknown };
      const codes = Array.isArray(body['error-codes'])
        ? body['error-codes'].filter((c): c is string => typeof c === 'string')
        : [];
      if (status >= 200 && status < 300 && body.success === true) return { verdict: 'pass' };
      if (body.success !== false || status >= 500)
        return unavailable(captchaReason('turnstile_http_error', [status, ...codes], hidden));
      if (codes.some((c) => NOT_THE_TICKET.has(c)))
        return unavailable(captchaReason('turnstile_rejected', codes, hidden));
      return failed(captchaReason('turnstile_captcha', codes, hidden));
    },
  };
}
