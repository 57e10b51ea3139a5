import { html, nothing, type TemplateResult } from 'lit';
import type { MfaSetupResponse } from '../../../shared/src/api.ts';
import { t, type Locale } from '../../../shared/src/i18n/index.ts';
import { tWith } from './text.ts';

/**
 * A TOTP secret to bind: the instruction, the QR code, the key to type in (in groups of four) and
 * the otpauth:// link. Shared by <jd-security-settings> (bind dialog) and <jd-login> (a sub-user's
 * binding at sign-in). The QR code is an <img> of the server's SVG as a data URL: the SVG is
 * never parsed into this document, so a script inside it cannot run.
 */
export function renderMfaSecret(locale: Locale, s: MfaSetupResponse): TemplateResult {
  return html`<p>${t(locale, 'mfa.scan')}</p>
  <img part="qr" alt=${t(locale, 'mfa.qr_alt')} width="180" height="180" src="data:image/svg+xml;charset=utf-8,${encodeURIComponent(s.qrSvg)}" />
  <p part="secret">${tWith(locale, 'mfa.key', 'key', html`<code>${s.secret.replace(/(.{4})(?!$)/g, '$1 ')}</code>`)}</p>
  ${s.otpauthUri.startsWith('otpauth://') ? html`<a href=${s.otpauthUri} part="link">${t(locale, 'mfa.open_app')}</a>` : nothing}`;
}
