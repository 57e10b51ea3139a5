/**
 * One definition per endpoint: `defineRoute` turns what a route is — method, path, who may call
 * it, request schemas, the success answer's schema, summary, tag, whether it takes an
 * Idempotency-Key — into the @hono/zod-openapi route that both registers the Hono route
 * (`app.openapi(route, handler)`: validation, typed `c.req.valid(…)` and typed answers) and feeds
 * the OpenAPI document (bff/src/openapi/document.ts). `withMiddleware` adds the middleware a
 * definition asks for when the route is registered.
 */
import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import { HEADER_IDEMPOTENCY_KEY, HEADER_LOCALE, HEADER_SESSION_MODE } from '../../../shared/src/headers.ts';
import { LOCALES } from '../../../shared/src/i18n/index.ts';
import { idempotent } from '../http/idempotency.ts';
import { tenantBodyValidator } from '../http/validate.ts';
import type { ServiceDeps } from '../services/deps.ts';

/** Who may call a route: the key or session it needs (documented as its `security`). */
export const AUTHS = ['publishable', 'session', 'pending', 'admin', 'none'] as const;
export type Auth = (typeof AUTHS)[number];

/** The document's sections, in this order. */
export const TAGS = [
  'Tenant',
  'Registration',
  'Sessions',
  'Security settings',
  'Virtual MFA',
  'Sub-users',
  'Tokens',
  'Email link',
  'Admin',
] as const;
export type Tag = (typeof TAGS)[number];

/** Where a route's `Auth` is kept in its definition (and in the document: an OpenAPI extension). */
export const AUTH_KEY = 'x-jd-auth';

/** A registered route's (or a documented operation's) `Auth`, as its definition gave it. */
export function authOf(route: object): Auth {
  const value: unknown = AUTH_KEY in route ? route[AUTH_KEY] : undefined;
  return AUTHS.find((auth) => auth === value) ?? 'none';
}

export const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  publishable: [{ publishableKey: [] }],
  session: [
    { publishableKey: [], sessionCookie: [] },
    { publishableKey: [], sessionToken: [] },
  ],
  // a session whose MFA step is still due is accepted too
  pending: [
    { publishableKey: [], sessionCookie: [] },
    { publishableKey: [], sessionToken: [] },
  ],
  admin: [{ secretKey: [] }],
  none: [],
};

/** A documented request header (checked, where it is, by the middleware that reads it). */
const header = (
  name: string,
  description: string,
  schema: { type: 'string'; enum?: string[]; minLength?: number; maxLength?: number; pattern?: string },
) => ({ name, in: 'header' as const, required: false, description, schema });

const LOCALE_HEADER = header(
  HEADER_LOCALE,
  "the language of messages (else Accept-Language, else the tenant's default)",
  { type: 'string', enum: [...LOCALES] },
);

const SESSION_MODE_HEADER = header(
  HEADER_SESSION_MODE,
  '`token`: the session comes back as a bearer token in the answer instead of a cookie',
  { type: 'string', enum: ['cookie', 'token'] },
);

const IDEMPOTENCY_KEY_HEADER = header(
  HEADER_IDEMPOTENCY_KEY,
  'A retry with the same key (and the same body) within 24 h answers the first answer again, with `Idempotent-Replayed: true`; the same key with another body: 422 idempotency_key_reused; while the first is running: 409 idempotency_in_progress (Retry-After).',
  { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
);

/** Every route's error answer: the product's error shape (components.schemas.Error, document.ts). */
const ERROR_ANSWERS = {
  '4XX': {
    description: 'A stable error code with a localised message (zh-CN or en)',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
} as const;

type Definition = Omit<RouteConfig, 'tags' | 'security' | 'parameters' | 'middleware' | 'hide' | 'summary'> & {
  tag: Tag;
  summary: string;
  auth: Auth;
  /** takes an Idempotency-Key (bff/src/http/idempotency.ts); withMiddleware adds the middleware */
  idempotent?: boolean;
  /** the answer opens a session: X-JD-Session-Mode chooses a cookie or a bearer token */
  opensSession?: boolean;
};

/**
 * A route, defined once. Paths are OpenAPI-style (`/sub-users/{id}`), relative to the group the
 * route is mounted in. Widget routes (a publishable key) document the locale header.
 */
export function defineRoute<const D extends Definition>(definition: D) {
  const { tag, auth, idempotent: takesKey, opensSession, ...route } = definition;
  const widget = auth === 'publishable' || auth === 'session' || auth === 'pending';
  return createRoute({
    ...route,
    tags: [tag],
    security: SECURITY[auth],
    [AUTH_KEY]: auth,
    parameters: [
      ...(widget ? [LOCALE_HEADER] : []),
      ...(opensSession ? [SESSION_MODE_HEADER] : []),
      ...(takesKey ? [IDEMPOTENCY_KEY_HEADER] : []),
    ],
    responses: { ...route.responses, ...ERROR_ANSWERS },
  });
}

/** A JSON request body, required. */
export const jsonBody = <S extends ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** A JSON success answer. */
export const jsonAnswer = <S extends ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const takesIdempotencyKey = (route: RouteConfig) => route.parameters?.some((p) => p === IDEMPOTENCY_KEY_HEADER);

/**
 * The route as registered, with the middleware its definition asks for after `before` (a route's
 * own body limit): the Idempotency-Key (after any body limit: it reads the body), then, for a
 * body that follows the tenant's rules (http/validate.ts tenantJsonBody), the tenant's validation
 * in place of the default-rules schema's, which then only documents and types the body.
 */
export function withMiddleware<R extends RouteConfig>(
  app: Pick<OpenAPIHono, 'openAPIRegistry'>,
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'log'>,
  route: R,
  before: MiddlewareHandler[] = [],
): R {
  const middleware = [...before, ...(takesIdempotencyKey(route) ? [idempotent(deps)] : [])];
  const json = route.request?.body?.content['application/json'];
  const tenantBody = tenantBodyValidator(json && 'schema' in json ? json.schema : undefined);
  if (!tenantBody) return { ...route, middleware };
  // documented with the body; registered without it, so only the tenant's schema validates it
  const { middleware: _none, hide: _shown, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { body: _validatedPerTenant, ...request } = route.request ?? {};
  return { ...route, hide: true, request, middleware: [...middleware, tenantBody] };
}
