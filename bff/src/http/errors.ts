import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, type ErrorBody, type ErrorCode, type ErrorParams, type FieldIssue } from '../../../shared/src/errors.ts';
import { errorMessage } from '../../../shared/src/i18n/index.ts';
import type { AppEnv } from './context.ts';
import { requestLocale } from './context.ts';

/** Builds the shared error body, with messages in the request's locale. */
export function errorResponse(c: Context<AppEnv>, code: ErrorCode, params?: ErrorParams, fields?: FieldIssue[], status?: number) {
  const locale = requestLocale(c, c.get('tenant'));
  const body: ErrorBody = { error: { code, message: errorMessage(locale, code, params) } };
  if (params) body.error.params = params;
  if (fields && fields.length > 0) {
    body.error.fields = fields.map((f) => ({ ...f, message: errorMessage(locale, f.code, f.params) }));
  }
  const requestId = c.get('requestId');
  if (requestId) body.error.requestId = requestId;
  const err = new AppError(code);
  return c.json(body, (status ?? err.status) as 400);
}

/** One place maps every failure: AppError → its 4xx; Hono's own 4xx → our codes; anything else → a logged 500 without internals. */
export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof AppError) return errorResponse(c, err.code, err.params, err.fields);
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 413) return errorResponse(c, 'payload_too_large');
    if (status === 415) return errorResponse(c, 'unsupported_media_type');
    if (status >= 400 && status < 500) return errorResponse(c, 'invalid_input', undefined, undefined, 400);
  }
  console.error(`[${c.get('requestId') ?? '-'}] unhandled error`, err);
  return errorResponse(c, 'internal_error');
}
