/**
 * A tenant's upstream providers as the operator changes them (tenant CLI, admin API): the patch
 * of shared/src/federation.ts merged by id into what is stored, secrets sealed, and read back
 * without a secret.
 */
import { AppError } from '../../../shared/src/errors.ts';
import {
  MAX_FEDERATION_PROVIDERS,
  type FederationConfig,
  type FederationPatch,
  type FederationProviderConfig,
} from '../../../shared/src/federation.ts';
import { sealSecret } from './connector.ts';

const secretField = (kind: FederationProviderConfig['kind']) => (kind === 'oidc' ? 'clientSecret' : 'appSecret');

export function mergeFederation(
  current: FederationConfig | undefined,
  patch: FederationPatch,
  key: Buffer,
): FederationConfig {
  const byId = new Map((current?.providers ?? []).map((p) => [p.id, p]));
  for (const [id, entry] of Object.entries(patch.providers)) {
    if (entry === null) {
      byId.delete(id);
      continue;
    }
    const before = byId.get(id);
    const kept = before?.kind === entry.kind ? before : undefined;
    if (entry.kind === 'oidc') {
      const { clientSecret, ...rest } = entry;
      const sealed = clientSecret ? sealSecret(key, clientSecret) : kept?.kind === 'oidc' && kept.sealedClientSecret;
      if (!sealed) throw missingSecret(id, 'oidc');
      byId.set(id, { id, ...rest, sealedClientSecret: sealed });
    } else {
      const { appSecret, ...rest } = entry;
      const sealed = appSecret ? sealSecret(key, appSecret) : kept?.kind === 'wechat' && kept.sealedAppSecret;
      if (!sealed) throw missingSecret(id, 'wechat');
      byId.set(id, { id, ...rest, sealedAppSecret: sealed });
    }
  }
  if (byId.size > MAX_FEDERATION_PROVIDERS)
    throw new AppError('invalid_input', undefined, [{ path: 'federation', code: 'invalid_input' }]);
  return { providers: [...byId.values()] };
}

function missingSecret(id: string, kind: FederationProviderConfig['kind']): AppError {
  return new AppError('invalid_input', undefined, [
    { path: `federation.providers.${id}.${secretField(kind)}`, code: 'required' },
  ]);
}

/** The providers as an operator reads them back: whether a secret is set, never the secret. */
export function federationView(config: FederationConfig | undefined) {
  if (!config) return undefined;
  return {
    providers: config.providers.map((p) => {
      if (p.kind === 'oidc') {
        const { sealedClientSecret, ...rest } = p;
        return { ...rest, clientSecretSet: Boolean(sealedClientSecret) };
      }
      const { sealedAppSecret, ...rest } = p;
      return { ...rest, appSecretSet: Boolean(sealedAppSecret) };
    }),
  };
}

export function findProvider(config: FederationConfig | undefined, id: string): FederationProviderConfig | undefined {
  return config?.providers.find((p) => p.id === id);
}
