import { zValidator } from '@hono/zod-validator';
import type { Context, MiddlewareHandler } from 'hono';
import type { TenantConfig } from '../../../shared/src/tenant.ts';
import type { AppEnv } from './context.ts';
import type { ZodType } from 'zod';
import { AppError } from '../../../shared/src/errors.ts';
import { fieldIssuesFromZod, type TenantRules } from '../../../shared/src/api.ts';
import { isCommonPasswordOnServer } from '../services/passwords.ts';
import type { FieldIssue } from '../../../shared/src/errors.ts';
import { hasInvalidTextChars, withoutInvalidTextChars } from '../../../shared/src/rules/text.ts';

const decodeSegment = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // not UTF-8 once decoded: left as it is, and no route or id matches it
  }
};

/**
 * The text rule (shared/src/rules/text.ts) for what no zod schema sees: every path segment and
 * every query key and value, percent-decoded. Path parameters (ids, a tenant slug), the
 * publishable key in `?pk=` and link tokens all reach a lookup, and Postgres refuses NUL (a 500
 * before this). Answered like a field of a schema: `invalid_input` with `text_invalid_chars`.
 */
export const refuseInvalidUrlText: MiddlewareHandler = async (c, next) => {
  const url = new URL(c.req.url);
  const fields: FieldIssue[] = [];
  if (url.pathname.split('/').some((segment) => hasInvalidTextChars(decodeSegment(segment))))
    fields.push({ path: 'path', code: 'text_invalid_chars' });
  for (const [key, value] of url.searchParams) {
    if (hasInvalidTextChars(key) || hasInvalidTextChars(value))
      fields.push({ path: withoutInvalidTextChars(key).slice(0, 64), code: 'text_invalid_chars' });
  }
  if (fields.length) throw new AppError('invalid_input', undefined, fields);
  await next();
};

/** zod validation through @hono/zod-validator; failures become `invalid_input` with field issues. */
export function validate<T extends ZodType, Target extends 'json' | 'query' | 'param'>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new AppError('invalid_input', undefined, fieldIssuesFromZod(result.error.issues));
  });
}

/**
 * Validation with a schema built from the tenant's rules (password policy, phone regions),
 * still through @hono/zod-validator. Schemas are built once per tenant config object.
 */
export function validateForTenant<Target extends 'json' | 'query'>(
  target: Target,
  build: (rules: TenantConfig & Pick<TenantRules, 'isCommonPassword'>) => ZodType,
): MiddlewareHandler<AppEnv> {
  const cache = new WeakMap<TenantConfig, MiddlewareHandler>();
  return async (c, next) => {
    const config = c.get('tenant').config;
    let mw = cache.get(config);
    if (!mw) {
      // the server's full common-password list joins the tenant's rules here (loaded on first use)
      mw = validate(target, build({ ...config, isCommonPassword: isCommonPasswordOnServer }));
      cache.set(config, mw);
    }
    return mw(c, next);
  };
}

/** The data a validator above stored on the request. */
export function validated<T>(c: Context, target: 'json' | 'query' | 'param'): T {
  return (c.req.valid as (t: string) => unknown)(target) as T;
}
