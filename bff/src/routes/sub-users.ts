import {
  mfaConfirmBody,
  MfaSetupResponseSchema,
  subUserCreateBody,
  SubUserListSchema,
  subUserMfaRequiredBody,
  subUserMfaSetupBody,
  SubUserMfaStatusSchema,
  subUserParams,
  subUserPasswordBody,
  SubUserViewSchema,
} from '../../../shared/src/api.ts';
import { requireSession, sessionAuth } from '../http/auth.ts';
import { requestContext } from '../http/context.ts';
import { apiRoutes, tenantJsonBody } from '../http/validate.ts';
import { defineRoute, jsonAnswer, jsonBody, withMiddleware } from '../openapi/define.ts';
import type { ServiceDeps } from '../services/deps.ts';
import * as subUsers from '../services/sub-users.ts';

const subUser = jsonAnswer(SubUserViewSchema, 'The sub-user as it is now');

/** Mounted at /v1/sub-users. */
const routes = {
  list: defineRoute({
    method: 'get',
    path: '/',
    tag: 'Sub-users',
    summary: "The primary account's sub-users",
    auth: 'session',
    responses: { 200: jsonAnswer(SubUserListSchema, 'The sub-users') },
  }),
  create: defineRoute({
    method: 'post',
    path: '/',
    tag: 'Sub-users',
    summary: 'Create a sub-user',
    auth: 'session',
    idempotent: true,
    request: { body: tenantJsonBody(subUserCreateBody) },
    responses: { 201: jsonAnswer(SubUserViewSchema, 'Created') },
  }),
  disable: defineRoute({
    method: 'post',
    path: '/{id}/disable',
    tag: 'Sub-users',
    summary: 'Disable (signs the sub-user out)',
    auth: 'session',
    request: { params: subUserParams },
    responses: { 200: subUser },
  }),
  enable: defineRoute({
    method: 'post',
    path: '/{id}/enable',
    tag: 'Sub-users',
    summary: 'Enable',
    auth: 'session',
    request: { params: subUserParams },
    responses: { 200: subUser },
  }),
  mfaRequired: defineRoute({
    method: 'put',
    path: '/{id}/mfa-required',
    tag: 'Sub-users',
    summary: 'Require MFA of the sub-user (bound at its next sign-in)',
    auth: 'session',
    request: { params: subUserParams, body: jsonBody(subUserMfaRequiredBody) },
    responses: { 200: subUser },
  }),
  disassociateMfa: defineRoute({
    method: 'post',
    path: '/{id}/mfa/disassociate',
    tag: 'Sub-users',
    summary: "Disassociate the sub-user's MFA device",
    auth: 'session',
    request: { params: subUserParams },
    responses: { 200: subUser },
  }),
  password: defineRoute({
    method: 'put',
    path: '/{id}/password',
    tag: 'Sub-users',
    summary: "Set the sub-user's password (after a step-up); its sessions end and its sign-in lock is lifted",
    auth: 'session',
    request: { params: subUserParams, body: tenantJsonBody(subUserPasswordBody) },
    responses: { 200: subUser },
  }),
  delete: defineRoute({
    method: 'delete',
    path: '/{id}',
    tag: 'Sub-users',
    summary: 'Delete',
    auth: 'session',
    request: { params: subUserParams },
    responses: { 204: { description: 'Deleted' } },
  }),
};

/** Mounted at /v1/sub-user/mfa. */
const ownMfaRoutes = {
  status: defineRoute({
    method: 'get',
    path: '/',
    tag: 'Sub-users',
    summary: "A signed-in sub-user's own MFA status",
    auth: 'session',
    responses: { 200: jsonAnswer(SubUserMfaStatusSchema, 'Bound or not, and whether required') },
  }),
  setup: defineRoute({
    method: 'post',
    path: '/setup',
    tag: 'Sub-users',
    summary: 'A sub-user binds a device (password asked again)',
    auth: 'session',
    request: { body: jsonBody(subUserMfaSetupBody) },
    responses: { 200: jsonAnswer(MfaSetupResponseSchema, 'The secret to bind, until confirmed with a code') },
  }),
  confirm: defineRoute({
    method: 'post',
    path: '/confirm',
    tag: 'Sub-users',
    summary: "Confirm the sub-user's device with a code",
    auth: 'session',
    request: { body: jsonBody(mfaConfirmBody) },
    responses: { 200: jsonAnswer(SubUserMfaStatusSchema, 'Bound') },
  }),
};

/** A primary account manages its sub-users. */
export function subUserRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.use('*', requireSession(deps, { primaryOnly: true }));
  app.openapi(routes.list, async (c) =>
    c.json({ subUsers: await subUsers.listSubUsers(deps, c.get('tenant'), sessionAuth(c)) }, 200),
  );
  app.openapi(withMiddleware(app, deps, routes.create), async (c) =>
    c.json(
      await subUsers.createSubUser(deps, c.get('tenant'), sessionAuth(c), c.req.valid('json'), requestContext(c, deps)),
      201,
    ),
  );
  app.openapi(routes.disable, async (c) =>
    c.json(
      await subUsers.setSubUserDisabled(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('param').id,
        true,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  app.openapi(routes.enable, async (c) =>
    c.json(
      await subUsers.setSubUserDisabled(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('param').id,
        false,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  app.openapi(routes.mfaRequired, async (c) =>
    c.json(
      await subUsers.setSubUserMfaRequired(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('param').id,
        c.req.valid('json').required,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  app.openapi(routes.disassociateMfa, async (c) =>
    c.json(
      await subUsers.disassociateSubUserMfa(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('param').id,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  app.openapi(withMiddleware(app, deps, routes.password), async (c) =>
    c.json(
      await subUsers.setSubUserPassword(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('param').id,
        c.req.valid('json').password,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  app.openapi(routes.delete, async (c) => {
    await subUsers.deleteSubUser(
      deps,
      c.get('tenant'),
      sessionAuth(c),
      c.req.valid('param').id,
      requestContext(c, deps),
    );
    return c.body(null, 204);
  });
  return app;
}

/** A signed-in sub-user's own virtual MFA: status and binding (removal is the primary account's). */
export function subUserMfaRoutes(deps: ServiceDeps) {
  const app = apiRoutes();
  app.use('*', requireSession(deps));
  app.openapi(ownMfaRoutes.status, async (c) =>
    c.json(await subUsers.ownMfaStatus(deps, c.get('tenant'), sessionAuth(c)), 200),
  );
  app.openapi(ownMfaRoutes.setup, async (c) =>
    c.json(
      await subUsers.startOwnMfaSetup(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('json').password,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  app.openapi(ownMfaRoutes.confirm, async (c) =>
    c.json(
      await subUsers.confirmOwnMfaSetup(
        deps,
        c.get('tenant'),
        sessionAuth(c),
        c.req.valid('json').code,
        requestContext(c, deps),
      ),
      200,
    ),
  );
  return app;
}
