import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../shared/src/errors.ts';
import type { AppEnv } from './context.ts';

/** The one request whose body may take long to arrive on a slow uplink. */
const SLOW_UPLOAD_PATH = '/v1/mfa-recovery/applications';

/** What a client is told to wait before retrying a request that met an outage (seconds). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * No request waits unbounded (docs/operating.md "Timeouts"): past the deadline it is answered
 * 503 service_unavailable with Retry-After. The database's own timeouts are shorter, so this
 * catches what they cannot see (a hung provider call, a stalled pool). The work itself is not
 * cancelled — JavaScript cannot stop a promise — but its late result is dropped.
 */
export function requestDeadline(ms: number, slowUploadMs: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // the deadline counts the body's upload too: the large one (a lost-device application with its
    // photos) gets the Node server's request timeout on top (bff/src/http/server-options.ts)
    const limit = c.req.method === 'POST' && c.req.path.startsWith(SLOW_UPLOAD_PATH) ? ms + slowUploadMs : ms;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('service_unavailable', { seconds: RETRY_AFTER_SECONDS })), limit);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
