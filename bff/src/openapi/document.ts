/**
 * The OpenAPI 3.1 document of the public (/v1), admin (/admin/v1), well-known and email-link
 * routes, generated from their definitions (bff/src/openapi/define.ts) as the app registered them:
 * the zod schemas that validate the requests and the answers' schemas (shared/src/api.ts,
 * shared/src/admin-api.ts). Bodies that follow a tenant's rules (password policy, phone regions)
 * are shown with the default rules; the refinements JSON Schema cannot express (password classes,
 * phone validity) are described by the error codes they answer with.
 */
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import { ZodType } from 'zod';
import { ERROR_STATUS } from '../../../shared/src/errors.ts';
import { HEADER_PUBLISHABLE_KEY } from '../../../shared/src/headers.ts';
import { authOf, TAGS, type Auth } from './define.ts';

/** The app whose registered routes are documented (createApp's). */
type Documented = Pick<OpenAPIHono, 'getOpenAPI31Document' | 'openAPIRegistry'>;

const DESCRIPTION =
  'Accounts for many tenants: registration with a verified phone, sign-in, security settings, virtual MFA, sub-users (/v1, called by the widgets with a publishable key), tokens for tenant backends (JWKS), and the admin API for tenant servers (/admin/v1, secret key). Every error answers `{ error: { code, message, params?, fields? } }`.';

const SECURITY_SCHEMES = {
  publishableKey: { type: 'apiKey', in: 'header', name: HEADER_PUBLISHABLE_KEY },
  sessionCookie: { type: 'apiKey', in: 'cookie', name: 'jd_session_<tenant>' },
  sessionToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'token mode: the session token from the sign-in answer',
  },
  secretKey: {
    type: 'http',
    scheme: 'bearer',
    description: "the tenant's secret key (admin API only; never in a browser)",
  },
};

/** Every error answer (http/errors.ts errorResponse). */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
        message: { type: 'string' },
        params: { type: 'object' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
          },
        },
        requestId: { type: 'string' },
      },
    },
  },
};

/** Builds the document; `serverUrl` is where this BFF answers. */
export function openApiDocument(app: Documented, serverUrl: string) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'jd-account BFF', version: '1', description: DESCRIPTION },
    servers: [{ url: serverUrl }],
    tags: TAGS.map((name) => ({ name })),
  });
  const { webhooks: _none, ...rest } = doc;
  return {
    ...rest,
    components: {
      ...doc.components,
      securitySchemes: SECURITY_SCHEMES,
      schemas: { ...doc.components?.schemas, Error: ERROR_SCHEMA },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** One documented operation, with its request schemas (for tests that walk the whole API). */
export interface Operation {
  method: RouteConfig['method'];
  /** Hono-style path (`/v1/sub-users/:id`) */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  body?: ZodType;
  query?: ZodType;
}

/** The operations the app documents, as registered (paths with their mount prefixes). */
export function apiOperations(app: Pick<OpenAPIHono, 'openAPIRegistry'>): Operation[] {
  return app.openAPIRegistry.definitions.flatMap((definition): Operation[] => {
    if (definition.type !== 'route') return [];
    const { route } = definition;
    const json = route.request?.body?.content['application/json'];
    const body = json && 'schema' in json && json.schema instanceof ZodType ? json.schema : undefined;
    const query = route.request?.query;
    return [
      {
        method: route.method,
        path: route.path.replace(/\{([A-Za-z]+)\}/g, ':$1'),
        tag: route.tags?.[0] ?? '',
        summary: route.summary ?? '',
        auth: authOf(route),
        ...(body ? { body } : {}),
        ...(query ? { query } : {}),
      },
    ];
  });
}
