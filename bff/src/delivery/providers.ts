import { defaultProviderEnv, servesChannel, type AccountProviderName } from '../../../shared/src/delivery-providers.ts';
import type { DeliveryConfig } from '../../../shared/src/tenant.ts';
import type { Db } from '../db/create.ts';
import { findTenantById } from '../db/tenants.ts';
import { credentialsKey, readStoredEntry, unsealCredentials, type StoredAccount } from './accounts.ts';
import { devSender, type MessageSender, type OutgoingMessage, type SenderResolver } from './sender.ts';

type Channel = OutgoingMessage['channel'];
type Env = Record<string, string | undefined>;

/** A sender for a channel with no provider: fails for good, so the widget offers the alternatives. */
export function unconfiguredSender(channel: Channel): MessageSender {
  return {
    name: 'none',
    deliver: () => Promise.resolve({ ok: false, retryable: false, reason: `no_provider_for_${channel}` }),
  };
}

/**
 * Whose account a sender uses (bff/src/delivery/accounts.ts): the operator's (everything from
 * the environment) or the tenant's own (its credentials, unsealed, and its settings).
 */
export type ProviderAccount =
  { owner: 'operator' } | { owner: 'tenant'; credentials: Record<string, string>; settings: Record<string, unknown> };

/** Builds a provider's sender for one account; the endpoint always comes from the environment. */
export type SenderFactory = (
  account: ProviderAccount,
  env: Env,
  context: { emailFrom?: string | undefined; timeoutMs?: number | undefined },
) => MessageSender;

/** A sender that fails for good with a reason naming no secret. */
function failing(provider: string, reason: string): MessageSender {
  return { name: provider, deliver: () => Promise.resolve({ ok: false, retryable: false, reason }) };
}

/**
 * Default provider per channel when the tenant names none: whatever the environment configures
 * (docs/operating.md#delivery-providers: JD_SMS_PROVIDER, …) — always the operator's account — else the dev outbox
 * in development, else none. A name the registry does not know, or a provider that does not
 * serve the channel (JD_SMS_PROVIDER=resend), counts as none: never a sender for the wrong channel.
 */
function defaultProvider(channel: Channel, env: Env, dev: boolean): StoredAccount | undefined {
  const name = env[defaultProviderEnv(channel)];
  if (!servesChannel(name, channel)) return dev ? { provider: 'dev' } : undefined;
  return name === 'dev' ? { provider: 'dev' } : { provider: name, owner: 'operator' };
}

/**
 * Resolves (and caches per tenant config) the sender for a tenant's channel. Tenant config is
 * re-read at most every ttlMs, so a provider change takes effect without a restart.
 */
export function createSenderResolver(opts: {
  db: Db;
  env: Env;
  dev: boolean;
  factories: Partial<Record<AccountProviderName, SenderFactory>>;
  /** JD_SECRET: opens the tenants' own sealed credentials; without it they fail for good */
  secret?: string;
  ttlMs?: number;
}): SenderResolver {
  const cache = new Map<
    string,
    {
      at: number;
      senders: Partial<Record<Channel, MessageSender>>;
      delivery: DeliveryConfig;
      emailFrom?: string | undefined;
    }
  >();
  const ttl = opts.ttlMs ?? 30_000;
  const key = opts.secret ? credentialsKey(opts.secret) : undefined;
  return async (tenantId, channel) => {
    let entry = cache.get(tenantId);
    if (!entry || Date.now() - entry.at > ttl) {
      const tenant = await findTenantById(opts.db, tenantId);
      entry = {
        at: Date.now(),
        senders: {},
        delivery: tenant?.config.delivery ?? {},
        emailFrom: tenant?.config.emailFrom,
      };
      cache.set(tenantId, entry);
    }
    const hit = entry.senders[channel];
    if (hit) return hit;
    const stored = entry.delivery[channel];
    // only the keys the provider registry names are read: an old row's baseUrl/endpoint never is
    const account = stored ? readStoredEntry(stored) : defaultProvider(channel, opts.env, opts.dev);
    let sender: MessageSender;
    if (!account) sender = unconfiguredSender(channel);
    // the dev outbox keeps codes readable: in production only the operator's environment may choose it, never a tenant
    else if (account.provider === 'dev') sender = opts.dev || !stored ? devSender : unconfiguredSender(channel);
    else {
      const factory = opts.factories[account.provider];
      const context = { emailFrom: entry.emailFrom, timeoutMs: account.timeoutMs };
      if (!factory) sender = unconfiguredSender(channel);
      else if (account.owner === 'operator') sender = factory({ owner: 'operator' }, opts.env, context);
      else if (account.owner === 'incomplete')
        sender = failing(account.provider, `${account.provider}_credentials_incomplete`);
      else {
        const credentials =
          'plain' in account.credentials
            ? account.credentials.plain
            : key
              ? unsealCredentials(key, account.credentials.sealed)
              : undefined;
        sender = credentials
          ? factory({ owner: 'tenant', credentials, settings: account.settings }, opts.env, context)
          : failing(account.provider, `${account.provider}_credentials_unreadable`);
      }
    }
    entry.senders[channel] = sender;
    return sender;
  };
}
