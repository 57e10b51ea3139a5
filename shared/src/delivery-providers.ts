/**
 * The message providers, listed once: each provider's channels, the credential keys of an account
 * with it, the non-secret settings that belong to such an account (sender number, signature,
 * template ids) and the environment variables of the operator's account. The stored
 * `ProviderConfig` type (shared/src/tenant.ts), the tenant-config schema
 * (shared/src/tenant-config.ts), the default provider per channel and the BFF's sender factories
 * (bff/src/delivery/providers.ts, factories.ts) are derived from this table.
 *
 * A tenant's provider entry is one of two accounts (docs/operating.md#delivery-providers):
 * - the operator's account: `{ "provider": "tencent" }` — credentials, settings and endpoint all
 *   come from the BFF's environment;
 * - the tenant's own account: `{ "provider": "tencent", "credentials": { … }, …settings }` — every
 *   credential and setting from the tenant, never completed from the environment.
 * No provider has a URL, host or protocol setting: where a provider's API lives is the operator's
 * decision alone (the environment's endpoint overrides, for local fakes), so no tenant can point
 * the BFF at a server of its choosing.
 */
import { z } from 'zod';
import { hasInvalidTextChars } from './rules/text.ts';

export const DELIVERY_CHANNELS = ['email', 'sms', 'voice'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** Plain text with no control characters (C0, DEL, C1) and no lone surrogates (shared/src/rules/text.ts). */
const text = (max: number) =>
  z
    .string({ error: 'invalid_input' })
    .min(1, { error: 'required' })
    .max(max, { error: 'invalid_input' })
    .refine((v) => !hasInvalidTextChars(v), { error: 'invalid_input' });

/** A credential: printable ASCII without spaces (API keys, SIDs, tokens), so it fits a header as is. */
export const credentialValue = z
  .string({ error: 'invalid_input' })
  .min(1, { error: 'required' })
  .max(512, { error: 'invalid_input' })
  .regex(/^[\x21-\x7e]+$/, { error: 'invalid_input' });

const appId = z.string({ error: 'invalid_input' }).regex(/^[0-9]{4,20}$/, { error: 'invalid_input' });
/** purpose (template key, bff/src/delivery/templates.ts) → the provider's approved template id */
const templateIds = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { error: 'invalid_input' }),
    z.string({ error: 'invalid_input' }).regex(/^[0-9A-Za-z_-]{1,64}$/, { error: 'invalid_input' }),
    { error: 'invalid_input' },
  )
  .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 50, { error: 'invalid_input' });
/** a Tencent Cloud region name (sent as the X-TC-Region header, never part of a host name) */
const tencentRegion = z
  .string({ error: 'invalid_input' })
  .regex(/^[a-z]{2,4}(-[a-z0-9]+){1,3}$/, { error: 'invalid_input' });
const e164 = z.string({ error: 'invalid_input' }).regex(/^\+[1-9][0-9]{6,14}$/, { error: 'invalid_input' });

interface ProviderSpec {
  /** the channels this provider can deliver */
  channels: readonly DeliveryChannel[];
  /** every credential an own account must give (all of them, or none) */
  credentials: readonly string[];
  /** non-secret settings of an own account: `optional()` ones may be left out */
  settings: Record<string, z.ZodType>;
  /**
   * The operator's account (docs/operating.md#delivery-providers): the environment variable of each credential and
   * setting it reads (a setting missing here is the tenant's alone), plus what only the operator
   * sets (Resend's sender). Names only: the values are read by the BFF's sender factories.
   */
  env: Record<string, string>;
  /** the operator's endpoint overrides (local fakes); never a tenant's key */
  endpointEnv: Record<string, string>;
}

/**
 * The registry. Its server half is bff/src/delivery/factories.ts (name → sender factory, typed
 * `Record<AccountProviderName, SenderFactory>`, so a provider added here without a factory does
 * not compile); it stays there because the provider SDKs must never reach a browser bundle.
 */
export const PROVIDERS = {
  /** the dev outbox: nothing leaves the database (development and tests) */
  dev: { channels: DELIVERY_CHANNELS, credentials: [], settings: {}, env: {}, endpointEnv: {} },
  /** email through Resend; an own account sends from the tenant's `emailFrom` */
  resend: {
    channels: ['email'],
    credentials: ['apiKey'],
    settings: {},
    env: { apiKey: 'RESEND_API_KEY', from: 'RESEND_FROM' },
    endpointEnv: { baseUrl: 'RESEND_BASE_URL' },
  },
  /** SMS and voice for CN/HK/MO/TW through Tencent Cloud SMS/VMS */
  tencent: {
    channels: ['sms', 'voice'],
    credentials: ['secretId', 'secretKey'],
    settings: {
      region: tencentRegion.optional(),
      smsSdkAppId: appId,
      signName: text(32),
      templates: templateIds,
      intlSignName: text(32).optional(),
      intlTemplates: templateIds.optional(),
      voiceSdkAppId: appId.optional(),
      voiceTemplates: templateIds.optional(),
    },
    env: {
      secretId: 'TENCENTCLOUD_SECRET_ID',
      secretKey: 'TENCENTCLOUD_SECRET_KEY',
      region: 'TENCENTCLOUD_REGION',
      smsSdkAppId: 'TENCENTCLOUD_SMS_SDK_APP_ID',
      signName: 'TENCENTCLOUD_SMS_SIGN_NAME',
      /** JSON, as the setting */
      templates: 'TENCENTCLOUD_SMS_TEMPLATES',
      voiceSdkAppId: 'TENCENTCLOUD_VOICE_SDK_APP_ID',
      /** JSON, as the setting */
      voiceTemplates: 'TENCENTCLOUD_VOICE_TEMPLATES',
    },
    endpointEnv: { endpoint: 'TENCENTCLOUD_ENDPOINT', protocol: 'TENCENTCLOUD_PROTOCOL' },
  },
  /** SMS and voice through Twilio */
  twilio: {
    channels: ['sms', 'voice'],
    credentials: ['accountSid', 'authToken'],
    settings: { from: e164 },
    env: { accountSid: 'TWILIO_ACCOUNT_SID', authToken: 'TWILIO_AUTH_TOKEN', from: 'TWILIO_FROM' },
    endpointEnv: { baseUrl: 'TWILIO_BASE_URL' },
  },
} as const satisfies Record<string, ProviderSpec>;

export type ProviderName = keyof typeof PROVIDERS;
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];
/** the providers that need an account (everything but the dev outbox) */
export type AccountProviderName = Exclude<ProviderName, 'dev'>;

export function isProviderName(name: unknown): name is ProviderName {
  return typeof name === 'string' && Object.hasOwn(PROVIDERS, name);
}

export function providersFor(channel: DeliveryChannel): ProviderName[] {
  return PROVIDER_NAMES.filter((p) => (PROVIDERS[p].channels as readonly string[]).includes(channel));
}

/** Whether `name` is a provider that delivers on `channel` (a tenant's entry, or the environment's default). */
export function servesChannel(name: unknown, channel: DeliveryChannel): name is ProviderName {
  return isProviderName(name) && (PROVIDERS[name].channels as readonly string[]).includes(channel);
}

/** The environment variable naming a channel's default provider (docs/operating.md#delivery-providers): JD_SMS_PROVIDER, … */
export const defaultProviderEnv = (channel: DeliveryChannel) => `JD_${channel.toUpperCase()}_PROVIDER`;

/** The environment variable the operator's account reads for a credential or setting, if any. */
export function operatorEnvName(provider: ProviderName, key: string): string | undefined {
  const env: Record<string, string> = PROVIDERS[provider].env;
  return Object.hasOwn(env, key) ? env[key] : undefined;
}

type Spec<P extends ProviderName> = (typeof PROVIDERS)[P];
/** An own account's credentials for provider P, e.g. `{ secretId, secretKey }`. */
export type ProviderCredentials<P extends ProviderName> = Record<Spec<P>['credentials'][number], string>;
/** An own account's settings for provider P, as given (optional ones may be absent). */
export type ProviderSettings<P extends ProviderName> = {
  [K in keyof Spec<P>['settings']]?: z.output<Spec<P>['settings'][K]>;
};

/** The keys of provider P's settings that an own account must give. */
export function requiredSettings(provider: ProviderName): string[] {
  return Object.entries(PROVIDERS[provider].settings as Record<string, z.ZodType>)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key);
}

/**
 * The credentials in a tenant-config change: all of the provider's credential keys (an own
 * account), `null` (back to the operator's account), or `{ "set": true }` as read back from
 * GET /admin/v1/config (keep the stored ones, so a config read and written back loses nothing).
 */
function credentialsInput(provider: ProviderName) {
  const keys = PROVIDERS[provider].credentials as readonly string[];
  const full = z.object(Object.fromEntries(keys.map((k) => [k, credentialValue])), { error: 'invalid_input' }).strict();
  const keep = z
    .object(
      { set: z.literal(true, { error: 'invalid_input' }), keys: z.array(z.string()).max(10).optional() },
      { error: 'invalid_input' },
    )
    .strict();
  return z.union([full, keep], { error: 'invalid_input' }).nullable();
}

/** One channel's entry in a tenant-config change (strict: a key not in the registry is refused). */
export function providerEntryInput(channel: DeliveryChannel) {
  const options = providersFor(channel).map((name) => {
    const spec = PROVIDERS[name];
    const shape: Record<string, z.ZodType> = { provider: z.literal(name) };
    if (name !== 'dev') {
      shape.timeoutMs = z
        .int({ error: 'invalid_input' })
        .min(100, { error: 'invalid_input' })
        .max(60_000, { error: 'invalid_input' })
        .optional();
      shape.credentials = credentialsInput(name).optional();
      // settings are checked for presence once merged with what is stored (bff/src/delivery/accounts.ts)
      for (const [key, schema] of Object.entries(spec.settings as Record<string, z.ZodType>))
        shape[key] = schema.optional();
    }
    return z.object(shape, { error: 'invalid_input' }).strict();
  });
  return z.discriminatedUnion('provider', options as unknown as [z.ZodObject, ...z.ZodObject[]], {
    error: 'invalid_input',
  });
}

/** A channel's entry as given, before merging (typed loosely: its keys depend on the provider). */
export type ProviderEntryInput = {
  provider: ProviderName;
  timeoutMs?: number;
  credentials?: Record<string, string> | { set: true; keys?: string[] } | null;
} & Record<string, unknown>;
