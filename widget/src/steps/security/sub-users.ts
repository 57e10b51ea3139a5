import { html, nothing, type TemplateResult } from 'lit';
import type { SubUserView } from '../../../../shared/src/api.ts';
import { action, badge, statusLine, when, type SecurityView } from './view.ts';

/**
 * The primary account's sub-users (docs/product.md#13-sub-users): name, creation date, status and
 * MFA badges, "MFA required"; disable/enable, disassociate the MFA device, delete; create. The
 * dialogs (create, delete, disassociate) are a step module: sub-user-dialogs.ts.
 */
export function renderSubUsers(v: SecurityView, subs: SubUserView[]): TemplateResult {
  return html`<section part="sub-users" aria-labelledby="jd-subs-title">
    <h3 id="jd-subs-title">${v.t('subuser.title')}</h3>
    ${
      subs.length
        ? html`<ul class="rows">
        ${subs.map((s) => {
          const row = `sub-${s.id}`;
          return html`<li class="row-item" part="row row-sub-user" data-sub=${s.name} data-row=${row}>
            <span class="name" id="jd-row-${row}">${s.name}</span>
            <span class="value hint" part="value">${v.t('subuser.created', { date: when(v, s.createdAt) })}</span>
            ${s.disabled ? badge(v, 'subuser.disabled', true) : badge(v, 'subuser.enabled')}
            ${s.mfaBound ? badge(v, 'subuser.mfa_bound') : badge(v, 'subuser.mfa_not_bound', true)}
            <label class="choice" part="choice"><input type="checkbox" data-action="mfa-required" aria-describedby="jd-row-${row}" .checked=${s.mfaRequired} @change=${(
              e: Event,
            ) => {
              const box = e.target as HTMLInputElement;
              // on failure the box goes back to what the server has
              void v.act
                .rowCall(row, 'sub_users', (c) => c.setSubUserMfaRequired(s.id, box.checked))
                .then((ok) => ok || (box.checked = !box.checked));
            }} />${v.t('subuser.mfa_required')}</label>
            ${action(v, row, s.disabled ? 'subuser.enable' : 'subuser.disable', () => void v.act.rowCall(row, 'sub_users', (c) => (s.disabled ? c.enableSubUser(s.id) : c.disableSubUser(s.id))))}
            ${action(v, row, 'subuser.set_password', (e) => v.act.open('sub_password', e, { id: s.id, name: s.name }))}
            ${s.mfaBound ? action(v, row, 'subuser.disassociate', (e) => v.act.open('sub_disassociate', e, { id: s.id, name: s.name })) : nothing}
            ${action(v, row, 'subuser.delete', (e) => v.act.open('sub_delete', e, { id: s.id, name: s.name }))}
            ${statusLine(v, v.page.statusOf(`row-${row}`))}
          </li>`;
        })}
      </ul>`
        : html`<p class="hint">${v.t('subuser.none')}</p>`
    }
    <button type="button" part="button action" data-action="create" @click=${(e: Event) => v.act.open('sub_create', e)}>${v.t('subuser.create')}</button>
    ${statusLine(v, v.page.statusOf('row-sub-users'))}
  </section>`;
}
