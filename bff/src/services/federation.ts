/**
 * Sign-in with an upstream account (docs/product.md#25-sign-in-with-an-upstream-account).
 *
 * One browser round trip is one `federation_flows` row, in four stages, each with a secret of its
 * own that is stored only as a keyed hash and taken once:
 * 1. start — the page navigates to /v1/federation/:provider/start; a `state`, a `nonce`, a PKCE
 *    verifier and a binding cookie (this browser) are made; the browser goes to the upstream;
 * 2. callback — the upstream returns with `state`; the flow is taken by it (a replay finds
 *    nothing), the binding cookie must match (a callback URL planted in another browser is
 *    refused), the connector checks the answer (PKCE, nonce, ID token); the result is stored and
 *    the browser goes back to the page with a one-time `handle` in the URL fragment;
 * 3. resume — the page's element posts the handle: signed in (or the MFA step), the activation
 *    step with a `ticket` that never travels in a URL, or "linked";
 * 4. activate — the ticket, a phone verified by our own code, the agreements: the account.
 * No upstream token is stored: the upstream's subject is all that links an account.
 */
import type {
  FederationActivateBody,
  FederationActivation,
  FederationLinksResponse,
  FederationResumeResponse,
  SessionMode,
  SignedIn,
} from '../../../shared/src/api.ts';
import { AppError, isErrorCode } from '../../../shared/src/errors.ts';
import {
  FEDERATION_HANDLE_PARAM,
  publicProviders,
  type FederationProviderConfig,
} from '../../../shared/src/federation.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { checkMobilePhone } from '../../../shared/src/rules/phone.ts';
import { DIAL_CODES } from '../../../shared/src/rules/phone-regions.ts';
import { randomToken, sha256Hex } from '../crypto.ts';
import * as accounts from '../db/accounts.ts';
import { recordEvent } from '../db/audit.ts';
import * as codes from '../db/codes.ts';
import { uniqueViolation } from '../db/create.ts';
import * as flows from '../db/federation.ts';
import { lockKey } from '../db/locks.ts';
import type { FederationOutcome } from '../db/schema.ts';
import { findTenantById } from '../db/tenants.ts';
import { connectorFor, federationSecretKey, FederationFault, providerSecret } from '../federation/connector.ts';
import { findProvider } from '../federation/config.ts';
import type { RequestContext, ServiceDeps } from './deps.ts';
import { reserveAttempts, clientKey } from './limits.ts';
import { checkNewAccount, nameKeys, nameTaken, openAccount } from './registration.ts';
import { toAccountSummary, type IssuedSession, type SessionAuth } from './sessions.ts';
import { completeSignIn } from './sign-in.ts';
import { requireStepUp } from './step-up.ts';
import { requirePrimary } from './sub-users.ts';
import { toTenant, type Tenant } from './tenants.ts';

/** start → callback: the time a user may spend at the upstream (a QR code to scan, a password to find) */
const FLOW_SECONDS = 10 * 60;
/** callback → resume: the page loads at once */
const HANDLE_SECONDS = 2 * 60;
/** resume → activate: filling the activation step, with a code to wait for */
const TICKET_SECONDS = 30 * 60;

const seconds = (now: Date, s: number) => new Date(now.getTime() + s * 1000);

function providerOf(tenant: Tenant, id: string): FederationProviderConfig {
  const provider = findProvider(tenant.config.federation, id);
  if (!provider) throw new AppError('federation_provider_unknown');
  return provider;
}

const nameIn = (provider: Pick<FederationProviderConfig, 'displayName'>, locale: Locale) =>
  provider.displayName[locale];

function connector(deps: ServiceDeps, provider: FederationProviderConfig) {
  return connectorFor(
    provider,
    providerSecret(federationSecretKey(deps.config.secret), provider),
    deps.config.federation,
  );
}

/** The callback URL registered at the upstream: on the BFF's public origin, never a page's. */
export const callbackUrl = (baseUrl: string, providerId: string) =>
  `${baseUrl}/v1/federation/${encodeURIComponent(providerId)}/callback`;

/**
 * Where the browser may come back to: a page on one of the tenant's allowed origins, without its
 * fragment (the handle goes there). Anything else is refused before the upstream is involved.
 */
export function returnTarget(tenant: Tenant, raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || !tenant.config.allowedOrigins.includes(url.origin) || url.username || url.password)
    throw new AppError('federation_return_not_allowed');
  url.hash = '';
  return url.href;
}

/** Starts are counted per client: each writes a row and costs the upstream a page. */
async function countStart(deps: ServiceDeps, ip: string | null): Promise<void> {
  await reserveAttempts(deps, [{ rule: 'federationStartPerClient', key: `federation-${clientKey(ip)}` }]);
}

/** The name part of a flow's binding cookie (http/session.ts): from its state, which the callback brings back. */
export const bindingKey = (state: string) => sha256Hex(state).slice(0, 16);

/** A new flow's secrets: what the upstream round trip checks, and this browser's binding. */
function newChecks() {
  return { state: randomToken(32), nonce: randomToken(32), codeVerifier: randomToken(48), binding: randomToken(32) };
}

/** GET /v1/federation/:provider/start?key&return_to&mode: a sign-in. Answers where to send the browser and the binding cookie. */
export async function startSignIn(
  deps: ServiceDeps,
  tenant: Tenant,
  providerId: string,
  input: { returnTo: string; mode: SessionMode; locale?: Locale | undefined },
  ctx: RequestContext & { baseUrl: string },
): Promise<{ location: string; binding: string; flowKey: string }> {
  const provider = providerOf(tenant, providerId);
  const returnTo = returnTarget(tenant, input.returnTo);
  await countStart(deps, ctx.ip);
  const checks = newChecks();
  const now = deps.clock.now();
  const location = await authorizationUrl(deps, provider, checks, input.locale ?? ctx.locale, ctx.baseUrl);
  await flows.insertFlow(deps.db, {
    tenant_id: tenant.id,
    provider: provider.id,
    intent: 'sign_in',
    account_id: null,
    state_hash: deps.hmac(checks.state),
    binding_hash: deps.hmac(checks.binding),
    code_verifier: checks.codeVerifier,
    nonce: checks.nonce,
    return_to: returnTo,
    mode: input.mode,
    locale: input.locale ?? null,
    created_at: now,
    expires_at: seconds(now, FLOW_SECONDS),
  });
  return { location, binding: checks.binding, flowKey: bindingKey(checks.state) };
}

async function authorizationUrl(
  deps: ServiceDeps,
  provider: FederationProviderConfig,
  checks: { state: string; nonce: string; codeVerifier: string },
  locale: Locale,
  baseUrl: string,
): Promise<string> {
  try {
    const url = await connector(deps, provider).authorizationUrl({
      redirectUri: callbackUrl(baseUrl, provider.id),
      checks,
      locale,
    });
    return url.href;
  } catch (err) {
    if (err instanceof FederationFault) {
      deps.log.warn('federation start failed', { provider: provider.id, reason: err.reason });
      throw err.toAppError(nameIn(provider, locale));
    }
    throw err;
  }
}

/**
 * POST /v1/federation/:provider/link (step-up): a signed-in primary account links an upstream
 * account. The flow is made now, for this account; the browser is sent to start it with a
 * one-time launch token, where it gets its binding cookie like a sign-in's.
 */
export async function startLink(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  providerId: string,
  input: { returnTo: string },
  ctx: RequestContext & { baseUrl: string },
): Promise<{ startUrl: string }> {
  requirePrimary(auth);
  requireStepUp(deps, auth);
  const provider = providerOf(tenant, providerId);
  const returnTo = returnTarget(tenant, input.returnTo);
  const linked = await flows.listIdentities(deps.db, tenant.id, auth.accountId);
  if (linked.some((l) => l.provider === provider.id))
    throw new AppError('federation_already_linked', { provider: nameIn(provider, ctx.locale) });
  await countStart(deps, ctx.ip);
  const checks = newChecks();
  const launch = randomToken(32);
  const now = deps.clock.now();
  await flows.insertFlow(deps.db, {
    tenant_id: tenant.id,
    provider: provider.id,
    intent: 'link',
    account_id: auth.accountId,
    state_hash: deps.hmac(checks.state),
    launch_hash: deps.hmac(launch),
    binding_hash: null,
    // the state itself is not kept: the launch makes the upstream URL with a new one (below)
    code_verifier: checks.codeVerifier,
    nonce: checks.nonce,
    return_to: returnTo,
    mode: auth.signedIn.session.mode,
    locale: ctx.locale,
    created_at: now,
    expires_at: seconds(now, FLOW_SECONDS),
  });
  const url = new URL(`${ctx.baseUrl}/v1/federation/${encodeURIComponent(provider.id)}/start`);
  url.searchParams.set('launch', launch);
  return { startUrl: url.href };
}

/** GET /v1/federation/:provider/start?launch: the browser arrives for a link flow made by startLink. */
export async function launchLink(
  deps: ServiceDeps,
  providerId: string,
  launch: string,
  ctx: RequestContext & { baseUrl: string },
): Promise<{ location: string; binding: string; flowKey: string }> {
  const binding = randomToken(32);
  const state = randomToken(32);
  const now = deps.clock.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    const flow = await flows.launchFlow(trx, deps.hmac(launch), deps.hmac(binding), now);
    if (!flow || flow.provider !== providerId) return undefined;
    await trx
      .updateTable('federation_flows')
      .set({ state_hash: deps.hmac(state) })
      .where('tenant_id', '=', flow.tenant_id)
      .where('id', '=', flow.id)
      .execute();
    return flow;
  });
  if (!row) throw new AppError('federation_expired');
  const tenantRow = await findTenantById(deps.db, row.tenant_id);
  const tenant = tenantRow && toTenant(tenantRow);
  const provider = tenant && findProvider(tenant.config.federation, row.provider);
  if (!provider) throw new AppError('federation_provider_unknown');
  const location = await authorizationUrl(
    deps,
    provider,
    { state, nonce: row.nonce, codeVerifier: row.code_verifier },
    row.locale ?? ctx.locale,
    ctx.baseUrl,
  );
  return { location, binding, flowKey: bindingKey(state) };
}

/**
 * GET /v1/federation/:provider/callback: takes the flow its `state` names, checks the browser and
 * the upstream's answer, stores what it found and answers where the browser goes: the starting
 * page with the handle in its fragment. A callback that names no live flow has no page to go back
 * to: it throws, and the route shows a page of its own.
 */
export async function finishCallback(
  deps: ServiceDeps,
  providerId: string,
  query: URLSearchParams,
  bindingOf: (flowKey: string) => string | undefined,
  ctx: RequestContext & { baseUrl: string },
): Promise<{ location: string }> {
  const state = query.get('state');
  const now = deps.clock.now();
  const flow = state && state.length <= 128 ? await flows.takeFlowByState(deps.db, deps.hmac(state), now) : undefined;
  if (!flow || flow.provider !== providerId) throw new AppError('federation_expired');
  const tenantRow = await findTenantById(deps.db, flow.tenant_id);
  const tenant = tenantRow && toTenant(tenantRow);
  const provider = tenant && findProvider(tenant.config.federation, flow.provider);
  const binding = bindingOf(bindingKey(state!));
  const outcome: FederationOutcome =
    !tenant || !provider
      ? { kind: 'error', code: 'federation_provider_unknown' }
      : !binding || deps.hmac(binding) !== flow.binding_hash
        ? (deps.log.warn('federation callback from another browser', { provider: flow.provider }),
          { kind: 'error', code: 'federation_failed' })
        : await identify(deps, tenant, provider, flow, query, ctx);
  const handle = randomToken(32);
  await flows.setOutcome(
    deps.db,
    { tenantId: flow.tenant_id, id: flow.id },
    deps.hmac(handle),
    outcome,
    seconds(now, HANDLE_SECONDS),
  );
  const back = new URL(flow.return_to);
  back.hash = `${FEDERATION_HANDLE_PARAM}=${handle}`;
  return { location: back.href };
}

async function identify(
  deps: ServiceDeps,
  tenant: Tenant,
  provider: FederationProviderConfig,
  flow: { id: string; intent: 'sign_in' | 'link'; account_id: string | null; nonce: string; code_verifier: string },
  query: URLSearchParams,
  ctx: RequestContext & { baseUrl: string },
): Promise<FederationOutcome> {
  let identity;
  try {
    identity = await connector(deps, provider).identify({
      redirectUri: callbackUrl(ctx.baseUrl, provider.id),
      query,
      checks: { state: query.get('state') ?? '', nonce: flow.nonce, codeVerifier: flow.code_verifier },
    });
  } catch (err) {
    if (!(err instanceof FederationFault)) throw err;
    deps.log.warn('federation callback refused', { provider: provider.id, kind: err.kind, reason: err.reason });
    return { kind: 'error', code: err.kind === 'failed' ? 'federation_failed' : 'federation_unavailable' };
  }
  const subject = identity.subject.slice(0, 255);
  const now = deps.clock.now();
  const linked = await flows.findIdentity(deps.db, tenant.id, provider.id, subject);
  if (flow.intent === 'sign_in') {
    if (linked) {
      await flows.touchIdentity(deps.db, tenant.id, provider.id, subject, now);
      return { kind: 'signed_in', accountId: linked.account_id };
    }
    return {
      kind: 'activation',
      subject,
      ...(identity.phone ? { phone: identity.phone } : {}),
      ...(identity.email ? { email: identity.email } : {}),
      ...(identity.name ? { name: identity.name } : {}),
    };
  }
  // a link: to this account only, and one upstream account per provider
  const accountId = flow.account_id!;
  if (linked)
    return linked.account_id === accountId ? { kind: 'linked' } : { kind: 'error', code: 'federation_identity_taken' };
  try {
    await flows.insertIdentity(deps.db, { tenantId: tenant.id, accountId, provider: provider.id, subject, now });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'federated_identities_account_uq') return { kind: 'error', code: 'federation_already_linked' };
    if (constraint === 'federated_identities_pkey') return { kind: 'error', code: 'federation_identity_taken' };
    throw err;
  }
  await recordEvent(deps.db, {
    tenantId: tenant.id,
    accountId,
    type: 'federation_linked',
    outcome: 'success',
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    detail: { provider: provider.id },
    at: now,
  });
  return { kind: 'linked' };
}

/** The upstream's phone as the activation step's prefill, when it is a mobile of a region the tenant allows. */
function phonePrefill(tenant: Tenant, e164: string | undefined): FederationActivation['phone'] {
  if (!e164?.startsWith('+')) return undefined;
  for (const region of tenant.config.phoneRegions) {
    const dial = `+${DIAL_CODES[region]}`;
    if (!e164.startsWith(dial)) continue;
    const national = e164.slice(dial.length);
    if (checkMobilePhone(region, national, tenant.config.phoneRegions).ok) return { region, number: national };
  }
  return undefined;
}

/** POST /v1/federation/resume: the page's handle, taken once. */
export async function resumeFlow(
  deps: ServiceDeps,
  tenant: Tenant,
  handle: string,
  ctx: RequestContext & { mode: SessionMode; previousToken?: string | undefined },
): Promise<{ answer: FederationResumeResponse; issued?: IssuedSession }> {
  const now = deps.clock.now();
  const ticket = randomToken(32);
  const ticketExpires = seconds(now, TICKET_SECONDS);
  const row = await flows.takeOutcome(
    deps.db,
    tenant.id,
    deps.hmac(handle),
    { hash: deps.hmac(ticket), expiresAt: ticketExpires },
    now,
  );
  if (!row?.outcome) throw new AppError('federation_expired');
  const provider = findProvider(tenant.config.federation, row.provider);
  const providerName = provider ? nameIn(provider, ctx.locale) : row.provider;
  const outcome = row.outcome;
  switch (outcome.kind) {
    case 'error':
      throw new AppError(isErrorCode(outcome.code) ? outcome.code : 'federation_failed', { provider: providerName });
    case 'linked':
      return { answer: { linked: { provider: row.provider } } };
    case 'activation': {
      if (!provider) throw new AppError('federation_provider_unknown');
      const phone = phonePrefill(tenant, outcome.phone);
      return {
        answer: {
          activation: {
            provider: provider.id,
            providerName: provider.displayName,
            ticket,
            expiresAt: ticketExpires.toISOString(),
            ...(phone ? { phone } : {}),
            ...(outcome.email ? { email: outcome.email } : {}),
            ...(outcome.name ? { name: outcome.name } : {}),
          },
        },
      };
    }
    case 'signed_in': {
      const candidate = await accounts.signInCandidateById(deps.db, tenant.id, outcome.accountId);
      if (!candidate) throw new AppError('federation_expired');
      // an upstream sign-in is one factor: the MFA step follows when a device is bound (completeSignIn)
      const { signedIn, issued } = await completeSignIn(deps, tenant, candidate, {
        ...ctx,
        method: { method: 'federation', idp: row.provider },
      });
      return { answer: signedIn, issued };
    }
  }
}

/**
 * POST /v1/federation/activate: the first sign-in's activation step (docs/product.md#25): the
 * phone verified by our code whatever the upstream said, the agreements, an optional email and
 * referral code; the account is created without a name or password and linked, in one
 * transaction with the ticket's and the code's use.
 */
export async function activate(
  deps: ServiceDeps,
  tenant: Tenant,
  body: FederationActivateBody,
  ctx: RequestContext & { mode: SessionMode; baseUrl: string },
): Promise<{ signedIn: SignedIn; issued: IssuedSession }> {
  const codeId = await checkNewAccount(deps, tenant, body);
  const now = deps.clock.now();
  const email = body.email ? body.email : null;
  let result: { signedIn: SignedIn; issued: IssuedSession };
  try {
    result = await deps.db.transaction().execute(async (trx) => {
      const flow = await flows.takeTicket(trx, tenant.id, deps.hmac(body.ticket), now);
      const outcome = flow?.outcome;
      if (!flow || outcome?.kind !== 'activation') throw new AppError('federation_expired');
      if (!findProvider(tenant.config.federation, flow.provider)) throw new AppError('federation_provider_unknown');
      if (!(await codes.consumeCode(trx, tenant.id, codeId, now)))
        throw new AppError('code_expired', undefined, [{ path: 'code', code: 'code_expired' }]);
      return openAccount(
        trx,
        deps,
        tenant,
        {
          accountName: null,
          folded: null,
          skeleton: null,
          passwordHash: null,
          phone: body.phone,
          email,
          referralCode: body.referralCode ? body.referralCode : null,
          link: async (accountId) => {
            await flows.insertIdentity(trx, {
              tenantId: tenant.id,
              accountId,
              provider: flow.provider,
              subject: outcome.subject,
              now,
            });
          },
        },
        { ...ctx, method: { method: 'federation', idp: flow.provider } },
      );
    });
  } catch (err) {
    // two activations of one upstream account at once: the second finds it linked
    if (uniqueViolation(err) === 'federated_identities_pkey') throw new AppError('federation_expired');
    throw err;
  }
  if (email) deps.onEnqueued();
  return result;
}

/** GET /v1/federation/links: the account's linked providers and the tenant's others. */
export async function listLinks(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
): Promise<FederationLinksResponse> {
  requirePrimary(auth);
  const [rows, account] = await Promise.all([
    flows.listIdentities(deps.db, tenant.id, auth.accountId),
    accounts.findAccount(deps.db, tenant.id, auth.accountId),
  ]);
  const providers = tenant.config.federation?.providers ?? [];
  const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
  return {
    links: rows.flatMap((r) => {
      const p = providers.find((x) => x.id === r.provider);
      return p
        ? [
            {
              provider: p.id,
              kind: p.kind,
              displayName: p.displayName,
              linkedAt: iso(r.created_at),
              lastUsedAt: r.last_used_at ? iso(r.last_used_at) : null,
            },
          ]
        : [];
    }),
    available: publicProviders(tenant.config.federation).filter((p) => !rows.some((r) => r.provider === p.id)),
    hasPassword: account?.password_hash != null,
  };
}

/** DELETE /v1/federation/links/:provider (step-up): never the account's last way to sign in. */
export async function unlink(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  providerId: string,
  ctx: RequestContext,
): Promise<void> {
  requirePrimary(auth);
  requireStepUp(deps, auth);
  const provider = findProvider(tenant.config.federation, providerId);
  const providerName = provider ? nameIn(provider, ctx.locale) : providerId;
  await deps.db.transaction().execute(async (trx) => {
    // one account's unlinks run one after another: two at once cannot both leave it without a way in
    const account = await accounts.lockAccount(trx, tenant.id, auth.accountId);
    const rows = await flows.listIdentities(trx, tenant.id, auth.accountId);
    if (!rows.some((r) => r.provider === providerId))
      throw new AppError('federation_not_linked', { provider: providerName });
    if (account.password_hash === null && rows.length === 1) throw new AppError('federation_last_method');
    await flows.deleteIdentity(trx, tenant.id, auth.accountId, providerId);
    await recordEvent(trx, {
      tenantId: tenant.id,
      accountId: auth.accountId,
      type: 'federation_unlinked',
      outcome: 'success',
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      detail: { provider: providerId },
      at: deps.clock.now(),
    });
  });
}

/**
 * POST /v1/account/credentials (step-up): an account created upstream sets its account name and
 * password, once; from then on it also signs in directly (docs/product.md#25). The name's rules
 * are registration's (fold, look-alikes, taken), serialised the same way.
 */
export async function setAccountCredentials(
  deps: ServiceDeps,
  tenant: Tenant,
  auth: SessionAuth,
  body: { accountName: string; password: string },
  ctx: RequestContext,
) {
  requirePrimary(auth);
  requireStepUp(deps, auth);
  const current = await accounts.findAccount(deps.db, tenant.id, auth.accountId);
  if (!current) throw new AppError('not_signed_in');
  // a name is what it lacks: one that reset a forgotten password (docs/product.md#21) has a password but still no name
  if (current.account_name !== null) throw new AppError('account_credentials_set');
  const passwordHash = await deps.hasher.hash(body.password);
  const name = nameKeys(body.accountName);
  const now = deps.clock.now();
  try {
    await deps.db.transaction().execute(async (trx) => {
      await lockKey(trx, `account-name:${tenant.id}:${name.skeleton}`);
      if (await accounts.accountNameExists(trx, tenant.id, name)) throw nameTaken();
      const set = await flows.setCredentials(trx, tenant.id, auth.accountId, {
        accountName: body.accountName,
        ...name,
        passwordHash,
        now,
      });
      if (!set) throw new AppError('account_credentials_set');
      await recordEvent(trx, {
        tenantId: tenant.id,
        accountId: auth.accountId,
        type: 'account_credentials_set',
        outcome: 'success',
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        at: now,
      });
    });
  } catch (err) {
    if (uniqueViolation(err) === 'accounts_tenant_name_uq') throw nameTaken();
    throw err;
  }
  deps.sessionCache.forgetAccount(tenant.id, auth.accountId);
  const summary = await accounts.findAccountSummary(deps.db, tenant.id, auth.accountId);
  return { account: toAccountSummary(summary!) };
}
