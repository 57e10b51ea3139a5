/**
 * The OpenAPI 3.1 document of the public (/v1), admin (/admin/v1) and well-known APIs, generated
 * from the zod schemas that validate the requests (shared/src/api.ts, shared/src/admin-api.ts,
 * shared/src/tenant-config.ts). Schemas that depend on a tenant's rules (password policy, phone
 * regions) are shown with the defaults; the refinements zod cannot express in JSON Schema
 * (password classes, phone validity) are described by the error codes they answer with.
 * bff/test/openapi.test.ts checks that every route of the app is documented here and back.
 */
import { z } from 'zod';
import * as api from '../../../shared/src/api.ts';
import * as admin from '../../../shared/src/admin-api.ts';
import { ERROR_STATUS } from '../../../shared/src/errors.ts';
import {
  HEADER_IDEMPOTENCY_KEY,
  HEADER_LOCALE,
  HEADER_PUBLISHABLE_KEY,
  HEADER_SESSION_MODE,
} from '../../../shared/src/headers.ts';
import { defaultTenantConfig } from '../../../shared/src/tenant.ts';
import { tenantConfigPatch } from '../../../shared/src/tenant-config.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Auth = 'publishable' | 'session' | 'pending' | 'admin' | 'none';

interface Operation {
  method: Method;
  /** Hono-style path (":id") */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodType;
  /** success status and what it answers */
  ok?: [number, string];
  /** takes an Idempotency-Key (bff/src/http/idempotency.ts) */
  idempotent?: true;
}

const rules = defaultTenantConfig('Tenant');

export const OPERATIONS: Operation[] = [
  // public: tenant config and registration
  {
    method: 'get',
    path: '/v1/config',
    tag: 'Tenant',
    summary:
      "The tenant's public configuration (names, password policy, phone regions, agreements, support channels, branding)",
    auth: 'publishable',
  },
  {
    method: 'get',
    path: '/v1/account-names/availability',
    tag: 'Registration',
    summary: 'Whether an account name is still free',
    auth: 'publishable',
    query: api.availabilityQuery,
  },
  {
    method: 'post',
    path: '/v1/verification-codes',
    tag: 'Registration',
    summary: 'Send a verification code by SMS, voice or email (60 s cooldown, daily caps)',
    auth: 'publishable',
    body: api.sendCodeBody(rules),
    ok: [202, 'Code queued; the answer names the delivery to poll'],
  },
  {
    method: 'get',
    path: '/v1/deliveries/:id',
    tag: 'Registration',
    summary: 'Delivery status of a sent code',
    auth: 'publishable',
  },
  {
    method: 'post',
    path: '/v1/accounts',
    tag: 'Registration',
    summary: 'Register with account name, password, verified phone and accepted agreements; signs in',
    auth: 'publishable',
    body: api.registerBody(rules),
    ok: [201, 'Signed in (SignedIn)'],
    idempotent: true,
  },
  // sessions
  {
    method: 'post',
    path: '/v1/sessions',
    tag: 'Sessions',
    summary: 'Sign in by account name, phone or email + password (or as a sub-user)',
    auth: 'publishable',
    body: api.signInBody,
    ok: [200, 'SignedIn; `mfaRequired` when the MFA step is due'],
  },
  {
    method: 'post',
    path: '/v1/sessions/unlock/code',
    tag: 'Sessions',
    summary:
      'Unlock an account locked by failed sign-ins: a code to its security phone or email (same answer for any identifier)',
    auth: 'publishable',
    body: api.unlockCodeBody,
    ok: [202, 'Sent, if the identifier names an account with that contact'],
  },
  {
    method: 'post',
    path: '/v1/sessions/unlock',
    tag: 'Sessions',
    summary: 'Lift the lock with the code',
    auth: 'publishable',
    body: api.unlockBody,
  },
  {
    method: 'post',
    path: '/v1/sessions/mfa',
    tag: 'Sessions',
    summary: 'The MFA step of sign-in: a TOTP code or a recovery code',
    auth: 'pending',
    body: api.mfaSignInBody,
  },
  {
    method: 'post',
    path: '/v1/sessions/mfa/setup',
    tag: 'Sessions',
    summary: 'A sub-user who must bind MFA gets a new secret at sign-in',
    auth: 'pending',
  },
  {
    method: 'get',
    path: '/v1/session',
    tag: 'Sessions',
    summary: 'The current session (cookie or bearer token)',
    auth: 'session',
  },
  {
    method: 'delete',
    path: '/v1/session',
    tag: 'Sessions',
    summary: 'Sign out',
    auth: 'publishable',
    ok: [204, 'Signed out'],
  },
  {
    method: 'post',
    path: '/v1/session/token',
    tag: 'Sessions',
    summary: "A short-lived ES256 JWT for the tenant's backend",
    auth: 'session',
  },
  {
    method: 'post',
    path: '/v1/consents',
    tag: 'Sessions',
    summary: "Accept the tenant's current agreement versions",
    auth: 'session',
    body: api.consentsBody,
  },
  // security settings
  {
    method: 'get',
    path: '/v1/security',
    tag: 'Security settings',
    summary: 'Contacts, MFA, recent activity of the signed-in account',
    auth: 'session',
  },
  {
    method: 'post',
    path: '/v1/security/step-up/start',
    tag: 'Security settings',
    summary: 'Start a step-up (code to the security phone/email, or TOTP)',
    auth: 'session',
    body: api.stepUpStartBody,
    ok: [202, 'Code queued'],
  },
  {
    method: 'post',
    path: '/v1/security/step-up/verify',
    tag: 'Security settings',
    summary: 'Pass the step-up (10 minutes)',
    auth: 'session',
    body: api.stepUpVerifyBody,
  },
  {
    method: 'post',
    path: '/v1/security/contacts/start',
    tag: 'Security settings',
    summary: 'Change a security/contact phone or email: code to the new value',
    auth: 'session',
    body: api.contactStartBody(rules),
    ok: [202, 'Code queued'],
  },
  {
    method: 'post',
    path: '/v1/security/contacts/confirm',
    tag: 'Security settings',
    summary: 'Confirm the change with the code',
    auth: 'session',
    body: api.contactConfirmBody(rules),
  },
  {
    method: 'delete',
    path: '/v1/security/contacts/:kind',
    tag: 'Security settings',
    summary: 'Reset the contact phone/email to follow the security one',
    auth: 'session',
  },
  {
    method: 'post',
    path: '/v1/security/email',
    tag: 'Security settings',
    summary: 'Set the security email (verified by link)',
    auth: 'session',
    body: api.securityEmailBody,
    ok: [202, 'Link sent'],
  },
  {
    method: 'post',
    path: '/v1/security/email/verification',
    tag: 'Security settings',
    summary: 'Send the verification link again',
    auth: 'session',
    ok: [202, 'Link sent'],
  },
  {
    method: 'post',
    path: '/v1/security/password',
    tag: 'Security settings',
    summary: 'Change the password (other sessions end)',
    auth: 'session',
    body: api.changePasswordBody(rules),
  },
  {
    method: 'post',
    path: '/v1/security/mfa/setup',
    tag: 'Virtual MFA',
    summary: 'Start binding a TOTP device (step-up required)',
    auth: 'session',
  },
  {
    method: 'post',
    path: '/v1/security/mfa/confirm',
    tag: 'Virtual MFA',
    summary: 'Confirm the device with a current code; 10 recovery codes shown once',
    auth: 'session',
    body: api.mfaConfirmBody,
  },
  {
    method: 'post',
    path: '/v1/security/mfa/recovery-codes',
    tag: 'Virtual MFA',
    summary: 'New recovery codes (step-up required)',
    auth: 'session',
  },
  {
    method: 'delete',
    path: '/v1/security/mfa',
    tag: 'Virtual MFA',
    summary: 'Unbind (step-up required; security contacts told)',
    auth: 'session',
  },
  {
    method: 'get',
    path: '/v1/mfa-recovery',
    tag: 'Virtual MFA',
    summary: 'Lost device: may this account apply to disassociate MFA?',
    auth: 'pending',
  },
  {
    method: 'post',
    path: '/v1/mfa-recovery/applications',
    tag: 'Virtual MFA',
    summary: 'Apply to disassociate a lost MFA device (real-name verified accounts)',
    auth: 'pending',
    body: api.mfaApplicationBody(rules),
    ok: [201, 'Queued for review'],
    idempotent: true,
  },
  // sub-users
  {
    method: 'get',
    path: '/v1/sub-users',
    tag: 'Sub-users',
    summary: "The primary account's sub-users",
    auth: 'session',
  },
  {
    method: 'post',
    path: '/v1/sub-users',
    tag: 'Sub-users',
    summary: 'Create a sub-user',
    auth: 'session',
    body: api.subUserCreateBody(rules),
    ok: [201, 'Created (SubUserView)'],
    idempotent: true,
  },
  {
    method: 'post',
    path: '/v1/sub-users/:id/disable',
    tag: 'Sub-users',
    summary: 'Disable (signs the sub-user out)',
    auth: 'session',
  },
  { method: 'post', path: '/v1/sub-users/:id/enable', tag: 'Sub-users', summary: 'Enable', auth: 'session' },
  {
    method: 'put',
    path: '/v1/sub-users/:id/mfa-required',
    tag: 'Sub-users',
    summary: 'Require MFA of the sub-user (bound at its next sign-in)',
    auth: 'session',
    body: api.subUserMfaRequiredBody,
  },
  {
    method: 'post',
    path: '/v1/sub-users/:id/mfa/disassociate',
    tag: 'Sub-users',
    summary: "Disassociate the sub-user's MFA device",
    auth: 'session',
  },
  {
    method: 'delete',
    path: '/v1/sub-users/:id',
    tag: 'Sub-users',
    summary: 'Delete',
    auth: 'session',
    ok: [204, 'Deleted'],
  },
  {
    method: 'get',
    path: '/v1/sub-user/mfa',
    tag: 'Sub-users',
    summary: "A signed-in sub-user's own MFA status",
    auth: 'session',
  },
  {
    method: 'post',
    path: '/v1/sub-user/mfa/setup',
    tag: 'Sub-users',
    summary: 'A sub-user binds a device (password asked again)',
    auth: 'session',
    body: api.subUserMfaSetupBody,
  },
  {
    method: 'post',
    path: '/v1/sub-user/mfa/confirm',
    tag: 'Sub-users',
    summary: "Confirm the sub-user's device with a code",
    auth: 'session',
    body: api.mfaConfirmBody,
  },
  // well-known
  {
    method: 'get',
    path: '/tenants/:slug/.well-known/jwks.json',
    tag: 'Tokens',
    summary: "The tenant's public signing keys (JWKS)",
    auth: 'none',
  },
  {
    method: 'get',
    path: '/tenants/:slug/.well-known/openid-configuration',
    tag: 'Tokens',
    summary: 'Issuer metadata (issuer, jwks_uri)',
    auth: 'none',
  },
  // admin
  {
    method: 'get',
    path: '/admin/v1/accounts',
    tag: 'Admin',
    summary: 'Look up an account by id, name, phone or email',
    auth: 'admin',
    query: admin.adminAccountLookupQuery,
  },
  { method: 'get', path: '/admin/v1/accounts/:id', tag: 'Admin', summary: 'An account', auth: 'admin' },
  {
    method: 'get',
    path: '/admin/v1/accounts/:id/notice-targets',
    tag: 'Admin',
    summary: "Where to send the account's notices (verified contact phone/email)",
    auth: 'admin',
  },
  {
    method: 'put',
    path: '/admin/v1/accounts/:id/real-name',
    tag: 'Admin',
    summary: 'Set the real-name status (ID number stored as a keyed hash)',
    auth: 'admin',
    body: admin.adminRealNameBody,
  },
  {
    method: 'delete',
    path: '/admin/v1/accounts/:id/real-name',
    tag: 'Admin',
    summary: 'Clear the real-name status',
    auth: 'admin',
  },
  {
    method: 'post',
    path: '/admin/v1/accounts/:id/disable',
    tag: 'Admin',
    summary: 'Disable the account (its sessions end)',
    auth: 'admin',
  },
  { method: 'post', path: '/admin/v1/accounts/:id/enable', tag: 'Admin', summary: 'Enable the account', auth: 'admin' },
  {
    method: 'post',
    path: '/admin/v1/accounts/:id/sign-out-everywhere',
    tag: 'Admin',
    summary: 'End every session of the account',
    auth: 'admin',
  },
  {
    method: 'get',
    path: '/admin/v1/accounts/:id/audit-events',
    tag: 'Admin',
    summary: 'Audit events, newest first, paged',
    auth: 'admin',
    query: admin.adminAuditEventsQuery,
  },
  {
    method: 'get',
    path: '/admin/v1/mfa-applications',
    tag: 'Admin',
    summary: 'Applications to disassociate a lost MFA device',
    auth: 'admin',
    query: admin.adminApplicationsQuery,
  },
  {
    method: 'get',
    path: '/admin/v1/mfa-applications/:id',
    tag: 'Admin',
    summary: 'One application, with mismatch flags against the real-name record',
    auth: 'admin',
  },
  {
    method: 'get',
    path: '/admin/v1/mfa-applications/:id/files/:fileId',
    tag: 'Admin',
    summary: 'An uploaded image of an application',
    auth: 'admin',
  },
  {
    method: 'post',
    path: '/admin/v1/mfa-applications/:id/approve',
    tag: 'Admin',
    summary: 'Approve: MFA removed, sessions ended, user notified',
    auth: 'admin',
  },
  {
    method: 'post',
    path: '/admin/v1/mfa-applications/:id/reject',
    tag: 'Admin',
    summary: 'Reject with a reason',
    auth: 'admin',
    body: admin.adminRejectBody,
  },
  {
    method: 'get',
    path: '/admin/v1/config',
    tag: 'Admin',
    summary: "The tenant's configuration (provider secrets redacted)",
    auth: 'admin',
  },
  {
    method: 'patch',
    path: '/admin/v1/config',
    tag: 'Admin',
    summary: "Change the tenant's configuration (top-level keys merged; takes effect without a restart)",
    auth: 'admin',
    body: tenantConfigPatch,
  },
];

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  publishable: [{ publishableKey: [] }],
  session: [
    { publishableKey: [], sessionCookie: [] },
    { publishableKey: [], sessionToken: [] },
  ],
  pending: [
    { publishableKey: [], sessionCookie: [] },
    { publishableKey: [], sessionToken: [] },
  ],
  admin: [{ secretKey: [] }],
  none: [],
};

/** Builds the document; `serverUrl` is where this BFF answers. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (op.query) {
      const q = jsonSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {}))
        params.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema } as never);
    }
    if (op.path.startsWith('/v1/'))
      params.push({
        name: HEADER_LOCALE,
        in: 'header',
        required: false,
        schema: { type: 'string', enum: ['zh-CN', 'en'] },
      } as never);
    if (op.path.startsWith('/v1/sessions') || op.path === '/v1/accounts') {
      params.push({
        name: HEADER_SESSION_MODE,
        in: 'header',
        required: false,
        schema: { type: 'string', enum: ['cookie', 'token'] },
      } as never);
    }
    if (op.idempotent) {
      params.push({
        name: HEADER_IDEMPOTENCY_KEY,
        in: 'header',
        required: false,
        description:
          'A retry with the same key (and the same body) within 24 h answers the first answer again, with `Idempotent-Replayed: true`; the same key with another body: 422 idempotency_key_reused; while the first is running: 409 idempotency_in_progress (Retry-After).',
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
      } as never);
    }
    const [okStatus, okText] = op.ok ?? [200, 'OK'];
    (paths[path] ??= {})[op.method] = {
      tags: [op.tag],
      summary: op.summary,
      operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security: SECURITY[op.auth],
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } }
        : {}),
      responses: {
        [okStatus]: { description: okText },
        '4XX': {
          description: 'A stable error code with a localised message (zh-CN or en)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'jd-account BFF',
      version: '1',
      description:
        'Accounts for many tenants: registration with a verified phone, sign-in, security settings, virtual MFA, sub-users (/v1, called by the widgets with a publishable key), tokens for tenant backends (JWKS), and the admin API for tenant servers (/admin/v1, secret key). Every error answers `{ error: { code, message, params?, fields? } }`.',
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
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
      },
      schemas: {
        Error: {
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
              },
            },
          },
        },
      },
    },
  };
}
