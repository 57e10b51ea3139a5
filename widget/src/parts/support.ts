import { html, nothing, type TemplateResult } from 'lit';
import { t, type Locale } from '../../../shared/src/i18n/index.ts';
import type { SupportChannels } from '../../../shared/src/tenant.ts';
import { safeUrl } from './text.ts';

/** The tenant's support channels (ticket link, hotline, email) as a list; only http(s) ticket links. */
export function renderSupport(locale: Locale, s: SupportChannels | undefined): TemplateResult {
  const ticket = safeUrl(s?.ticketUrl);
  return html`<ul part="support">
    ${
      ticket
        ? html`<li><a href=${ticket} target="_blank" rel="noopener noreferrer" part="link">${t(locale, 'common.support_ticket')}</a></li>`
        : nothing
    }
    ${s?.hotline ? html`<li>${t(locale, 'common.support_hotline', { phone: s.hotline })}</li>` : nothing}
    ${s?.email ? html`<li>${t(locale, 'common.support_email', { email: s.email })}</li>` : nothing}
  </ul>`;
}
