/**
 * The one validation of a tenant configuration change, used by the tenant CLI and the admin API
 * (docs/operating.md#tenant-configuration): every key the operator may set, with its rule. Strings that reach users are plain
 * text (the widgets and message templates escape them); URLs that reach users are https (or a
 * path on the BFF for the built-in legal pages); colours and sizes are exact shapes, so nothing
 * a tenant sets can inject CSS or script into a portal.
 */
import { z } from 'zod';
import { LOCALES } from './i18n/index.ts';
import { PHONE_REGIONS } from './rules/phone-regions.ts';
import { emailProblem } from './rules/email.ts';
import { isBrandColor, isCornerRadius, isHttpsUrl } from './rules/branding.ts';
import { providerEntryInput } from './delivery-providers.ts';
import { federationPatch } from './federation.ts';
import { abusePatch } from './abuse.ts';
import { captchaPatch } from './captcha.ts';
import { PASSWORD_PRESET_NAMES, PASSWORD_PRESETS, type PasswordPolicy } from './rules/password.ts';
import { hasInvalidTextChars } from './rules/text.ts';

/**
 * Every string of a tenant config: no control characters, no lone surrogates (shared/src/rules/text.ts),
 * refused as `text_invalid_chars` before its own rule — a header, a log line or the jsonb column
 * (Postgres refuses \u0000 in jsonb) must never get one from a tenant's string.
 */
const str = () =>
  z
    .string({ error: 'invalid_input' })
    .refine((v) => !hasInvalidTextChars(v), { params: { appCode: 'text_invalid_chars' }, abort: true });

const plain = (max: number) => str().trim().min(1, { error: 'required' }).max(max, { error: 'invalid_input' });

const localized = (max: number) =>
  z.object({ 'zh-CN': plain(max), en: plain(max) }, { error: 'invalid_input' }).strict();

const httpsUrl = str().max(2048, { error: 'invalid_input' }).refine(isHttpsUrl, { error: 'invalid_input' });

/** An https URL, or a path on the BFF itself ("/legal/privacy") — never "//host" or "javascript:". */
const linkUrl = z.union(
  [
    httpsUrl,
    str()
      .max(512)
      .regex(/^\/(?!\/)[A-Za-z0-9/_\-.~%]*$/, { error: 'invalid_input' }),
  ],
  { error: 'invalid_input' },
);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An origin the widgets may be embedded on: https, or http on loopback for development. */
const origin = str()
  .max(255)
  .transform((v, ctx) => {
    const url = URL.canParse(v) ? new URL(v) : undefined;
    if (
      !url ||
      !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) ||
      (url.pathname !== '/' && url.pathname !== '')
    ) {
      ctx.addIssue({ code: 'custom', message: 'invalid_input' });
      return z.NEVER;
    }
    return url.origin;
  });

/** A policy spelled out in full (the form every stored config has; `preset` is only a label). */
const customPasswordPolicy = z
  .object(
    {
      minLength: z.int().min(6).max(64),
      maxLength: z.int().min(6).max(128),
      requiredClasses: z.array(z.enum(['letter', 'digit', 'symbol'])).max(3),
      // 0 = no composition rule (NIST SP 800-63B 3.1.1.2)
      minClasses: z.int().min(0).max(3),
      forbidAccountName: z.boolean(),
      blockCommon: z.boolean(),
      charset: z.enum(['ascii', 'unicode'], { error: 'invalid_input' }).optional(),
      preset: z.enum(PASSWORD_PRESET_NAMES, { error: 'invalid_input' }).optional(),
    },
    { error: 'invalid_input' },
  )
  .strict()
  .refine((p) => p.maxLength >= p.minLength, { error: 'invalid_input', path: ['maxLength'] })
  .transform(({ preset: _label, ...p }): PasswordPolicy => {
    // keep the label only when the policy is exactly that preset (a policy read back and sent again)
    const same = PASSWORD_PRESET_NAMES.find((name) => samePolicy(p, PASSWORD_PRESETS[name]));
    return same ? { ...PASSWORD_PRESETS[same] } : p;
  });

function samePolicy(a: PasswordPolicy, b: PasswordPolicy): boolean {
  return (
    a.minLength === b.minLength &&
    a.maxLength === b.maxLength &&
    a.minClasses === b.minClasses &&
    a.forbidAccountName === b.forbidAccountName &&
    a.blockCommon === b.blockCommon &&
    (a.charset ?? 'ascii') === (b.charset ?? 'ascii') &&
    [...a.requiredClasses].sort().join() === [...b.requiredClasses].sort().join()
  );
}

/**
 * The tenant's password rule: one setting names a preset (`{ "preset": "nist" }`,
 * docs/product.md#2-passwords), stored expanded so the widget and every stored config read one shape;
 * or the whole policy spelled out.
 */
const passwordPolicy = z.union(
  [
    z
      .object({ preset: z.enum(PASSWORD_PRESET_NAMES, { error: 'invalid_input' }) }, { error: 'invalid_input' })
      .strict()
      .transform(({ preset }): PasswordPolicy => ({
        ...PASSWORD_PRESETS[preset],
        requiredClasses: [...PASSWORD_PRESETS[preset].requiredClasses],
      })),
    customPasswordPolicy,
  ],
  { error: 'invalid_input' },
);

const agreement = z
  .object({
    key: str().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'invalid_input' }),
    version: str().regex(/^[0-9A-Za-z][0-9A-Za-z.-]{0,15}$/, { error: 'invalid_input' }),
    title: localized(80),
    url: z.object({ 'zh-CN': linkUrl, en: linkUrl }, { error: 'invalid_input' }).strict(),
  })
  .strict();

/**
 * Providers per channel (shared/src/delivery-providers.ts): the operator's account, or the
 * tenant's own with all its credentials. Strict: no URL, host or protocol key exists, so a
 * tenant can never choose where the BFF connects. A channel left out keeps what is stored;
 * `null` removes it (back to the default provider).
 */
const delivery = z
  .object(
    {
      email: providerEntryInput('email').nullable().optional(),
      sms: providerEntryInput('sms').nullable().optional(),
      voice: providerEntryInput('voice').nullable().optional(),
    },
    { error: 'invalid_input' },
  )
  .strict();

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
          hotline: str()
            .regex(/^[0-9+\-() ]{3,32}$/, { error: 'invalid_input' })
            .optional(),
          email: str()
            .refine((v) => emailProblem(v) === undefined, { error: 'email_invalid' })
            .optional(),
        })
        .strict(),
      // the portal's home page: the BFF's own pages (the email link's landing page) link back to it
      homeUrl: httpsUrl,
      branding: z
        .object({
          logoUrl: httpsUrl.optional(),
          primaryColor: str().refine(isBrandColor, { error: 'invalid_input' }).optional(),
          cornerRadius: z.int({ error: 'invalid_input' }).refine(isCornerRadius, { error: 'invalid_input' }).optional(),
        })
        .strict(),
      allowedOrigins: z.array(origin).max(50),
      delivery,
      emailFrom: plain(200),
      passwordReset: z
        .object({ signInAfter: z.boolean({ error: 'invalid_input' }) }, { error: 'invalid_input' })
        .strict(),
      phoneCodeSignIn: z
        .object(
          {
            regions: z
              .array(z.enum(PHONE_REGIONS, { error: 'phone_region_not_allowed' }))
              .refine((r) => new Set(r).size === r.length, { error: 'invalid_input' }),
          },
          { error: 'invalid_input' },
        )
        .strict(),
      accountClosing: z
        .object(
          {
            coolingOffDays: z
              .int({ error: 'invalid_input' })
              .min(0, { error: 'invalid_input' })
              .max(90, { error: 'invalid_input' }),
          },
          { error: 'invalid_input' },
        )
        .strict(),
      federation: federationPatch,
      captcha: captchaPatch,
      abuse: abusePatch,
      testMode: z
        .object({
          enabled: z.boolean(),
          phones: z.array(str().regex(/^\+[0-9]{4,15}$/, { error: 'invalid_input' })).max(20),
          emails: z.array(str().min(2).max(320)).max(20),
          code: str().regex(/^[0-9]{6}$/, { error: 'code_format' }),
          allowInProduction: z.boolean().optional(),
        })
        .strict(),
    },
    { error: 'invalid_input' },
  )
  .partial()
  .strict();

export type TenantConfigPatch = z.infer<typeof tenantConfigPatch>;
