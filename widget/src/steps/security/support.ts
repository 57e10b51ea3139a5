import { html, type TemplateResult } from 'lit';
import { t, type Locale } from '../../../../shared/src/i18n/index.ts';
import type { SupportChannels } from '../../../../shared/src/tenant.ts';
import { renderSupport } from '../../parts/support.ts';

/**
 * No way left to verify the user's identity: none at all (`none`), or the user chose "I can't
 * use any of these" under the methods. Either way the tenant's support channels
 * (docs/product.md#10-changing-identity-verification-methods).
 */
export function renderStepUpSupport(
  locale: Locale,
  channels: SupportChannels | undefined,
  none: boolean,
): TemplateResult {
  return html`<p class="step-lead">${t(locale, none ? 'security.no_method' : 'security.cannot_use_lead')}</p>
  ${renderSupport(locale, channels)}`;
}

/** The link-like button under every list of step-up methods. */
export function renderCannotUse(locale: Locale, onClick: () => void): TemplateResult {
  return html`<button type="button" class="btn-link link-button" part="button" data-action="cannot-use" @click=${onClick}>${t(locale, 'security.cannot_use')}</button>`;
}
