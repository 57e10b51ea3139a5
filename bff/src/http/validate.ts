import { OpenAPIHono } from '@hono/zod-openapi';
import { zValidator } from '@hono/zod-validator';
import type { Env, MiddlewareHandler } from 'hono';
import type { z, ZodType } from 'zod';
import type { TenantConfig } from '../../../shared/src/tenant.ts';
import { defaultTenantConfig } from '../../../shared/src/tenant.ts';
import type { AppEnv } from './context.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { fieldIssuesFromZod, type TenantRules } from '../../../shared/src/api.ts';
import { isCommonPasswordOnServer } from '../services/passwords.ts';
import type { FieldIssue } from '../../../shared/src/errors.ts';
import { hasInvalidTextChars, withoutInvalidTextChars } from '../../../shared/src/rules/text.ts';

/** A URL of printable ASCII only (U+0021–U+007E) without `%`: its decoded path and query are the same characters. */
const PLAIN_URL = /^[\x21-\x24\x26-\x7e]*$/;

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
export function refuseInvalidUrlText(requestUrl: string): void {
  // printable ASCII with no percent escape decodes to printable ASCII: nothing to refuse, and no
  // URL to parse (every request passes here; the session check's hot path, docs/benchmarks.md)
  if (PLAIN_URL.test(requestUrl)) return;
  const url = new URL(requestUrl);
  const fields: FieldIssue[] = [];
  if (url.pathname.split('/').some((segment) => hasInvalidTextChars(decodeSegment(segment))))
    fields.push({ path: 'path', code: 'text_invalid_chars' });
  for (const [key, value] of url.searchParams) {
    if (hasInvalidTextChars(key) || hasInvalidTextChars(value))
      fields.push({ path: withoutInvalidTextChars(key).slice(0, 64), code: 'text_invalid_chars' });
  }
  if (fields.length) throw new AppError('invalid_input', undefined, fields);
}

/** Every route's validation outcome: a failure becomes `invalid_input` with the field issues. */
function refuseInvalid(result: { success: true } | { success: false; error: z.core.$ZodError }): void {
  if (!result.success) throw new AppError('invalid_input', undefined, fieldIssuesFromZod(result.error.issues));
}

/** A group of routes (`app.openapi(route, handler)`), validated as above. */
export function apiRoutes<E extends Env = AppEnv>() {
  return new OpenAPIHono<E>({ defaultHook: refuseInvalid });
}

type TenantRulesOfServer = TenantConfig & Pick<TenantRules, 'isCommonPassword'>;

/** The builders of tenant-dependent bodies, by the default-rules schema that documents each. */
const tenantBuilders = new WeakMap<object, (rules: TenantRulesOfServer) => ZodType>();

/**
 * A JSON body that follows the tenant's rules (password policy, phone regions), for a route's
 * definition: the schema built with the default rules documents the body and types
 * `c.req.valid('json')`; registered through withMiddleware (bff/src/openapi/define.ts), the body is
 * validated with the schema built from the tenant's rules instead, and the handler reads that
 * schema's output (a phone number in E.164, a normalised account name).
 */
export function tenantJsonBody<S extends ZodType>(build: (rules: TenantRulesOfServer) => S) {
  // never the validator: a route registered without withMiddleware fails loudly, not with the defaults
  const documented = build(defaultTenantConfig('Tenant')).superRefine(() => {
    throw new Error('a tenant-dependent body is validated by withMiddleware (bff/src/openapi/define.ts)');
  });
  tenantBuilders.set(documented, build);
  return { required: true, content: { 'application/json': { schema: documented } } };
}

/**
 * The middleware that validates a tenantJsonBody with the tenant's rules, or undefined for any
 * other schema. Schemas are built once per tenant config object.
 */
export function tenantBodyValidator(documented: unknown): MiddlewareHandler<AppEnv> | undefined {
  const build = typeof documented === 'object' && documented !== null ? tenantBuilders.get(documented) : undefined;
  if (!build) return undefined;
  const cache = new WeakMap<TenantConfig, MiddlewareHandler>();
  return async (c, next) => {
    const config = c.get('tenant').config;
    let validate = cache.get(config);
    if (!validate) {
      // the server's full common-password list joins the tenant's rules here (loaded on first use)
      validate = zValidator('json', build({ ...config, isCommonPassword: isCommonPasswordOnServer }), refuseInvalid);
      cache.set(config, validate);
    }
    return validate(c, next);
  };
}
