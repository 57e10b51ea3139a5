/**
 * Tokens for the tenant's backend (docs/product.md#18-sessions-and-tokens): the tenant's own backend
 * learns who is signed in from a short-lived signed token it verifies against the tenant's JWKS.
 *
 * - ES256 JWTs, 5 minutes, issuer `<BFF origin>/tenants/<slug>`, audience the slug.
 * - One signing key per tenant at a time, in Postgres, its private JWK sealed with a key derived
 *   from JD_SECRET. A tenant gets its first key on first use (a token or a JWKS fetch), not at
 *   creation: tenants created before this feature need no backfill (which a migration could not
 *   do: it has no JD_SECRET), tenant creation stays free of crypto, and the partial unique index
 *   makes two processes' simultaneous first use safe (one insert wins, both sign with it).
 * - Rotation (`npm run tenant -- rotate-keys <slug>`, often from another process) retires the
 *   signer and inserts a new one. Keys are read from the database with a short in-process cache
 *   (KEY_CACHE_SECONDS), so a running BFF picks the rotation up without a restart.
 */
import { createPrivateKey, sign, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AccessToken, AccountSummary } from '../../../shared/src/api.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { deriveKey, randomToken, seal, unseal } from '../crypto.ts';
import * as keys from '../db/signing-keys.ts';
import type { ServiceDeps } from './deps.ts';
import type { IssuedSession, SignInMethodOf } from './sessions.ts';
import { findTenantBySlug, SLUG_PATTERN, type Tenant } from './tenants.ts';

export const TOKEN_ALG = 'ES256';
export const TOKEN_TTL_SECONDS = 5 * 60;
/** how long a process may sign with, and publish, the keys it read (see RETIRED_KEY_PUBLISHED_SECONDS) */
export const KEY_CACHE_SECONDS = 10;
/** verifiers' clocks may run this far behind ours */
export const CLOCK_SKEW_SECONDS = 60;
/**
 * A retired key stays in the JWKS while a token it signed may still be accepted: another process
 * may go on signing with its cached signer for up to KEY_CACHE_SECONDS after the rotation, that
 * token lives TOKEN_TTL_SECONDS, and its verifier's clock may lag by CLOCK_SKEW_SECONDS.
 */
export const RETIRED_KEY_PUBLISHED_SECONDS = KEY_CACHE_SECONDS + TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS;

type KeyDeps = Pick<ServiceDeps, 'db' | 'clock' | 'config'>;

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: string;
  use: 'sig';
}

interface Signer {
  kid: string;
  key: KeyObject;
  /** the token's protected header, encoded once: `{"alg":"ES256","kid":…,"typ":"JWT"}` */
  header: string;
}

interface Cached<T> {
  value: T;
  until: number;
}

/** Per database (a test's PGlite, the server's pool): the signers and JWKS read lately. */
interface KeyCache {
  signers: Map<string, Cached<Promise<Signer>>>;
  jwks: Map<string, Cached<Promise<{ tenant: Tenant; keys: PublicJwk[] } | undefined>>>;
}
const caches = new WeakMap<object, KeyCache>();

function cacheOf(deps: KeyDeps): KeyCache {
  let cache = caches.get(deps.db);
  if (!cache) {
    cache = { signers: new Map(), jwks: new Map() };
    caches.set(deps.db, cache);
  }
  return cache;
}

/** Memoises a promise for KEY_CACHE_SECONDS of the deps' clock; a failed load is not kept. */
function cached<T>(
  map: Map<string, Cached<Promise<T>>>,
  key: string,
  deps: KeyDeps,
  load: () => Promise<T>,
): Promise<T> {
  const now = deps.clock.now().getTime();
  const hit = map.get(key);
  if (hit && hit.until > now) return hit.value;
  const value = load();
  map.set(key, { value, until: now + KEY_CACHE_SECONDS * 1000 });
  value.catch(() => {
    if (map.get(key)?.value === value) map.delete(key);
  });
  return value;
}

/** The key sealing private signing keys at rest (one SHA-256: cheaper to derive than to cache). */
const sealingKey = (deps: KeyDeps) => deriveKey(deps.config.secret, 'signing-key');

/**
 * A new ES256 key pair; the kid is the public key's RFC 7638 thumbprint. The sealed plaintext
 * names its kid and tenant, so a sealed key copied onto another row is refused when unsealed.
 */
async function newSigningKey(deps: KeyDeps, tenantId: string): Promise<keys.NewSigningKey> {
  const pair = await generateKeyPair(TOKEN_ALG, { extractable: true });
  const { kty, crv, x, y } = await exportJWK(pair.publicKey);
  const publicJwk = { kty: kty!, crv: crv!, x: x!, y: y! };
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(pair.privateKey);
  return {
    kid,
    tenantId,
    alg: TOKEN_ALG,
    publicJwk,
    privateKeyEnc: seal(sealingKey(deps), JSON.stringify({ kid, tenantId, jwk: privateJwk })),
    createdAt: deps.clock.now(),
  };
}

/** The tenant's signer row, created on first use. */
async function ensureSignerRow(deps: KeyDeps, tenantId: string) {
  const row = await keys.findSigner(deps.db, tenantId);
  if (row) return row;
  await keys.insertSignerIfNone(deps.db, await newSigningKey(deps, tenantId));
  return (await keys.findSigner(deps.db, tenantId))!;
}

async function loadSigner(deps: KeyDeps, tenantId: string): Promise<Signer> {
  const row = await ensureSignerRow(deps, tenantId);
  const sealed = JSON.parse(unseal(sealingKey(deps), row.private_key_enc)) as {
    kid: string;
    tenantId: string;
    jwk: JWK;
  };
  if (sealed.kid !== row.kid || sealed.tenantId !== tenantId)
    throw new Error(`signing key ${row.kid}: sealed key belongs elsewhere`);
  const header = Buffer.from(JSON.stringify({ alg: TOKEN_ALG, kid: row.kid, typ: 'JWT' })).toString('base64url');
  return { kid: row.kid, key: createPrivateKey({ key: sealed.jwk as NodeJwk, format: 'jwk' }), header };
}

/** `npm run tenant -- rotate-keys`: a new key signs from now on; the old one is retired (still published for a while). */
export async function rotateSigningKey(
  deps: KeyDeps,
  tenantId: string,
): Promise<{ kid: string; retiredKid: string | undefined; retiredPublishedUntil: Date }> {
  const key = await newSigningKey(deps, tenantId);
  const retiredKid = await deps.db.transaction().execute((trx) => keys.replaceSigner(trx, key));
  return {
    kid: key.kid,
    retiredKid,
    retiredPublishedUntil: new Date(key.createdAt.getTime() + RETIRED_KEY_PUBLISHED_SECONDS * 1000),
  };
}

/** The issuer of a tenant's tokens: the BFF's public origin (as the request reached it) + /tenants/<slug>. */
export function issuerFor(origin: string, tenant: Pick<Tenant, 'slug'>): string {
  return `${origin}/tenants/${tenant.slug}`;
}

export interface TokenSubject {
  account: Pick<AccountSummary, 'id' | 'subUser'>;
  /** the stable public session id (sessions.sid) */
  sid: string;
  mfa: boolean;
  /** the first factor when not the password (a phone code, an upstream provider) */
  method?: SignInMethodOf | undefined;
}

/**
 * RFC 8176 method references: `pwd` the password, `sms` a code to the phone, `fed` an upstream
 * provider (its id in `idp`); `otp` when the MFA step passed.
 */
export function authMethods(subject: Pick<TokenSubject, 'mfa' | 'method'>): string[] {
  const first =
    subject.method?.method === 'federation' ? 'fed' : subject.method?.method === 'phone_code' ? 'sms' : 'pwd';
  return subject.mfa ? [first, 'otp'] : [first];
}

/**
 * An RFC 7515 compact JWS with ES256 (the signature as R ‖ S, RFC 7518 §3.4), signed in place by
 * node:crypto (Bun and Deno have it too). jose signs through WebCrypto, whose sign is a job on
 * libuv's pool: on the main thread that cost ~0.2 ms a sign-in in promises, transfers and
 * argument checks, and the job queued behind argon2's (docs/benchmarks.md, the perf profile).
 * The tokens are verified with jose in the tests, against the published JWKS.
 */
function signCompact(signer: Signer, claims: Record<string, unknown>): string {
  const input = `${signer.header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** Signs a token for the tenant's backend. */
export async function signAccessToken(
  deps: KeyDeps,
  tenant: Tenant,
  issuer: string,
  subject: TokenSubject,
): Promise<AccessToken> {
  const signer = await cached(cacheOf(deps).signers, tenant.id, deps, () => loadSigner(deps, tenant.id));
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const exp = iat + TOKEN_TTL_SECONDS;
  const claims: Record<string, unknown> = {
    iss: issuer,
    aud: tenant.slug,
    sub: subject.account.id,
    iat,
    exp,
    jti: randomToken(16),
    sid: subject.sid,
    amr: authMethods(subject),
  };
  if (subject.method?.idp) claims.idp = subject.method.idp;
  if (subject.account.subUser) claims.sub_user = { id: subject.account.subUser.id, name: subject.account.subUser.name };
  const token = signCompact(signer, claims);
  return { token, expiresAt: new Date(exp * 1000).toISOString(), expiresIn: TOKEN_TTL_SECONDS };
}

/**
 * A token for the session whose stored hash is `idHash`; refused for a session still waiting for
 * its MFA code (it is not signed in yet) and for one that is gone.
 */
export async function accessTokenForSession(
  deps: KeyDeps,
  tenant: Tenant,
  issuer: string,
  session: { idHash: string; account: Pick<AccountSummary, 'id' | 'subUser'> },
): Promise<AccessToken> {
  const row = await keys.findSessionClaims(deps.db, tenant.id, session.idHash);
  if (!row) throw new AppError('not_signed_in');
  if (row.mfa_pending) throw new AppError('mfa_required');
  return signAccessToken(deps, tenant, issuer, {
    account: session.account,
    sid: row.sid,
    mfa: row.mfa_verified_at !== null,
    method: row.sign_in_method ? { method: row.sign_in_method, idp: row.idp ?? undefined } : undefined,
  });
}

/** The token for a session just issued by a sign-in or registration (no read back: the issue knows its sid). */
export function accessTokenForIssued(
  deps: KeyDeps,
  tenant: Tenant,
  issuer: string,
  issued: IssuedSession,
  account: AccountSummary,
): Promise<AccessToken> {
  return signAccessToken(deps, tenant, issuer, {
    account,
    sid: issued.sid,
    mfa: issued.mfaVerified,
    method: issued.method,
  });
}

/**
 * The tenant's published keys: the signer and the keys retired within RETIRED_KEY_PUBLISHED_SECONDS
 * (public parts only). Undefined for an unknown tenant. A tenant's first JWKS fetch creates its
 * first key, so a backend can load the JWKS before any user signs in.
 */
export function jwksForSlug(deps: KeyDeps, slug: string): Promise<{ tenant: Tenant; keys: PublicJwk[] } | undefined> {
  if (!SLUG_PATTERN.test(slug)) return Promise.resolve(undefined);
  return cached(cacheOf(deps).jwks, slug, deps, async () => {
    const tenant = await findTenantBySlug(deps.db, slug);
    if (!tenant) return undefined;
    await ensureSignerRow(deps, tenant.id);
    const retiredSince = new Date(deps.clock.now().getTime() - RETIRED_KEY_PUBLISHED_SECONDS * 1000);
    const rows = await keys.publishedKeys(deps.db, tenant.id, retiredSince);
    const jwks = rows.map((r) => {
      const pub = r.public_jwk as { kty: string; crv: string; x: string; y: string };
      return { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y, kid: r.kid, alg: r.alg, use: 'sig' as const };
    });
    return { tenant, keys: jwks };
  });
}
