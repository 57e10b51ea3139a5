import { zValidator } from '@hono/zod-validator';
import type { Context, MiddlewareHandler } from 'hono';
import type { TenantConfig } from '../../../shared/src/tenant.ts';
import type { AppEnv } from './context.ts';
import type { ZodType } from 'zod';
import { AppError } from '../../../shared/src/errors.ts';
import { fieldIssuesFromZod } from '../../../shared/src/api.ts';

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
  build: (rules: TenantConfig) => ZodType,
): MiddlewareHandler<AppEnv> {
  const cache = new WeakMap<TenantConfig, MiddlewareHandler>();
  return async (c, next) => {
    const config = c.get('tenant').config;
    let mw = cache.get(config);
    if (!mw) {
      mw = validate(target, build(config)) as unknown as MiddlewareHandler;
      cache.set(config, mw);
    }
    return mw(c, next);
  };
}

/** The data a validator above stored on the request. */
export function validated<T>(c: Context, target: 'json' | 'query' | 'param'): T {
  return (c.req.valid as (t: string) => unknown)(target) as T;
}
