/**
 * Any OpenID Connect provider, through openid-client: discovery from the issuer URL,
 * authorization code with PKCE (S256), `state` and `nonce`, the ID token's issuer, audience,
 * expiry, nonce and signature checked, then userinfo for the claims the ID token left out.
 */
import * as oidc from 'openid-client';
import type { FederationProviderConfig } from '../../../shared/src/federation.ts';
import type { FederationSettings } from '../config.ts';
import { FederationFault, type Connector, type UpstreamIdentity } from './connector.ts';
import { publicOnlyFetch } from './public-address.ts';

type OidcProvider = Extract<FederationProviderConfig, { kind: 'oidc' }>;

const DISCOVERY_TTL_MS = 10 * 60_000;
const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'phone'];

/** Discovered configurations by issuer + client: one metadata fetch per provider every few minutes, not per sign-in. */
const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
}

function configuration(
  provider: OidcProvider,
  secret: string,
  settings: FederationSettings,
): Promise<oidc.Configuration> {
  const issuer = new URL(provider.issuer);
  if (issuer.protocol !== 'https:' && !(settings.allowHttpLoopback && isLoopbackHttp(issuer)))
    return Promise.reject(new FederationFault('unavailable', `issuer ${provider.issuer} is not https`));
  const key = `${provider.issuer}\n${provider.clientId}\n${secret}`;
  const hit = discovered.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const timeout = Math.ceil((settings.timeoutMs ?? 5000) / 1000);
  const config = oidc
    .discovery(issuer, provider.clientId, secret, undefined, {
      timeout,
      // a tenant chose this host: outside development only public addresses, for discovery and
      // every endpoint it names (docs/security.md#what-a-tenant-can-and-cannot-configure)
      ...(settings.allowHttpLoopback ? {} : { [oidc.customFetch]: publicOnlyFetch }),
      execute: [
        ...(isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : []),
        // the ID token's signature too, not only its claims (it reaches us over the token endpoint)
        oidc.enableNonRepudiationChecks,
      ],
    })
    .catch((err: unknown) => {
      discovered.delete(key);
      throw classify(err);
    });
  discovered.set(key, { at: Date.now(), config });
  return config;
}

/** openid-client's refusals are the upstream's answer not checking out; anything else is reaching it. */
function classify(err: unknown): FederationFault {
  if (err instanceof FederationFault) return err;
  // our own refusal from inside openid-client (publicOnlyFetch), wrapped by it
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof FederationFault) return cause;
  const e = err as { name?: string; code?: string; message?: string; error?: string };
  const reason = [e.name, e.code, e.error, e.message].filter(Boolean).join(': ').slice(0, 300);
  const unreachable =
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    (e.name === 'TypeError' && /fetch failed/.test(e.message ?? '')) ||
    e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ||
    e.code === 'OAUTH_RESPONSE_IS_NOT_JSON';
  return new FederationFault(unreachable ? 'unavailable' : 'failed', reason);
}

function claimString(claims: Record<string, unknown>, name: string | undefined): string | undefined {
  const v = name ? claims[name] : undefined;
  return typeof v === 'string' && v.length > 0 && v.length <= 320 ? v : undefined;
}

export function oidcConnector(provider: OidcProvider, secret: string, settings: FederationSettings): Connector {
  return {
    async authorizationUrl({ redirectUri, checks, locale }) {
      const config = await configuration(provider, secret, settings);
      return oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: (provider.scopes ?? DEFAULT_SCOPES).join(' '),
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        ...(locale ? { ui_locales: locale } : {}),
      });
    },

    async identify({ redirectUri, query, checks }): Promise<UpstreamIdentity> {
      const config = await configuration(provider, secret, settings);
      // the callback URL as registered, with the upstream's parameters: never the request's Host
      const current = new URL(redirectUri);
      for (const [k, v] of query) current.searchParams.append(k, v);
      try {
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new FederationFault('failed', 'no ID token');
        let claims: Record<string, unknown> = { ...idClaims };
        if (config.serverMetadata().userinfo_endpoint) {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
          claims = { ...info, ...idClaims };
        }
        const map = provider.claims ?? {};
        const phone = claimString(claims, map.phone ?? 'phone_number');
        const email = claimString(claims, map.email ?? 'email');
        const name = claimString(claims, map.name ?? 'name');
        return {
          subject: idClaims.sub,
          ...(phone ? { phone } : {}),
          ...(email ? { email } : {}),
          ...(name ? { name: name.slice(0, 64) } : {}),
        };
      } catch (err) {
        throw classify(err);
      }
    },
  };
}

/** Tests: forget discovered configurations (an upstream restarted on another port, a rotated secret). */
export function forgetDiscovery(): void {
  discovered.clear();
}
