/**
 * Whose provider account a tenant's channel uses, and the tenant's own credentials at rest.
 *
 * A stored entry (shared/src/tenant.ts ProviderConfig) is read into one of:
 * - `operator`: `{ provider }` alone — the BFF's environment gives credentials, settings and
 *   endpoint (bff/src/delivery/factories.ts);
 * - `tenant`: the tenant's credentials (sealed with AES-256-GCM under a key derived from
 *   JD_SECRET for the purpose 'provider-credentials') and its settings — nothing from the
 *   environment but the endpoint override, which is the operator's;
 * - `incomplete`: an old row with only some credentials in plaintext — fails for good rather
 *   than being completed with the operator's (that mix sent the operator's secrets to a tenant's
 *   server before).
 * URL keys (`baseUrl`, `endpoint`, `protocol`) of old rows are never read: only the keys the
 * provider registry (shared/src/delivery-providers.ts) names are.
 */
import {
  PROVIDERS,
  credentialValue,
  isProviderName,
  requiredSettings,
  type AccountProviderName,
  type DeliveryChannel,
  type ProviderEntryInput,
} from '../../../shared/src/delivery-providers.ts';
import { AppError, type FieldIssue } from '../../../shared/src/errors.ts';
import type { DeliveryConfig, ProviderConfig, TenantConfig } from '../../../shared/src/tenant.ts';
import { deriveKey, seal, unseal } from '../crypto.ts';

export const PROVIDER_CREDENTIALS_PURPOSE = 'provider-credentials';

export function credentialsKey(secret: string): Buffer {
  return deriveKey(secret, PROVIDER_CREDENTIALS_PURPOSE);
}

export function sealCredentials(key: Buffer, credentials: Record<string, string>): string {
  return seal(key, JSON.stringify(credentials));
}

/** The credentials of a sealed blob, or undefined when it cannot be opened (another JD_SECRET, tampering). */
export function unsealCredentials(key: Buffer, sealed: string): Record<string, string> | undefined {
  try {
    const value = JSON.parse(unseal(key, sealed)) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string'));
  } catch {
    return undefined;
  }
}

const credentialKeys = (provider: AccountProviderName) => PROVIDERS[provider].credentials as readonly string[];
const settingKeys = (provider: AccountProviderName) => Object.keys(PROVIDERS[provider].settings);

function pick(entry: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]]));
}

function timeoutOf(entry: Record<string, unknown>): { timeoutMs?: number } {
  const t = entry.timeoutMs;
  return typeof t === 'number' && Number.isInteger(t) && t >= 100 && t <= 60_000 ? { timeoutMs: t } : {};
}

export type StoredAccount =
  | { provider: 'dev' }
  | { provider: AccountProviderName; owner: 'operator'; timeoutMs?: number }
  | {
      provider: AccountProviderName;
      owner: 'tenant';
      timeoutMs?: number;
      settings: Record<string, unknown>;
      credentials: { sealed: string } | { plain: Record<string, string> };
    }
  | { provider: AccountProviderName; owner: 'incomplete'; timeoutMs?: number; keys: string[] };

/** Reads a stored entry by the registry alone; undefined for an unknown provider. */
export function readStoredEntry(entry: unknown): StoredAccount | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  if (!isProviderName(e.provider)) return undefined;
  if (e.provider === 'dev') return { provider: 'dev' };
  const provider = e.provider;
  const base = { provider, ...timeoutOf(e) };
  const settings = pick(e, settingKeys(provider));
  if (typeof e.sealedCredentials === 'string' && e.sealedCredentials) {
    return { ...base, owner: 'tenant', settings, credentials: { sealed: e.sealedCredentials } };
  }
  // an old row: plaintext credentials count only when all are there, and are never completed
  const plain = pick(e, credentialKeys(provider));
  const given = Object.keys(plain);
  if (given.length === 0) return { ...base, owner: 'operator' };
  if (
    given.length === credentialKeys(provider).length &&
    Object.values(plain).every((v) => credentialValue.safeParse(v).success)
  ) {
    return { ...base, owner: 'tenant', settings, credentials: { plain: plain as Record<string, string> } };
  }
  return { ...base, owner: 'incomplete', keys: given };
}

/**
 * A channel's provider as an operator may read it back (admin API, CLI `show`): the provider,
 * its timeout and an own account's settings; of the credentials only that they are set and
 * their key names. Never a credential, never an old row's URL key.
 */
export function providerView(entry: unknown): Record<string, unknown> | undefined {
  const read = readStoredEntry(entry);
  if (!read) return undefined;
  if (read.provider === 'dev') return { provider: 'dev' };
  const { provider, owner } = read;
  const timeout = read.timeoutMs !== undefined ? { timeoutMs: read.timeoutMs } : {};
  if (owner === 'operator') return { provider, ...timeout };
  if (owner === 'incomplete') return { provider, ...timeout, credentials: { set: false, keys: read.keys } };
  return { provider, ...timeout, ...read.settings, credentials: { set: true, keys: [...credentialKeys(provider)] } };
}

export function deliveryView(delivery: DeliveryConfig | undefined): Record<string, unknown> | undefined {
  if (!delivery) return undefined;
  const out: Record<string, unknown> = {};
  for (const [channel, entry] of Object.entries(delivery)) {
    const view = providerView(entry);
    if (view) out[channel] = view;
  }
  return out;
}

/**
 * Merges a `delivery` change into the stored entries, per channel: a channel left out keeps its
 * entry, `null` removes it. In a channel's entry, `credentials` with every key replaces the own
 * account's credentials (sealed here), `null` returns to the operator's account, and left out or
 * `{ "set": true }` keeps the stored ones if the provider stays the same. An own account must
 * give every required setting; the operator's account takes none. Throws invalid_input naming
 * the fields.
 */
export function mergeDelivery(
  stored: DeliveryConfig | undefined,
  patch: Partial<Record<DeliveryChannel, ProviderEntryInput | null>>,
  key: Buffer,
): DeliveryConfig {
  const out: Record<string, ProviderConfig> = { ...(stored ?? {}) };
  const issues: FieldIssue[] = [];
  for (const [channel, entry] of Object.entries(patch) as Array<
    [DeliveryChannel, ProviderEntryInput | null | undefined]
  >) {
    if (entry === undefined) continue;
    if (entry === null) {
      delete out[channel];
      continue;
    }
    const path = `delivery.${channel}`;
    if (entry.provider === 'dev') {
      out[channel] = { provider: 'dev' };
      continue;
    }
    const provider = entry.provider;
    const { provider: _p, timeoutMs, credentials, ...given } = entry;
    const settings = pick(given, settingKeys(provider));
    let sealed: string | undefined;
    if (credentials && !('set' in credentials)) {
      sealed = sealCredentials(key, pick(credentials, credentialKeys(provider)) as Record<string, string>);
    } else if (credentials !== null) {
      // keep: only an own account of the same provider has credentials worth keeping
      const previous = readStoredEntry(stored?.[channel]);
      if (previous && previous.provider === provider && 'owner' in previous && previous.owner === 'tenant') {
        sealed =
          'sealed' in previous.credentials
            ? previous.credentials.sealed
            : sealCredentials(key, previous.credentials.plain);
      } else if (credentials) {
        issues.push({ path: `${path}.credentials`, code: 'required' }); // `{ set: true }` with nothing stored
      }
    }
    if (sealed) {
      for (const k of requiredSettings(provider))
        if (settings[k] === undefined) issues.push({ path: `${path}.${k}`, code: 'required' });
    } else {
      // the operator's account: its settings come from the environment with its credentials
      for (const k of Object.keys(settings)) issues.push({ path: `${path}.${k}`, code: 'invalid_input' });
    }
    out[channel] = {
      provider,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...settings,
      ...(sealed ? { sealedCredentials: sealed } : {}),
    };
  }
  if (issues.length) throw new AppError('invalid_input', undefined, issues);
  return out;
}

/** Rules across keys: an own email account (Resend) sends from the tenant's `emailFrom`. */
export function checkDeliveryConfig(config: TenantConfig): void {
  const email = readStoredEntry(config.delivery?.email);
  if (email && 'owner' in email && email.owner === 'tenant' && !config.emailFrom) {
    throw new AppError('invalid_input', undefined, [{ path: 'emailFrom', code: 'required' }]);
  }
}
