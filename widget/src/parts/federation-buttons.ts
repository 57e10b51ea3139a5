/**
 * The "Log in with …" row under the sign-in and registration forms
 * (docs/product.md#25-sign-in-with-an-upstream-account): a divider, the error of a sign-in that came
 * back from a provider, and a button per provider.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { FederationProviderPublic } from '../../../shared/src/federation.ts';
import type { ErrorParams } from '../../../shared/src/errors.ts';
import type { Locale, MessageKey } from '../../../shared/src/i18n/index.ts';
import type { FlowStatus } from '../flow.ts';
import { safeUrl } from './text.ts';
import federationStyles from './federation.css.ts';

export { federationStyles };

export interface FederationButtonsOptions {
  locale: Locale;
  providers: FederationProviderPublic[] | undefined;
  t: (key: MessageKey, params?: ErrorParams) => string;
  /** the flow's error (resume or fragment), said right above the buttons */
  status: FlowStatus | undefined;
  busy: boolean;
  onStart: (provider: string) => void;
}

/**
 * The divider ("or") and a button per provider, under the main form (`part="federation"`, each
 * `federation-button`); the flow's error right above them in a live region. Nothing without providers.
 */
export function renderFederationButtons(o: FederationButtonsOptions): TemplateResult | typeof nothing {
  if (!o.providers?.length) return nothing;
  const s = o.status;
  return html`<div class="federation" part="federation">
    <p class="divider"><span>${o.t('federation.or')}</span></p>
    <div aria-live="polite" data-federation-status>${s ? html`<p class="status is-${s.tone}" part="status">${o.t(s.key, s.params)}</p>` : nothing}</div>
    ${o.providers.map((p) => {
      const icon = safeUrl(p.iconUrl);
      return html`<button type="button" class="btn-secondary federation-button" part="button federation-button" data-provider=${p.id} ?disabled=${o.busy} @click=${() => o.onStart(p.id)}>
        ${icon?.startsWith('https:') ? html`<img src=${icon} alt="" width="20" height="20" />` : nothing}<span>${o.t('federation.sign_in_with', { provider: p.displayName[o.locale] ?? p.displayName.en })}</span>
      </button>`;
    })}
  </div>`;
}
