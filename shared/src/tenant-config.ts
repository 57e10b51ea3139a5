/**
 * The one validation of a tenant configuration change, used by the tenant CLI and the admin API
 * (issue 6): every key the operator may set, with its rule. Strings that reach users are plain
 * text (the widgets and message templates escape them); URLs that reach users are https (or a
 * path on the BFF for the built-in legal pages); colours and sizes are exact shapes, so nothing
 * a tenant sets can inject CSS or script into a portal.
 */
import { z } from 'zod';
import { LOCALES } from './i18n/index.ts';
import { PHONE_REGIONS } from './rules/phone-regions.ts';
import { emailProblem } from './rules/email.ts';
import { isBrandColor, isCornerRadius, isHttpsUrl } from './rules/branding.ts';

const plain = (max: number) =>
  z
    .string({ error: 'invalid_input' })
    .trim()
    .min(1, { error: 'required' })
    .max(max, { error: 'invalid_input' })
    // no control characters (a header or a log line must not be split by a tenant's string)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: 'invalid_input' });

const localized = (max: number) => z.object({ 'zh-CN': plain(max), en: plain(max) }, { error: 'invalid_input' }).strict();

const httpsUrl = z
  .string({ error: 'invalid_input' })
  .max(2048, { error: 'invalid_input' })
  .refine(isHttpsUrl, { error: 'invalid_input' });

/** An https URL, or a path on the BFF itself ("/legal/privacy") — never "//host" or "javascript:". */
const linkUrl = z.union([httpsUrl, z.string().max(512).regex(/^\/(?!\/)[A-Za-z0-9/_\-.~%]*$/, { error: 'invalid_input' })], { error: 'invalid_input' });

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An origin the widgets may be embedded on: https, or http on loopback for development. */
const origin = z
  .string({ error: 'invalid_input' })
  .max(255)
  .transform((v, ctx) => {
    const url = URL.canParse(v) ? new URL(v) : undefined;
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) || (url.pathname !== '/' && url.pathname !== '')) {
      ctx.addIssue({ code: 'custom', message: 'invalid_input' });
      return z.NEVER;
    }
    return url.origin;
  });

const passwordPolicy = z
  .object(
    {
      minLength: z.int().min(6).max(64),
      maxLength: z.int().min(6).max(128),
      requiredClasses: z.array(z.enum(['letter', 'digit', 'symbol'])).max(3),
      minClasses: z.int().min(1).max(3),
      forbidAccountName: z.boolean(),
      blockCommon: z.boolean(),
    },
    { error: 'invalid_input' },
  )
  .strict()
  .refine((p) => p.maxLength >= p.minLength, { error: 'invalid_input', path: ['maxLength'] });

const agreement = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'invalid_input' }),
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.\-]{0,15}$/, { error: 'invalid_input' }),
    title: localized(80),
    url: z.object({ 'zh-CN': linkUrl, en: linkUrl }, { error: 'invalid_input' }).strict(),
  })
  .strict();

const provider = z
  .object({ provider: z.enum(['dev', 'resend', 'tencent', 'twilio'], { error: 'invalid_input' }), timeoutMs: z.int().min(100).max(60_000).optional() })
  .catchall(z.unknown());

/** Every key an operator may change, each optional: a patch merged into the stored config. */
export const tenantConfigPatch = z
  .object(
    {
      displayName: localized(64),
      defaultLocale: z.enum(LOCALES, { error: 'invalid_input' }),
      passwordPolicy,
      phoneRegions: z
        .array(z.enum(PHONE_REGIONS, { error: 'phone_region_not_allowed' }))
        .min(1, { error: 'required' })
        .refine((r) => new Set(r).size === r.length, { error: 'invalid_input' }),
      agreements: z
        .array(agreement)
        .max(10)
        .refine((a) => new Set(a.map((x) => x.key)).size === a.length, { error: 'invalid_input' }),
      supportChannels: z
        .object({
          ticketUrl: linkUrl.optional(),
          hotline: z.string().regex(/^[0-9+\-() ]{3,32}$/, { error: 'invalid_input' }).optional(),
          email: z.string().refine((v) => emailProblem(v) === undefined, { error: 'email_invalid' }).optional(),
        })
        .strict(),
      branding: z
        .object({
          logoUrl: httpsUrl.optional(),
          primaryColor: z.string().refine(isBrandColor, { error: 'invalid_input' }).optional(),
          cornerRadius: z.int({ error: 'invalid_input' }).refine(isCornerRadius, { error: 'invalid_input' }).optional(),
        })
        .strict(),
      allowedOrigins: z.array(origin).max(50),
      delivery: z.object({ email: provider.optional(), sms: provider.optional(), voice: provider.optional() }).strict(),
      emailFrom: plain(200),
      testMode: z
        .object({
          enabled: z.boolean(),
          phones: z.array(z.string().regex(/^\+[0-9]{4,15}$/, { error: 'invalid_input' })).max(20),
          emails: z.array(z.string().min(2).max(320)).max(20),
          code: z.string().regex(/^[0-9]{6}$/, { error: 'code_format' }),
          allowInProduction: z.boolean().optional(),
        })
        .strict(),
    },
    { error: 'invalid_input' },
  )
  .partial()
  .strict();

export type TenantConfigPatch = z.infer<typeof tenantConfigPatch>;
