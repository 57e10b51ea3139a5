/**
 * Bot challenges before a paid message (docs/security.md#abuse-protection-for-paid-messages), listed
 * once: the providers, a tenant's captcha setting as the operator gives it (the tenant config
 * patch, shared/src/tenant-config.ts) and as it is stored (shared/src/tenant.ts), what a widget may
 * read of it, and the ticket a widget sends back. The server verification is the BFF's
 * (bff/src/captcha/), the browser side the widget's lazily loaded part (widget/src/parts/captcha.ts).
 *
 * - `tencent`: Tencent Cloud Captcha (腾讯云验证码, 天御), verified with DescribeCaptchaResult
 *   through the Tencent Cloud SDK. The browser gets `ticket` and `randstr`.
 * - `aliyun`: Alibaba Cloud Captcha 2.0 (阿里云验证码 2.0), verified with VerifyIntelligentCaptcha.
 *   The browser gets one `captchaVerifyParam`, sent as `ticket`.
 * - `turnstile`: Cloudflare Turnstile, verified with `siteverify` (plain fetch). Unreliable from
 *   mainland China: for tenants whose users are elsewhere.
 *
 * The verification endpoints and browser scripts are the providers'; only the operator may point
 * them elsewhere (environment, for local fakes), as with the message providers.
 */
import { z } from 'zod';
import { hasInvalidTextChars } from './rules/text.ts';

export const CAPTCHA_PROVIDERS = ['tencent', 'aliyun', 'turnstile'] as const;
export type CaptchaProvider = (typeof CAPTCHA_PROVIDERS)[number];

/** When a code request is challenged: every time, or only when a risk signal is raised (bff/src/services/abuse.ts). */
export const CAPTCHA_MODES = ['always', 'risk'] as const;
export type CaptchaMode = (typeof CAPTCHA_MODES)[number];

/** The providers' own browser scripts (the operator may replace them: CAPTCHA_<PROVIDER>_SCRIPT_URL). */
export const CAPTCHA_SCRIPT_URLS: Record<CaptchaProvider, string> = {
  tencent: 'https://turing.captcha.qcloud.com/TJCaptcha.js',
  aliyun: 'https://o.alicdn.com/captcha-frontend/aliyunCaptcha/AliyunCaptcha.js',
  turnstile: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit',
};

/**
 * What a page's Content-Security-Policy must allow for each provider's browser side, from the
 * providers' own CSP notes: its script, the frames it shows the check in, where it calls home.
 * A script the operator replaced (a local fake) is allowed by its own origin instead.
 */
export const CAPTCHA_CSP: Record<CaptchaProvider, { script: string[]; frame: string[]; connect: string[] }> = {
  tencent: {
    script: ['https://turing.captcha.qcloud.com', 'https://turing.captcha.gtimg.com'],
    frame: ['https://turing.captcha.qcloud.com', 'https://turing.captcha.gtimg.com'],
    connect: ['https://turing.captcha.qcloud.com'],
  },
  aliyun: {
    script: ['https://o.alicdn.com'],
    frame: [],
    connect: ['https://*.aliyuncs.com'],
  },
  turnstile: {
    script: ['https://challenges.cloudflare.com'],
    frame: ['https://challenges.cloudflare.com'],
    connect: [],
  },
};

/** The origins a page must allow for a widget's captcha (CAPTCHA_CSP, or the replaced script's own origin). */
export function captchaCspSources(captcha: CaptchaPublic): { script: string[]; frame: string[]; connect: string[] } {
  if (captcha.scriptUrl === CAPTCHA_SCRIPT_URLS[captcha.provider]) return CAPTCHA_CSP[captcha.provider];
  const origin = new URL(captcha.scriptUrl).origin;
  return { script: [origin], frame: [origin], connect: [origin] };
}

/** A control character or lone surrogate is refused as such first (text_invalid_chars), as in every body. */
const clean = (error: 'invalid_input' | 'captcha_invalid' = 'invalid_input') =>
  z
    .string({ error })
    .refine((v) => !hasInvalidTextChars(v), { params: { appCode: 'text_invalid_chars' }, abort: true });

/** A credential: printable ASCII without spaces, so it fits a header or a form as is. */
const secret = clean()
  .min(1, { error: 'required' })
  .max(512, { error: 'invalid_input' })
  .regex(/^[\x21-\x7e]+$/, { error: 'invalid_input' });

const common = {
  when: z.enum(CAPTCHA_MODES, { error: 'invalid_input' }),
  /** the provider cannot be reached: refuse the code (the default) or send it unchallenged */
  onProviderDown: z.enum(['refuse', 'allow'], { error: 'invalid_input' }).optional(),
};

const tencentInput = z
  .object(
    {
      provider: z.literal('tencent'),
      ...common,
      captchaAppId: clean().regex(/^[0-9]{4,20}$/, { error: 'invalid_input' }),
      /** left out: the stored one is kept */
      appSecretKey: secret.optional(),
      /** the Tencent Cloud API key pair (CAM) that may call DescribeCaptchaResult */
      secretId: secret,
      secretKey: secret.optional(),
    },
    { error: 'invalid_input' },
  )
  .strict();

const aliyunInput = z
  .object(
    {
      provider: z.literal('aliyun'),
      ...common,
      sceneId: clean().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'invalid_input' }),
      /** the account's identity prefix (身份标), which the browser script needs */
      prefix: clean().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'invalid_input' }),
      accessKeyId: secret,
      /** left out: the stored one is kept */
      accessKeySecret: secret.optional(),
    },
    { error: 'invalid_input' },
  )
  .strict();

const turnstileInput = z
  .object(
    {
      provider: z.literal('turnstile'),
      ...common,
      siteKey: clean().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'invalid_input' }),
      /** left out: the stored one is kept */
      secretKey: secret.optional(),
    },
    { error: 'invalid_input' },
  )
  .strict();

/**
 * `captcha` in a tenant config patch: the provider and when it is asked, or `null` (none). A
 * secret given is sealed (bff/src/captcha/config.ts) and never returned; an entry without one
 * keeps the stored secret of the same provider.
 */
export const captchaPatch = z
  .discriminatedUnion('provider', [tencentInput, aliyunInput, turnstileInput], { error: 'invalid_input' })
  .nullable();
export type CaptchaPatch = z.infer<typeof captchaPatch>;

/** The captcha setting as stored on the tenant: secrets only sealed. Never sent to a widget. */
export type CaptchaConfig = { when: CaptchaMode; onProviderDown?: 'refuse' | 'allow' } & (
  | { provider: 'tencent'; captchaAppId: string; secretId: string; sealedAppSecretKey: string; sealedSecretKey: string }
  | { provider: 'aliyun'; sceneId: string; prefix: string; accessKeyId: string; sealedAccessKeySecret: string }
  | { provider: 'turnstile'; siteKey: string; sealedSecretKey: string }
);

/** What a widget reads (GET /v1/config `captcha`): which script to load, and its public key. */
export interface CaptchaPublic {
  provider: CaptchaProvider;
  /** the provider's browser script */
  scriptUrl: string;
  /** Tencent: the CaptchaAppId; Aliyun: the SceneId; Turnstile: the site key */
  siteKey: string;
  /** Aliyun only: the identity prefix */
  prefix?: string;
}

/** The answer of a solved challenge, sent with the request it was asked for (`captcha` in the body). */
export const captchaAnswer = z
  .object(
    {
      ticket: clean('captcha_invalid')
        .min(1, { error: 'captcha_invalid' })
        .max(4096, { error: 'captcha_invalid' })
        .regex(/^[\x21-\x7e]+$/, { error: 'captcha_invalid' }),
      randstr: clean('captcha_invalid')
        .max(128, { error: 'captcha_invalid' })
        .regex(/^[\x21-\x7e]*$/, { error: 'captcha_invalid' })
        .optional(),
    },
    { error: 'captcha_invalid' },
  )
  .strict();
export type CaptchaAnswer = z.infer<typeof captchaAnswer>;
