/**
 * What the BFF needs of an upstream identity provider, whatever its protocol
 * (docs/product.md#25-sign-in-with-an-upstream-account): where to send the browser, and what the
 * answer that comes back to the callback proves. One implementation per kind of
 * shared/src/federation.ts (`oidc.ts`, `wechat.ts`); `connectorFor` picks it.
 */
import { AppError } from '../../../shared/src/errors.ts';
import type { FederationProviderConfig } from '../../../shared/src/federation.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';
import type { FederationSettings } from '../config.ts';
import { deriveKey, seal, unseal } from '../crypto.ts';
import { oidcConnector } from './oidc.ts';
import { wechatConnector } from './wechat.ts';

/** The secrets of one browser round trip, created at start and kept (server side) until the callback. */
export interface FlowChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the upstream says signed in. Contacts are hints for the activation step, never trusted as verified. */
export interface UpstreamIdentity {
  subject: string;
  phone?: string;
  email?: string;
  name?: string;
}

export interface Connector {
  /** the upstream's authorization URL for this flow */
  authorizationUrl(input: { redirectUri: string; checks: FlowChecks; locale?: Locale | undefined }): Promise<URL>;
  /** checks the callback (state, PKCE, nonce, ID token) and reads the identity */
  identify(input: { redirectUri: string; query: URLSearchParams; checks: FlowChecks }): Promise<UpstreamIdentity>;
}

/** The key sealing upstream client secrets at rest (bff/src/federation/config.ts). */
export const federationSecretKey = (secret: string) => deriveKey(secret, 'federation-secret');

export const sealSecret = (key: Buffer, value: string) => seal(key, value);

/** The provider's client secret, or a failure the operator must fix (another JD_SECRET, no secret stored). */
export function providerSecret(key: Buffer, provider: FederationProviderConfig): string {
  const sealed = provider.kind === 'oidc' ? provider.sealedClientSecret : provider.sealedAppSecret;
  if (!sealed) throw new FederationFault('unavailable', `provider ${provider.id} has no secret`);
  try {
    return unseal(key, sealed);
  } catch {
    throw new FederationFault(
      'unavailable',
      `provider ${provider.id}: its secret cannot be opened with this JD_SECRET`,
    );
  }
}

/**
 * A connector's failure: `failed` — the upstream refused, or its answer did not check out (the
 * user's to retry); `unavailable` — it could not be reached or answered nonsense (the operator's).
 * `reason` goes to the log only, never to the user.
 */
export class FederationFault extends Error {
  constructor(
    readonly kind: 'failed' | 'unavailable',
    readonly reason: string,
  ) {
    super(`federation ${kind}: ${reason}`);
    this.name = 'FederationFault';
  }
  toAppError(providerName: string): AppError {
    return new AppError(this.kind === 'failed' ? 'federation_failed' : 'federation_unavailable', {
      provider: providerName,
    });
  }
}

export function connectorFor(
  provider: FederationProviderConfig,
  secret: string,
  settings: FederationSettings = {},
): Connector {
  return provider.kind === 'oidc'
    ? oidcConnector(provider, secret, settings)
    : wechatConnector(provider, secret, settings);
}
