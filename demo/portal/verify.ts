/**
 * How the portal's backend learns who is signed in: it verifies the token the page sends
 * (`Authorization: Bearer …`) against the tenant's public keys at the BFF, with `jose`. Nothing
 * else is shared with the BFF — no database, no secret, no code from this repository.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export interface TokenVerifierOptions {
  /** the BFF's origin as the widgets reach it (the issuer is built from it), e.g. https://auth.example.com */
  bffUrl: string;
  /** the tenant's slug: the tokens' audience, and part of their issuer */
  tenantSlug: string;
  /** where the public keys come from; default: the BFF's JWKS for the tenant */
  keys?: JWTVerifyGetKey;
  /** the verifier's clock (tests); default: now */
  now?: () => Date;
}

/** What a verified token says about the signed-in user. */
export interface VerifiedUser {
  /** the account id (for a sub-user: its primary account's id) */
  sub: string;
  /** the sub-user signed in, if any */
  sub_user: { id: string; name: string } | null;
  /** how the user signed in: ["pwd"] or ["pwd","otp"] (passed the MFA step) */
  amr: string[];
  /** the session's stable id: the same in every token of one sign-in */
  sid: string;
  /** expiry, seconds since the epoch */
  exp: number;
}

/** A token the portal refuses; `reason` is jose's error code (ERR_JWT_EXPIRED, ERR_JWKS_NO_MATCHING_KEY, …). */
export class TokenRefused extends Error {
  constructor(readonly reason: string) {
    super(`token refused: ${reason}`);
    this.name = 'TokenRefused';
  }
}

/** The issuer of a tenant's tokens: `<BFF origin>/tenants/<slug>` (docs/embedding.md#tokens-for-your-backend). */
export function issuerOf(bffUrl: string, tenantSlug: string): string {
  return `${new URL(bffUrl).origin}/tenants/${tenantSlug}`;
}

/**
 * A function that verifies a token and answers its user, or throws TokenRefused (or, when the
 * BFF's keys cannot be fetched, jose's ERR_JWKS_TIMEOUT / a fetch error: not the token's fault).
 */
export function createTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<VerifiedUser> {
  const issuer = issuerOf(options.bffUrl, options.tenantSlug);
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), {
      // as long as the BFF says its JWKS may be cached (max-age=60): a key the BFF stopped
      // publishing stops verifying here within a minute. An unknown kid (a new key after a
      // rotation) fetches the set again at once, at most every 30 s.
      cacheMaxAge: 60_000,
      cooldownDuration: 30_000,
      timeoutDuration: 5_000,
    });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience: options.tenantSlug,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
        // clocks differ a little between the BFF and this server; the token lives 5 minutes
        clockTolerance: 30,
        ...(options.now ? { currentDate: options.now() } : {}),
      });
      const subUser = payload.sub_user as { id?: unknown; name?: unknown } | undefined;
      return {
        sub: payload.sub!,
        sub_user:
          subUser && typeof subUser.id === 'string' && typeof subUser.name === 'string'
            ? { id: subUser.id, name: subUser.name }
            : null,
        amr: Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : [],
        sid: String(payload.sid),
        exp: payload.exp!,
      };
    } catch (err) {
      // the BFF unreachable or slow is our problem, not the token's: let the caller answer 503
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) throw err;
      throw new TokenRefused(err.code);
    }
  };
}
