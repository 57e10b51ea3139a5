import type { ProviderConfig } from '../../../shared/src/tenant.ts';
import type { SenderFactory } from './providers.ts';
import { createResendSender } from './resend.ts';
import type { MessageSender } from './sender.ts';
import { createTencentSender } from './tencent.ts';
import { createTwilioSender } from './twilio.ts';

type Env = Record<string, string | undefined>;

/** A provider named but missing credentials: fail for good with a reason that names no secret. */
function misconfigured(provider: string, missing: string[]): MessageSender {
  return { name: provider, deliver: async () => ({ ok: false, retryable: false, reason: `${provider}_not_configured:${missing.join(',')}` }) };
}

function required<T extends Record<string, unknown>>(provider: string, values: T): { ok: true; values: { [K in keyof T]-?: NonNullable<T[K]> } } | { ok: false; sender: MessageSender } {
  const missing = Object.entries(values)
    .filter(([, v]) => v === undefined || v === '')
    .map(([k]) => k);
  return missing.length ? { ok: false, sender: misconfigured(provider, missing) } : { ok: true, values: values as never };
}

/** Per-provider timeout: tenant config, else JD_PROVIDER_TIMEOUT_MS, else the adapter's 10 s. */
function timeout(config: ProviderConfig, env: Env): { timeoutMs?: number } {
  const ms = config.timeoutMs ?? Number(env.JD_PROVIDER_TIMEOUT_MS ?? NaN);
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
 * The real providers, by config name. Each credential comes from the tenant's config, else the
 * BFF's environment (README: Configuration); neither ever reaches a log, an answer or an error.
 */
export const senderFactories: Partial<Record<ProviderConfig['provider'], SenderFactory>> = {
  resend(config, env, ctx) {
    const c = config as Extract<ProviderConfig, { provider: 'resend' }>;
    const r = required('resend', { apiKey: c.apiKey ?? env.RESEND_API_KEY, from: c.from ?? ctx.emailFrom ?? env.RESEND_FROM });
    if (!r.ok) return r.sender;
    const baseUrl = c.baseUrl ?? env.RESEND_BASE_URL;
    return createResendSender({ ...r.values, ...(baseUrl ? { baseUrl } : {}), ...timeout(config, env) });
  },
  tencent(config, env) {
    const c = config as Extract<ProviderConfig, { provider: 'tencent' }>;
    const r = required('tencent', {
      secretId: c.secretId ?? env.TENCENTCLOUD_SECRET_ID,
      secretKey: c.secretKey ?? env.TENCENTCLOUD_SECRET_KEY,
      region: c.region ?? env.TENCENTCLOUD_REGION ?? 'ap-guangzhou',
      smsSdkAppId: c.smsSdkAppId ?? env.TENCENTCLOUD_SMS_SDK_APP_ID,
      signName: c.signName ?? env.TENCENTCLOUD_SMS_SIGN_NAME,
      templates: c.templates ?? jsonEnv(env, 'TENCENTCLOUD_SMS_TEMPLATES'),
    });
    if (!r.ok) return r.sender;
    const voiceSdkAppId = c.voiceSdkAppId ?? env.TENCENTCLOUD_VOICE_SDK_APP_ID;
    const voiceTemplates = c.voiceTemplates ?? jsonEnv(env, 'TENCENTCLOUD_VOICE_TEMPLATES');
    const endpoint = c.endpoint ?? env.TENCENTCLOUD_ENDPOINT;
    const protocol = c.protocol ?? (env.TENCENTCLOUD_PROTOCOL as 'https:' | 'http:' | undefined);
    return createTencentSender({
      ...r.values,
      ...(voiceSdkAppId ? { voiceSdkAppId } : {}),
      ...(voiceTemplates ? { voiceTemplates } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(protocol ? { protocol } : {}),
      ...timeout(config, env),
    });
  },
  twilio(config, env) {
    const c = config as Extract<ProviderConfig, { provider: 'twilio' }>;
    const r = required('twilio', {
      accountSid: c.accountSid ?? env.TWILIO_ACCOUNT_SID,
      authToken: c.authToken ?? env.TWILIO_AUTH_TOKEN,
      from: c.from ?? env.TWILIO_FROM,
    });
    if (!r.ok) return r.sender;
    const baseUrl = c.baseUrl ?? env.TWILIO_BASE_URL;
    return createTwilioSender({ ...r.values, ...(baseUrl ? { baseUrl } : {}), ...timeout(config, env) });
  },
};
