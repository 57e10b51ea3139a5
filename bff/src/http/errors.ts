import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  AppError,
  type ErrorBody,
  type ErrorCode,
  type ErrorParams,
  type FieldIssue,
} from '../../../shared/src/errors.ts';
import { errorMessage } from '../../../shared/src/i18n/index.ts';
import { databaseUnavailable } from '../db/create.ts';
import { silentLogger, type Logger } from '../log.ts';
import { RETRY_AFTER_SECONDS } from './deadline.ts';
import type { AppEnv } from './context.ts';
import { requestLocale } from './context.ts';

/** Builds the shared error body, with messages in the request's locale. */
export function errorResponse(
  c: Context<AppEnv>,
  code: ErrorCode,
  params?: ErrorParams,
  fields?: FieldIssue[],
  status?: number,
) {
  const locale = requestLocale(c, c.get('tenant'));
  const body: ErrorBody = { error: { code, message: errorMessage(locale, code, params) } };
  if (params) body.error.params = params;
  if (fields && fields.length > 0) {
    body.error.fields = fields.map((f) => ({ ...f, message: errorMessage(locale, f.code, f.params) }));
  }
  const requestId = c.get('requestId');
  if (requestId) body.error.requestId = requestId;
  const err = new AppError(code);
  const finalStatus = status ?? err.status;
  // the rest of a refused body is never read: close the connection, or its bytes would be taken
  // for the next request on it (a keep-alive client's next call would fail)
  if (finalStatus === 413) c.header('connection', 'close');
  // a refusal for a while says for how long, as RFC 9110 asks (limits, cooldowns)
  if (finalStatus === 429 && typeof params?.seconds === 'number')
    c.header('retry-after', String(Math.max(1, Math.ceil(params.seconds))));
  // an outage is worth retrying shortly: say when (docs/operating.md "During a database outage")
  if (finalStatus === 503)
    c.header(
      'retry-after',
      String(typeof params?.seconds === 'number' ? Math.max(1, Math.ceil(params.seconds)) : RETRY_AFTER_SECONDS),
    );
  return c.json(body, finalStatus as 400);
}

/**
 * One place maps every failure: AppError → its 4xx; Hono's own 4xx → our codes; anything else →
 * a 500 without internals, logged with its stack. A refused request gets an info line with its
 * code only (params may echo user input, so they stay out of the log).
 */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context<AppEnv>) => {
    const requestId = c.get('requestId');
    if (err instanceof AppError) {
      if (err.status < 500) log.info('request refused', { requestId, code: err.code, status: err.status });
      else if (err.code === 'service_unavailable')
        log.warn('request timed out', { requestId, code: err.code, status: err.status });
      else log.error('request failed', { requestId, code: err.code, status: err.status, error: err });
      return errorResponse(c, err.code, err.params, err.fields);
    }
    if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
      const code: ErrorCode =
        err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_input';
      const status = code === 'invalid_input' ? 400 : new AppError(code).status;
      log.info('request refused', { requestId, code, status });
      return errorResponse(c, code, undefined, undefined, status);
    }
    if (databaseUnavailable(err)) {
      // the driver's message only names the failure (no query, no parameters, no address)
      log.warn('database unavailable', { requestId, code: 'service_unavailable', reason: reasonOf(err) });
      return errorResponse(c, 'service_unavailable', { seconds: RETRY_AFTER_SECONDS });
    }
    log.error('unhandled error', { requestId, error: err });
    return errorResponse(c, 'internal_error');
  };
}

/** A short name for a database failure: its SQLSTATE or errno code, else the driver's message cut short. */
function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string') return e.code;
  return typeof e.message === 'string' ? e.message.slice(0, 80) : 'error';
}

/** The handler without a logger (tests and tools that build a bare app). */
export const onError = errorHandler(silentLogger);
