import { html, nothing, type TemplateResult } from 'lit';
import type { FederationLinksResponse } from '../../../../shared/src/api.ts';
import { action, badge, row, statusLine, when, type SecurityView } from './view.ts';

/**
 * Linked accounts (docs/product.md#25-sign-in-with-an-upstream-account): each upstream account
 * linked (its provider, when it was linked, "Unlink") and each provider of the tenant not linked
 * yet ("Link"); both after a step-up (dialogs: federation.ts). Nothing when the tenant has no
 * provider and nothing is linked. The result of coming back from a provider (linked, or why not)
 * shows under the list (`row-federation`), a refused unlink next to its row.
 */
export function renderLinkedAccounts(
  v: SecurityView,
  links: FederationLinksResponse | undefined,
): TemplateResult | typeof nothing {
  if (!links || (!links.links.length && !links.available.length)) return nothing;
  const name = (n: { 'zh-CN': string; en: string }) => n[v.locale] ?? n.en;
  return html`<section part="federation" aria-labelledby="jd-federation-title">
    <h3 id="jd-federation-title">${v.t('federation.section')}</h3>
    <ul class="rows">
      ${links.links.map((l) => {
        const id = `fed-${l.provider}`;
        return html`<li class="row-item" part="row row-federation" data-row=${id} data-provider=${l.provider}>
          <span class="row-label name" id="jd-row-${id}">${name(l.displayName)}</span>
          <span class="row-value value" part="value">${v.t('federation.linked_at', { date: when(v, l.linkedAt) })}</span>
          <span class="row-action">${action(v, id, 'federation.unlink', (e) => v.act.open('fed_unlink', e, { provider: l.provider }))}</span>
          ${statusLine(v, v.page.statusOf(`row-${id}`))}
        </li>`;
      })}
      ${links.available.map((p) => {
        const id = `fed-${p.id}`;
        return html`<li class="row-item" part="row row-federation" data-row=${id} data-provider=${p.id}>
          <span class="row-label name" id="jd-row-${id}">${name(p.displayName)}</span>
          <span class="row-value value" part="value">${badge(v, 'federation.not_linked', true)}</span>
          <span class="row-action">${action(v, id, 'federation.link', (e) => v.act.open('fed_link', e, { provider: p.id }))}</span>
          ${statusLine(v, v.page.statusOf(`row-${id}`))}
        </li>`;
      })}
    </ul>
    <div aria-live="polite">${statusLine(v, v.page.statusOf('row-federation'))}</div>
  </section>`;
}

/** An account created upstream without a name and password yet: "Account name and password — Not set", "Set". */
export function renderCredentialsRow(
  v: SecurityView,
  links: FederationLinksResponse | undefined,
): TemplateResult | typeof nothing {
  if (links?.hasPassword !== false) return nothing;
  return row(
    v,
    'credentials',
    'federation.credentials',
    v.t('security.not_set'),
    nothing,
    action(v, 'credentials', 'security.set', (e) => v.act.open('credentials', e)),
  );
}
