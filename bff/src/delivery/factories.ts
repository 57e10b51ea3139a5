import { operatorEnvName, PROVIDERS, type AccountProviderName } from '../../../shared/src/delivery-providers.ts';
import type { ProviderAccount, SenderFactory } from './providers.ts';
import { createResendSender } from './resend.ts';
import type { MessageSender } from './sender.ts';
import { createTencentSender } from './tencent.ts';
import { createTwilioSender } from './twilio.ts';

type Env = Record<string, string | undefined>;

/** A provider without what it needs: fail for good with a reason that names keys, never values. */
function misconfigured(provider: string, missing: string[]): MessageSender {
  return {
    name: provider,
    deliver: () =>
      Promise.resolve({ ok: false, retryable: false, reason: `${provider}_not_configured:${missing.join(',')}` }),
  };
}

type Param = { value: unknown; name: string };

/** All values present, or the sender that says which are missing (by env name or setting key). */
function required<T extends Record<string, Param>>(
  provider: string,
  params: T,
): { ok: true; values: { [K in keyof T]: string } } | { ok: false; sender: MessageSender } {
  const missing = Object.values(params)
    .filter((p) => p.value === undefined || p.value === '')
    .map((p) => p.name);
  if (missing.length) return { ok: false, sender: misconfigured(provider, missing) };
  return { ok: true, values: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.value])) as never };
}

/** Per-provider timeout: the tenant's entry, else JD_PROVIDER_TIMEOUT_MS, else the adapter's 10 s. */
function timeout(ctx: { timeoutMs?: number | undefined }, env: Env): { timeoutMs?: number } {
  const ms = ctx.timeoutMs ?? Number(env.JD_PROVIDER_TIMEOUT_MS ?? NaN);
  return Number.isFinite(ms) && ms > 0 ? { timeoutMs: ms } : {};
}

function jsonEnv(env: Env, name: string): Record<string, string> | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    return undefined;
  }
}

/**
 * A provider's parameters by registry key: from the tenant's own account (credential or setting),
 * or from the operator's environment under the name the registry gives the key
 * (shared/src/delivery-providers.ts `env`) — never the one completed by the other, so the
 * operator's credentials go only with the operator's settings and the operator's endpoint. A key
 * with no environment name is the tenant's alone. `json` reads a JSON-valued variable (templates).
 */
function params(provider: AccountProviderName, account: ProviderAccount, env: Env) {
  const read = (key: string, fromEnv: (name: string) => unknown): Param => {
    if (account.owner === 'tenant') return { value: account.credentials[key] ?? account.settings[key], name: key };
    const envName = operatorEnvName(provider, key);
    return envName ? { value: fromEnv(envName), name: envName } : { value: undefined, name: key };
  };
  return {
    p: (key: string) => read(key, (name) => env[name]),
    json: (key: string) => read(key, (name) => jsonEnv(env, name)),
  };
}

/** The operator's endpoint override for a provider (local fakes), by the registry's name for it. */
function endpoint(provider: AccountProviderName, key: string, env: Env): string | undefined {
  const names: Record<string, string> = PROVIDERS[provider].endpointEnv;
  return Object.hasOwn(names, key) ? env[names[key]] : undefined;
}

const optional = (name: string, value: unknown) => (value !== undefined && value !== '' ? { [name]: value } : {});

/**
 * The real providers, one per registry entry (shared/src/delivery-providers.ts). Where each
 * provider's API lives comes from the environment only (RESEND_BASE_URL, TENCENTCLOUD_ENDPOINT
 * and TENCENTCLOUD_PROTOCOL, TWILIO_BASE_URL: the local fakes), whichever account is used.
 * No credential ever reaches a log, an answer or an error.
 */
export const senderFactories = {
  resend(account, env, ctx) {
    const { p } = params('resend', account, env);
    const r = required('resend', {
      apiKey: p('apiKey'),
      // an own account sends from the tenant's address; the operator's account from the operator's
      from: account.owner === 'tenant' ? { value: ctx.emailFrom, name: 'emailFrom' } : p('from'),
    });
    if (!r.ok) return r.sender;
    return createResendSender({
      ...r.values,
      ...optional('baseUrl', endpoint('resend', 'baseUrl', env)),
      ...timeout(ctx, env),
    });
  },
  tencent(account, env, ctx) {
    const { p, json } = params('tencent', account, env);
    const r = required('tencent', {
      secretId: p('secretId'),
      secretKey: p('secretKey'),
      smsSdkAppId: p('smsSdkAppId'),
      signName: p('signName'),
      templates: json('templates'),
    });
    if (!r.ok) return r.sender;
    const values = r.values as typeof r.values & { templates: Record<string, string> };
    const protocol = endpoint('tencent', 'protocol', env);
    return createTencentSender({
      ...values,
      region: (p('region').value as string | undefined) || 'ap-guangzhou',
      ...optional('intlSignName', p('intlSignName').value),
      ...optional('intlTemplates', p('intlTemplates').value),
      ...optional('voiceSdkAppId', p('voiceSdkAppId').value),
      ...optional('voiceTemplates', json('voiceTemplates').value),
      ...optional('endpoint', endpoint('tencent', 'endpoint', env)),
      ...(protocol === 'http:' || protocol === 'https:' ? { protocol } : {}),
      ...timeout(ctx, env),
    });
  },
  twilio(account, env, ctx) {
    const { p } = params('twilio', account, env);
    const r = required('twilio', { accountSid: p('accountSid'), authToken: p('authToken'), from: p('from') });
    if (!r.ok) return r.sender;
    return createTwilioSender({
      ...r.values,
      ...optional('baseUrl', endpoint('twilio', 'baseUrl', env)),
      ...timeout(ctx, env),
    });
  },
} satisfies Record<AccountProviderName, SenderFactory>;
