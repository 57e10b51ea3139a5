/**
 * Helpers shared by the real delivery adapters (Resend, Tencent Cloud, Twilio): stable failure
 * reasons that can never carry a credential, and a hard per-request deadline so a hung provider
 * becomes a retryable failure instead of a stuck outbox worker.
 */
import type { DeliveryResult } from './sender.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Keeps only characters that provider error codes use; bounded length (also for captcha verdicts, bff/src/captcha/verifier.ts). */
export function cleanPart(part: string | number | null | undefined): string | null {
  if (part === null || part === undefined || part === '') return null;
  const s = String(part)
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 80);
  return s || null;
}

/**
 * `kind` is a short stable description (`resend_rate_limited`); `codes` are the provider's own
 * status/error codes. Free text from the provider (messages, URLs) is never included, and any
 * configured secret is masked in case a code ever echoed one.
 */
export function failure(
  retryable: boolean,
  kind: string,
  codes: Array<string | number | null | undefined>,
  secrets: Array<string | undefined>,
): DeliveryResult & { ok: false } {
  let reason = [kind, ...codes.map(cleanPart).filter((c): c is string => c !== null)].join(':');
  for (const secret of secrets) {
    if (secret && secret.length >= 4) reason = reason.split(secret).join('[redacted]');
  }
  return { ok: false, retryable, reason };
}

export class DeadlineExceeded extends Error {
  constructor() {
    super('deadline exceeded');
  }
}

/**
 * Runs `work` with an AbortSignal that fires after `ms`; rejects with DeadlineExceeded at that
 * moment even if the SDK ignores the signal (its own socket timeout then cleans up later).
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DeadlineExceeded());
      reject(new DeadlineExceeded());
    }, ms);
  });
  const running = work(controller.signal);
  running.catch(() => {}); // a late rejection after the deadline must not become unhandled
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function isMainlandChina(e164: string): boolean {
  return e164.startsWith('+86');
}
