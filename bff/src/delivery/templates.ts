/**
 * The messages the BFF sends to users: one template per purpose, in zh-CN and en, built from
 * the shared i18n `message.*` keys and the tenant's display name.
 *
 * - SMS texts are written to fit one segment (zh: UCS-2, ≤ 70 chars; en: GSM-7, ≤ 160) with a
 *   tenant name of up to 20 characters; {@link smsSegments} counts them.
 * - Voice scripts read the code digit by digit, twice.
 * - Emails carry a subject, a plain text and a small HTML body in which every interpolated value
 *   is escaped; a link becomes a button and is repeated as plain text.
 * - `template` is what a provider with pre-approved templates needs: `{ key: purpose, params }`.
 *
 * Runs on Node and edge runtimes alike (no Node APIs).
 */
import type { Locale } from '../../../shared/src/i18n/index.ts';
import { tServer as t, type ServerMessageKey as MessageKey } from '../../../shared/src/i18n/server.ts';

export type MessagePurpose =
  | 'register'
  | 'verify_identity'
  | 'contact_change'
  | 'email_verification'
  | 'security_notice'
  | 'mfa_change'
  | 'mfa_application_rejected'
  | 'security_phone_approved'
  | 'security_phone_rejected';

export type MessageChannel = 'sms' | 'voice' | 'email';

export interface RenderedMessage {
  subject: string | null;
  text: string;
  html: string | null;
  template: { key: string; params: string[] } | null;
  code: string | null;
}

export interface RenderMessageInput {
  purpose: MessagePurpose;
  channel: MessageChannel;
  locale: Locale;
  tenantName: string;
  /** the one-time code (code purposes) */
  code?: string;
  /** the link (email_verification) */
  link?: string;
  /**
   * security_notice: `kind` names what changed (security_phone, security_email, contact_phone,
   * contact_email, password; anything else reads as "security settings").
   * mfa_change: `kind` is 'bound' or 'unbound'. mfa_application_rejected: `kind` is unused.
   * security_phone_approved, security_phone_rejected: `kind` is unused.
   * `at` is when it happened.
   */
  notice?: { kind: string; at: Date };
}

/** Validity of a one-time code, in minutes (shared/src/rules/code.ts CODE_TTL_SECONDS / 60). */
const CODE_VALID_MINUTES = '10';

export const MESSAGE_PURPOSES: readonly MessagePurpose[] = [
  'register',
  'verify_identity',
  'contact_change',
  'email_verification',
  'security_notice',
  'mfa_change',
  'mfa_application_rejected',
  'security_phone_approved',
  'security_phone_rejected',
];

/** Which channels each purpose can be sent on. */
export const PURPOSE_CHANNELS: Readonly<Record<MessagePurpose, readonly MessageChannel[]>> = {
  register: ['sms', 'voice', 'email'],
  verify_identity: ['sms', 'voice', 'email'],
  contact_change: ['sms', 'voice', 'email'],
  email_verification: ['email'],
  security_notice: ['sms', 'email'],
  mfa_change: ['sms', 'email'],
  mfa_application_rejected: ['sms', 'email'],
  security_phone_approved: ['sms', 'email'],
  security_phone_rejected: ['sms', 'email'],
};

type CodePurposeKey = 'register' | 'verify_identity' | 'contact_change';

const CODE_KEYS: Record<
  CodePurposeKey,
  { sms: MessageKey; voice: MessageKey; subject: MessageKey; email: MessageKey }
> = {
  register: {
    sms: 'message.register_code_sms',
    voice: 'message.register_code_voice',
    subject: 'message.register_code_subject',
    email: 'message.register_code_email',
  },
  verify_identity: {
    sms: 'message.verify_identity_code_sms',
    voice: 'message.verify_identity_code_voice',
    subject: 'message.verify_identity_code_subject',
    email: 'message.verify_identity_code_email',
  },
  contact_change: {
    sms: 'message.contact_change_code_sms',
    voice: 'message.contact_change_code_voice',
    subject: 'message.contact_change_code_subject',
    email: 'message.contact_change_code_email',
  },
};

const NOTICE_WHAT: Record<string, MessageKey> = {
  security_phone: 'message.what.security_phone',
  security_email: 'message.what.security_email',
  contact_phone: 'message.what.contact_phone',
  contact_email: 'message.what.contact_email',
  password: 'message.what.password',
  account_closing: 'message.what.account_closing',
};

// ---- helpers ---------------------------------------------------------------

/** Escapes a value for HTML text and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** "123456" → "1, 2, 3, 4, 5, 6" (en) / "1，2，3，4，5，6" (zh-CN): text-to-speech reads each digit. */
export function spokenDigits(code: string, locale: Locale): string {
  return [...code].join(locale === 'zh-CN' ? '，' : ', ');
}

/**
 * When something happened, as the message shows it: en in UTC ("2025-01-02 10:00 UTC"), zh-CN in
 * China Standard Time (UTC+8, no daylight saving), the time zone of the mainland-China default.
 */
export function formatNoticeTime(at: Date, locale: Locale): string {
  const shifted = new Date(at.getTime() + (locale === 'zh-CN' ? 8 * 3600_000 : 0));
  const datetime = shifted.toISOString().slice(0, 16).replace('T', ' ');
  return t(locale, 'message.time', { datetime });
}

// GSM 03.38 basic character set (1 septet each) and its extension table (2 septets each).
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '\f^{}\\[~]|€';

/**
 * How many SMS segments a text needs: GSM-7 when every character is in the GSM 03.38 set
 * (160 septets in one segment, 153 per segment when concatenated; extension characters count
 * twice), else UCS-2 (70 UTF-16 units in one, 67 per segment when concatenated).
 * An empty text is one (empty) message.
 */
export function smsSegments(text: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) septets += 1;
    else if (GSM7_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UTF-16 code units: characters outside the BMP take two
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function isHttpUrl(link: string): boolean {
  try {
    const u = new URL(link);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

const FONT =
  'font-family:-apple-system,BlinkMacSystemFont,&quot;Segoe UI&quot;,&quot;PingFang SC&quot;,&quot;Microsoft YaHei&quot;,Arial,sans-serif';

interface EmailParts {
  locale: Locale;
  tenantName: string;
  paragraphs: string[];
  code?: string | undefined;
  link?: { href: string; label: string } | undefined;
  /** a muted line before the footer (e.g. "if this was not you, ignore this email") */
  note?: string | undefined;
}

/** A small, self-contained HTML email: inline styles only, no scripts, every value escaped. */
function emailHtml(p: EmailParts): string {
  const tenant = escapeHtml(p.tenantName);
  const para = (s: string, style = 'margin:0 0 16px') => `<p style="${style}">${escapeHtml(s)}</p>`;
  const body: string[] = p.paragraphs.map((s) => para(s));
  if (p.code) {
    body.push(
      `<p style="margin:0 0 16px;font-size:28px;font-weight:bold;letter-spacing:6px;font-family:Menlo,Consolas,monospace">${escapeHtml(p.code)}</p>`,
    );
  }
  if (p.link) {
    const href = escapeHtml(p.link.href);
    body.push(
      `<p style="margin:0 0 24px"><a href="${href}" style="display:inline-block;padding:12px 24px;background:#1a56db;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">${escapeHtml(p.link.label)}</a></p>`,
      para(t(p.locale, 'message.email_link_fallback'), 'margin:0 0 8px;color:#555555;font-size:13px'),
      `<p style="margin:0 0 16px;font-size:13px;word-break:break-all"><a href="${href}" style="color:#1a56db">${href}</a></p>`,
    );
  }
  if (p.note) body.push(para(p.note, 'margin:0 0 16px;color:#555555;font-size:13px'));
  body.push(
    para(t(p.locale, 'message.email_footer', { tenant: p.tenantName }), 'margin:24px 0 0;color:#888888;font-size:12px'),
  );
  return (
    `<!doctype html><html lang="${p.locale}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width"><title>${tenant}</title></head>` +
    `<body style="margin:0;padding:24px;background:#f5f5f5;color:#222222;${FONT};font-size:15px;line-height:1.6">` +
    `<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">` +
    `<p style="margin:0 0 16px;font-size:18px;font-weight:bold">${tenant}</p>` +
    body.join('') +
    `</div></body></html>`
  );
}

function unsupported(input: RenderMessageInput): never {
  throw new Error(`no ${input.channel} template for purpose ${input.purpose}`);
}

function required<T>(value: T | undefined, what: string, input: RenderMessageInput): T {
  if (value === undefined || value === null || value === '') {
    throw new Error(`renderMessage(${input.purpose}, ${input.channel}): ${what} is required`);
  }
  return value;
}

// ---- rendering -------------------------------------------------------------

function renderCode(input: RenderMessageInput, purpose: CodePurposeKey): RenderedMessage {
  const code = required(input.code, 'code', input);
  const { locale, tenantName: tenant } = input;
  const keys = CODE_KEYS[purpose];
  const template = { key: purpose, params: [code, CODE_VALID_MINUTES] };
  switch (input.channel) {
    case 'sms':
      return { subject: null, text: t(locale, keys.sms, { tenant, code }), html: null, template, code };
    case 'voice': {
      const text = t(locale, keys.voice, { tenant, spokenCode: spokenDigits(code, locale) });
      return { subject: null, text, html: null, template, code };
    }
    case 'email': {
      const main = t(locale, keys.email, { tenant, code });
      const notYou = t(locale, 'message.email_not_you');
      return {
        subject: t(locale, keys.subject, { tenant }),
        text: `${main}\n\n${notYou}\n\n${t(locale, 'message.email_footer', { tenant })}`,
        html: emailHtml({ locale, tenantName: tenant, paragraphs: [main], code, note: notYou }),
        template: null,
        code,
      };
    }
  }
}

function renderEmailVerification(input: RenderMessageInput): RenderedMessage {
  if (input.channel !== 'email') unsupported(input);
  const link = required(input.link, 'link', input);
  const { locale, tenantName: tenant } = input;
  const notYou = t(locale, 'message.email_not_you');
  const text = [
    t(locale, 'message.email_verify_text', { tenant, link }),
    notYou,
    t(locale, 'message.email_footer', { tenant }),
  ].join('\n\n');
  const paragraphs = [t(locale, 'message.email_verify_intro', { tenant })];
  const parts: EmailParts = { locale, tenantName: tenant, paragraphs, note: notYou };
  // Only an http(s) link becomes a button; anything else is shown as (escaped) text only.
  if (isHttpUrl(link)) parts.link = { href: link, label: t(locale, 'message.email_verify_button') };
  else paragraphs.push(link);
  return {
    subject: t(locale, 'message.email_verify_subject', { tenant }),
    text,
    html: emailHtml(parts),
    template: null,
    code: null,
  };
}

function renderNotice(input: RenderMessageInput, purpose: 'security_notice' | 'mfa_change'): RenderedMessage {
  const notice = required(input.notice, 'notice', input);
  const { locale, tenantName: tenant } = input;
  const time = formatNoticeTime(notice.at, locale);
  let params: Record<string, string>;
  let templateParams: string[];
  if (purpose === 'security_notice') {
    const what = t(locale, NOTICE_WHAT[notice.kind] ?? 'message.what.other');
    params = { tenant, what, time };
    templateParams = [what, time];
  } else {
    const action = t(locale, notice.kind === 'unbound' ? 'message.mfa_action.unbound' : 'message.mfa_action.bound');
    params = { tenant, action, time };
    templateParams = [action, time];
  }
  const keys =
    purpose === 'security_notice'
      ? ({
          sms: 'message.security_notice_sms',
          subject: 'message.security_notice_subject',
          email: 'message.security_notice_email',
        } as const)
      : ({
          sms: 'message.mfa_change_sms',
          subject: 'message.mfa_change_subject',
          email: 'message.mfa_change_email',
        } as const);
  if (input.channel === 'sms') {
    return {
      subject: null,
      text: t(locale, keys.sms, params),
      html: null,
      template: { key: purpose, params: templateParams },
      code: null,
    };
  }
  if (input.channel !== 'email') unsupported(input);
  const main = t(locale, keys.email, params);
  return {
    subject: t(locale, keys.subject, params),
    text: `${main}\n\n${t(locale, 'message.email_footer', { tenant })}`,
    html: emailHtml({ locale, tenantName: tenant, paragraphs: [main] }),
    template: null,
    code: null,
  };
}

/**
 * Tenant support turned down a lost-device application (docs/product.md#14-lost-mfa-device-applications):
 * the user hears it, in their last locale, without the reviewer's reason (an internal note). The
 * SMS has no parameter but the tenant's signature, so a provider's approved template needs none.
 */
function renderApplicationRejected(input: RenderMessageInput): RenderedMessage {
  const notice = required(input.notice, 'notice', input);
  const { locale, tenantName: tenant } = input;
  const params = { tenant, time: formatNoticeTime(notice.at, locale) };
  // a lost security phone's application (docs/product.md#23-lost-security-phone): approved or not
  const prefix =
    input.purpose === 'security_phone_approved'
      ? ('message.phone_application_approved' as const)
      : input.purpose === 'security_phone_rejected'
        ? ('message.phone_application_rejected' as const)
        : ('message.mfa_application_rejected' as const);
  if (input.channel === 'sms') {
    const text = t(locale, `${prefix}_sms`, params);
    return { subject: null, text, html: null, template: { key: input.purpose, params: [] }, code: null };
  }
  if (input.channel !== 'email') unsupported(input);
  const main = t(locale, `${prefix}_email`, params);
  return {
    subject: t(locale, `${prefix}_subject`, params),
    text: `${main}\n\n${t(locale, 'message.email_footer', { tenant })}`,
    html: emailHtml({ locale, tenantName: tenant, paragraphs: [main] }),
    template: null,
    code: null,
  };
}

/** Renders the message of one purpose for one channel and locale. Throws for a combination that has no template. */
export function renderMessage(input: RenderMessageInput): RenderedMessage {
  if (!PURPOSE_CHANNELS[input.purpose]?.includes(input.channel)) unsupported(input);
  switch (input.purpose) {
    case 'register':
    case 'verify_identity':
    case 'contact_change':
      return renderCode(input, input.purpose);
    case 'email_verification':
      return renderEmailVerification(input);
    case 'security_notice':
    case 'mfa_change':
      return renderNotice(input, input.purpose);
    case 'mfa_application_rejected':
    case 'security_phone_approved':
    case 'security_phone_rejected':
      return renderApplicationRejected(input);
  }
}
