import type { DeliveryConfig, ProviderConfig } from '../../../shared/src/tenant.ts';
import type { Db } from '../db/create.ts';
import { findTenantById } from '../db/tenants.ts';
import { devSender, type MessageSender, type OutgoingMessage, type SenderResolver } from './sender.ts';

type Channel = OutgoingMessage['channel'];
type Env = Record<string, string | undefined>;

/** A sender for a channel with no provider: fails for good, so the widget offers the alternatives. */
export function unconfiguredSender(channel: Channel): MessageSender {
  return { name: 'none', deliver: async () => ({ ok: false, retryable: false, reason: `no_provider_for_${channel}` }) };
}

/** Builds a provider's sender from its config; credentials fall back to the environment. */
export type SenderFactory = (config: ProviderConfig, env: Env, context: { emailFrom?: string | undefined }) => MessageSender;

/**
 * Default provider per channel when the tenant names none: whatever the environment configures
 * (README: Configuration), else the dev outbox in development, else none.
 */
function defaultProvider(channel: Channel, env: Env, dev: boolean): ProviderConfig | undefined {
  const name = env[`JD_${channel.toUpperCase()}_PROVIDER`];
  if (name === 'resend' || name === 'tencent' || name === 'twilio' || name === 'dev') return { provider: name } as ProviderConfig;
  return dev ? { provider: 'dev' } : undefined;
}

/**
 * Resolves (and caches per tenant config) the sender for a tenant's channel. Tenant config is
 * re-read at most every ttlMs, so a provider change takes effect without a restart.
 */
export function createSenderResolver(opts: {
  db: Db;
  env: Env;
  dev: boolean;
  factories: Partial<Record<ProviderConfig['provider'], SenderFactory>>;
  ttlMs?: number;
}): SenderResolver {
  const cache = new Map<string, { at: number; senders: Partial<Record<Channel, MessageSender>>; delivery: DeliveryConfig; emailFrom?: string | undefined }>();
  const ttl = opts.ttlMs ?? 30_000;
  return async (tenantId, channel) => {
    let entry = cache.get(tenantId);
    if (!entry || Date.now() - entry.at > ttl) {
      const tenant = await findTenantById(opts.db, tenantId);
      entry = { at: Date.now(), senders: {}, delivery: tenant?.config.delivery ?? {}, emailFrom: tenant?.config.emailFrom };
      cache.set(tenantId, entry);
    }
    const hit = entry.senders[channel];
    if (hit) return hit;
    const config = entry.delivery[channel] ?? defaultProvider(channel, opts.env, opts.dev);
    let sender: MessageSender;
    if (!config) sender = unconfiguredSender(channel);
    else if (config.provider === 'dev') sender = devSender;
    else {
      const factory = opts.factories[config.provider];
      sender = factory ? factory(config, opts.env, { emailFrom: entry.emailFrom }) : unconfiguredSender(channel);
    }
    entry.senders[channel] = sender;
    return sender;
  };
}
