/**
 * Email through Resend's official SDK. `deliver` never throws: the SDK answers errors as
 * `{ data: null, error: { statusCode, name, message } }` (statusCode null for network failures),
 * which is mapped to a retryable or final DeliveryResult here.
 */
import { Resend } from 'resend';
import { DEFAULT_TIMEOUT_MS, DeadlineExceeded, failure, withDeadline } from './provider-errors.ts';
import type { DeliveryResult, MessageSender, OutgoingMessage } from './sender.ts';

export interface ResendSenderConfig {
  /** re_… API key (sending access is enough) */
  apiKey: string;
  /** verified sender, e.g. `Example <no-reply@mail.example.com>` */
  from: string;
  /** default https://api.resend.com; a local fake in tests */
  baseUrl?: string;
  /** hard deadline per request; default 10 s */
  timeoutMs?: number;
  /** optional Reply-To */
  replyTo?: string;
}

/** 429s that will not clear within a code's lifetime: retrying only burns attempts. */
const FINAL_NAMES = new Set(['daily_quota_exceeded', 'monthly_quota_exceeded']);

interface ResendErrorLike {
  statusCode?: number | null;
  name?: string;
}

export function mapResendError(error: ResendErrorLike, secrets: string[]): DeliveryResult & { ok: false } {
  const status = typeof error.statusCode === 'number' ? error.statusCode : null;
  const name = typeof error.name === 'string' ? error.name : 'unknown';
  if (status === null) return failure(true, 'resend_unreachable', [name], secrets);
  if (FINAL_NAMES.has(name)) return failure(false, 'resend_quota_exceeded', [status, name], secrets);
  if (status === 429 || name === 'rate_limit_exceeded')
    return failure(true, 'resend_rate_limited', [status, name], secrets);
  if (status >= 500) return failure(true, 'resend_server_error', [status, name], secrets);
  // 409: the same Idempotency-Key is still being processed; the retry will get its answer
  if (name === 'concurrent_idempotent_requests') return failure(true, 'resend_conflict', [status, name], secrets);
  if (status === 401 || status === 403 || name.includes('api_key'))
    return failure(false, 'resend_auth_failed', [status, name], secrets);
  return failure(false, 'resend_rejected', [status, name], secrets);
}

export function createResendSender(config: ResendSenderConfig): MessageSender {
  if (!config.apiKey) throw new Error('resend: apiKey is required');
  if (!config.from) throw new Error('resend: from is required');
  const client = new Resend(
    config.apiKey,
    config.baseUrl ? { baseUrl: config.baseUrl.replace(/\/+$/, '') } : undefined,
  );
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = [config.apiKey];

  return {
    name: 'resend',
    async deliver(message: OutgoingMessage): Promise<DeliveryResult> {
      if (message.channel !== 'email') return failure(false, 'resend_unsupported_channel', [message.channel], secrets);
      try {
        const { data, error } = await withDeadline(timeoutMs, (signal) =>
          client.emails.send(
            {
              from: config.from,
              to: [message.to],
              subject: message.subject ?? '',
              text: message.text,
              ...(message.html ? { html: message.html } : {}),
              ...(config.replyTo ? { replyTo: config.replyTo } : {}),
            },
            { idempotencyKey: message.id, signal },
          ),
        );
        if (error) return mapResendError(error, secrets);
        if (!data?.id) return failure(true, 'resend_bad_answer', [], secrets);
        return { ok: true, providerId: data.id };
      } catch (err) {
        if (err instanceof DeadlineExceeded) return failure(true, 'resend_timeout', [], secrets);
        return failure(true, 'resend_unexpected_error', [], secrets);
      }
    },
  };
}
