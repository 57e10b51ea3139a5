/**
 * Upstream identity providers ("Log in with JD", docs/product.md#25-sign-in-with-an-upstream-account),
 * listed once: the connector kinds, a tenant's provider entry as the operator gives it (the tenant
 * config patch, shared/src/tenant-config.ts) and as it is stored (shared/src/tenant.ts), and what a
 * widget may read of it. The connectors themselves are the BFF's (bff/src/federation/), because
 * their SDKs must never reach a browser bundle.
 *
 * - `oidc`: any OpenID Connect provider, by its issuer URL (discovery, authorization code + PKCE,
 *   `state` and `nonce`, ID-token validation, userinfo through openid-client).
 * - `wechat`: WeChat website login (网站应用微信登录, OAuth 2 `snsapi_login` with `appid`/`secret`).
 *   Its endpoints are WeChat's; only the operator may point them elsewhere (environment, for local
 *   fakes), as with the message providers (shared/src/delivery-providers.ts).
 */
import { z } from 'zod';
import { isHttpsUrl } from './rules/branding.ts';
import { hasInvalidTextChars } from './rules/text.ts';
import type { Localized } from './tenant.ts';

export const FEDERATION_KINDS = ['oidc', 'wechat'] as const;
export type FederationKind = (typeof FEDERATION_KINDS)[number];

/** A provider's id within its tenant: part of the callback path and of the tokens' `idp` claim. */
export const FEDERATION_PROVIDER_ID = /^[a-z][a-z0-9-]{1,31}$/;

/** At most this many upstream providers per tenant. */
export const MAX_FEDERATION_PROVIDERS = 8;

const text = (max: number) =>
  z
    .string({ error: 'invalid_input' })
    .trim()
    .min(1, { error: 'required' })
    .max(max, { error: 'invalid_input' })
    .refine((v) => !hasInvalidTextChars(v), { error: 'invalid_input' });

const localized = z.object({ 'zh-CN': text(40), en: text(40) }, { error: 'invalid_input' }).strict();

/** A credential: printable ASCII without spaces, so it fits a header or a form as is. */
const secret = z
  .string({ error: 'invalid_input' })
  .min(1, { error: 'required' })
  .max(512, { error: 'invalid_input' })
  .regex(/^[\x21-\x7e]+$/, { error: 'invalid_input' });

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The upstream's issuer: https, or http on a loopback address — the latter only where the BFF's
 * operator allows it (development, or FEDERATION_ALLOW_HTTP_LOOPBACK; bff/src/federation/oidc.ts),
 * so a tenant cannot make a production BFF fetch from its own host. No query, no fragment.
 */
export function isIssuerUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.search || url.hash || url.username || url.password) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

/** An OpenID Connect claim name (`phone_number`, `email`, or a provider's own). */
const claimName = z.string({ error: 'invalid_input' }).regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/, {
  error: 'invalid_input',
});

const common = {
  displayName: localized,
  iconUrl: z
    .string({ error: 'invalid_input' })
    .max(2048)
    .refine((v) => isHttpsUrl(v), { error: 'invalid_input' })
    .optional(),
};

const oidcInput = z
  .object(
    {
      kind: z.literal('oidc'),
      ...common,
      issuer: z
        .string({ error: 'invalid_input' })
        .max(512)
        .refine((v) => isIssuerUrl(v), { error: 'invalid_input' }),
      clientId: secret,
      /** left out: the stored one is kept (a provider's other settings can change without it) */
      clientSecret: secret.optional(),
      scopes: z
        .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/, { error: 'invalid_input' }))
        .max(12)
        .refine((s) => s.includes('openid'), { error: 'invalid_input' })
        .optional(),
      /** which claims carry the phone, the email and the display name (defaults: phone_number, email, name) */
      claims: z.object({ phone: claimName, email: claimName, name: claimName }).partial().strict().optional(),
    },
    { error: 'invalid_input' },
  )
  .strict();

const wechatInput = z
  .object(
    {
      kind: z.literal('wechat'),
      ...common,
      appId: z.string({ error: 'invalid_input' }).regex(/^wx[0-9a-f]{16}$/, { error: 'invalid_input' }),
      /** left out: the stored one is kept */
      appSecret: secret.optional(),
    },
    { error: 'invalid_input' },
  )
  .strict();

/** One provider as an operator sets it (`federation.providers.<id>` in a tenant config patch). */
export const federationProviderInput = z.discriminatedUnion('kind', [oidcInput, wechatInput], {
  error: 'invalid_input',
});
export type FederationProviderInput = z.infer<typeof federationProviderInput>;

/**
 * `federation` in a tenant config patch: providers by id, each merged into what is stored
 * (`null` removes one). A secret given is sealed (bff/src/federation/config.ts) and never
 * returned; an entry without one keeps the stored secret of the same id and kind.
 */
export const federationPatch = z
  .object(
    {
      providers: z
        .record(
          z.string().regex(FEDERATION_PROVIDER_ID, { error: 'invalid_input' }),
          federationProviderInput.nullable(),
          { error: 'invalid_input' },
        )
        .refine((p) => Object.keys(p).length <= MAX_FEDERATION_PROVIDERS, { error: 'invalid_input' }),
    },
    { error: 'invalid_input' },
  )
  .strict();
export type FederationPatch = z.infer<typeof federationPatch>;

/** A provider as stored on the tenant: its secret only sealed. Never sent to a widget. */
export type FederationProviderConfig = { id: string; displayName: Localized; iconUrl?: string } & (
  | {
      kind: 'oidc';
      issuer: string;
      clientId: string;
      sealedClientSecret?: string;
      scopes?: string[];
      claims?: { phone?: string; email?: string; name?: string };
    }
  | { kind: 'wechat'; appId: string; sealedAppSecret?: string }
);

export interface FederationConfig {
  providers: FederationProviderConfig[];
}

/** What a widget may read of a provider: enough to draw its button. */
export interface FederationProviderPublic {
  id: string;
  kind: FederationKind;
  displayName: Localized;
  iconUrl?: string;
}

export function publicProviders(config: FederationConfig | undefined): FederationProviderPublic[] {
  return (config?.providers ?? []).map((p) => ({
    id: p.id,
    kind: p.kind,
    displayName: p.displayName,
    ...(p.iconUrl ? { iconUrl: p.iconUrl } : {}),
  }));
}

/** The URL fragment key that brings the one-time handle back to the page (never a query: it must not reach a server log or a Referer). */
export const FEDERATION_HANDLE_PARAM = 'jd_federation';
/** The URL fragment key of a refusal that happened before a handle existed (its value is an error code). */
export const FEDERATION_ERROR_PARAM = 'jd_federation_error';
