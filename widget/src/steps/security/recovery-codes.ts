import { html, type TemplateResult } from 'lit';
import { t, type Locale } from '../../../../shared/src/i18n/index.ts';

/**
 * The recovery codes, shown once (docs/product.md#11-virtual-mfa): a two-column list
 * (`.codes`), then Copy (clipboard) and Download (a .txt) in the dialog's `.actions` row. The
 * dialog's own Done button follows; it stays visible at 360 px wide (docs/elements.md).
 */
export function renderRecoveryCodes(
  locale: Locale,
  codes: readonly string[],
  on: { copy: () => void; download: () => void },
): TemplateResult {
  return html`<p class="step-lead">${t(locale, 'mfa.codes_intro')}</p>
  <ol class="codes" part="codes recovery-codes">
    ${codes.map((c) => html`<li><code>${c}</code></li>`)}
  </ol>
  <div class="actions">
    <button type="button" class="btn-secondary" part="button" data-copy @click=${on.copy}>${t(locale, 'mfa.copy')}</button>
    <button type="button" class="btn-secondary" part="button" data-download @click=${on.download}>${t(locale, 'mfa.download')}</button>
  </div>`;
}
