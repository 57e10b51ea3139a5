import type { AccountProviderName } from '../../../shared/src/delivery-providers.ts';
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
    deliver: async () => ({ ok: false, retryable: false, reason: `${provider}_not_configured:${missing.join(',')}` }),
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
 * One parameter: from the tenant's own account (credential or setting), or from the operator's
 * environment — never the one completed by the other, so the operator's credentials go only
 * with the operator's settings and the operator's endpoint.
 */
function param(
  account: ProviderAccount,
  key: string,
  envName: string,
  env: Env,
  fromEnv: (name: string) => unknown = (n) => env[n],
): Param {
  if (account.owner === 'tenant') return { value: account.credentials[key] ?? account.settings[key], name: key };
  return { value: fromEnv(envName), name: envName };
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
    const r = required('resend', {
      apiKey: param(account, 'apiKey', 'RESEND_API_KEY', env),
      // an own account sends from the tenant's address; the operator's account from the operator's
      from:
        account.owner === 'tenant'
          ? { value: ctx.emailFrom, name: 'emailFrom' }
          : { value: env.RESEND_FROM, name: 'RESEND_FROM' },
    });
    if (!r.ok) return r.sender;
    return createResendSender({ ...r.values, ...optional('baseUrl', env.RESEND_BASE_URL), ...timeout(ctx, env) });
  },
  tencent(account, env, ctx) {
    const p = (key: string, envName: string) => param(account, key, envName, env);
    const json = (key: string, envName: string) => param(account, key, envName, env, (n) => jsonEnv(env, n));
    const r = required('tencent', {
      secretId: p('secretId', 'TENCENTCLOUD_SECRET_ID'),
      secretKey: p('secretKey', 'TENCENTCLOUD_SECRET_KEY'),
      smsSdkAppId: p('smsSdkAppId', 'TENCENTCLOUD_SMS_SDK_APP_ID'),
      signName: p('signName', 'TENCENTCLOUD_SMS_SIGN_NAME'),
      templates: json('templates', 'TENCENTCLOUD_SMS_TEMPLATES'),
    });
    if (!r.ok) return r.sender;
    const values = r.values as typeof r.values & { templates: Record<string, string> };
    return createTencentSender({
      ...values,
      region: (p('region', 'TENCENTCLOUD_REGION').value as string | undefined) || 'ap-guangzhou',
      ...optional('intlSignName', account.owner === 'tenant' ? account.settings.intlSignName : undefined),
      ...optional('intlTemplates', account.owner === 'tenant' ? account.settings.intlTemplates : undefined),
      ...optional('voiceSdkAppId', p('voiceSdkAppId', 'TENCENTCLOUD_VOICE_SDK_APP_ID').value),
      ...optional('voiceTemplates', json('voiceTemplates', 'TENCENTCLOUD_VOICE_TEMPLATES').value),
      ...optional('endpoint', env.TENCENTCLOUD_ENDPOINT),
      ...(env.TENCENTCLOUD_PROTOCOL === 'http:' || env.TENCENTCLOUD_PROTOCOL === 'https:'
        ? { protocol: env.TENCENTCLOUD_PROTOCOL }
        : {}),
      ...timeout(ctx, env),
    });
  },
  twilio(account, env, ctx) {
    const r = required('twilio', {
      accountSid: param(account, 'accountSid', 'TWILIO_ACCOUNT_SID', env),
      authToken: param(account, 'authToken', 'TWILIO_AUTH_TOKEN', env),
      from: param(account, 'from', 'TWILIO_FROM', env),
    });
    if (!r.ok) return r.sender;
    return createTwilioSender({ ...r.values, ...optional('baseUrl', env.TWILIO_BASE_URL), ...timeout(ctx, env) });
  },
} satisfies Record<AccountProviderName, SenderFactory>;
