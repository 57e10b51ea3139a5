import { html, type TemplateResult } from 'lit';
import { t, type Locale, type MessageKey } from '../../../shared/src/i18n/index.ts';
import { isPhoneRegion, type PhoneRegion } from '../../../shared/src/rules/phone-regions.ts';

/** The regions a tenant accepts (docs/product.md#3-phones), unknown entries dropped; CN when none. */
export function tenantRegions(configured: readonly string[] | undefined): PhoneRegion[] {
  const regions = (configured ?? []).filter(isPhoneRegion);
  return regions.length ? regions : ['CN'];
}

/** `<option>`s for the region `<select>`, labelled from i18n (`region.CN` → "Mainland China +86"). */
export function renderRegionOptions(
  locale: Locale,
  regions: readonly PhoneRegion[],
  selected: string,
): TemplateResult[] {
  return regions.map(
    (r) => html`<option value=${r} ?selected=${r === selected}>${t(locale, `region.${r}` as MessageKey)}</option>`,
  );
}
