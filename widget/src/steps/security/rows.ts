import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import type {
  ContactView,
  FederationLinksResponse,
  SecurityOverview,
  SubUserMfaStatus,
  SubUserView,
} from '../../../../shared/src/api.ts';
import { renderCredentialsRow, renderLinkedAccounts } from './linked-accounts.ts';
import { renderSubUsers } from './sub-users.ts';
import { action, badge, row, statusLine, when, type SecurityView } from './view.ts';

/** "verified" or "unverified", "can verify identity", "can sign in". */
function badges(v: SecurityView, c: ContactView | null): TemplateResult | typeof nothing {
  if (!c) return nothing;
  return html`${c.verified ? badge(v, 'security.verified') : badge(v, 'security.unverified', true)}
    ${c.canVerifyIdentity ? badge(v, 'security.can_verify') : nothing} ${c.canSignIn ? badge(v, 'security.can_sign_in') : nothing}`;
}

/** The contact phone or email: its own, or "same as the security one"; "use the security one" resets it. */
function contactRow(v: SecurityView, kind: 'phone' | 'email', o: SecurityOverview): TemplateResult {
  const id = `contact-${kind}`;
  const contact = kind === 'phone' ? o.contactPhone : o.contactEmail;
  const security = kind === 'phone' ? o.securityPhone : o.securityEmail;
  const value =
    contact?.value ??
    v.t(security ? (kind === 'phone' ? 'security.same_as_phone' : 'security.same_as_email') : 'security.not_set');
  return row(
    v,
    id,
    kind === 'phone' ? 'security.contact_phone' : 'security.contact_email',
    value,
    badges(v, contact),
    html`${action(v, id, contact ? 'security.change' : 'security.set', (e) => v.act.open(`contact_${kind}`, e))}
      ${contact ? action(v, id, 'security.use_security', () => void v.act.rowCall(id, `contact_${kind}`, (c) => c.contactReset(kind))) : nothing}`,
  );
}

/** No security email yet (e.g. right after a registration by phone): suggest adding one. */
export function renderAddEmail(v: SecurityView, o: SecurityOverview): TemplateResult | typeof nothing {
  if (o.securityEmail) return nothing;
  return html`<div class="callout" part="callout" data-callout="add-email">
    <p class="step-lead">${v.t('security.add_email_hint')}</p>
    <div class="actions">
      <button type="button" class="btn-secondary" part="button action" data-action="add-email" @click=${(e: Event) => v.act.open('add_email', e)}>${v.t('security.add_email')}</button>
    </div>
  </div>`;
}

/**
 * A primary account's settings: the rows, its linked accounts, its sub-users and the recent security
 * events. An account created upstream without a password (`links.hasPassword === false`) has
 * "Account name and password — Not set" in the password's place.
 */
export function renderSettings(
  v: SecurityView,
  o: SecurityOverview,
  subs: SubUserView[],
  links?: FederationLinksResponse,
): TemplateResult {
  const email = o.securityEmail;
  return html`<ul class="rows" part="rows">
    ${row(
      v,
      'security-phone',
      'security.security_phone',
      o.securityPhone?.value ?? v.t('security.not_set'),
      html`${badges(v, o.securityPhone)}
      ${
        o.securityPhoneRebindUntil
          ? html`<span class="hint" part="hint rebind">${v.t('security.rebind_ready', { date: when(v, o.securityPhoneRebindUntil) })}</span>`
          : nothing
      }`,
      action(v, 'security-phone', 'security.change', (e) => v.act.open('security_phone', e)),
    )}
    ${row(
      v,
      'security-email',
      'security.security_email',
      email?.value ?? v.t('security.not_set'),
      badges(v, email),
      !email
        ? action(v, 'security-email', 'security.add', (e) => v.act.open('add_email', e))
        : email.verified
          ? action(v, 'security-email', 'security.change', (e) => v.act.open('security_email', e))
          : html`${action(v, 'security-email', 'security.verify', v.act.resendLink)}
            ${action(v, 'security-email', 'security.change', (e) => v.act.open('add_email', e))}`,
    )}
    ${contactRow(v, 'phone', o)} ${contactRow(v, 'email', o)}
    ${
      links?.hasPassword === false
        ? renderCredentialsRow(v, links)
        : row(
            v,
            'password',
            'security.password',
            '',
            nothing,
            action(v, 'password', 'security.change', (e) => v.act.open('password', e)),
          )
    }
    ${row(
      v,
      'mfa',
      'security.mfa',
      v.t(o.mfa.bound ? 'security.mfa_bound' : 'security.mfa_not_bound'),
      o.mfa.bound
        ? html`<span class="hint">${v.t('mfa.status', { date: when(v, o.mfa.boundAt), n: o.mfa.recoveryCodesLeft })}</span>`
        : nothing,
      o.mfa.bound
        ? html`${action(v, 'mfa', 'mfa.unbind', (e) => v.act.open('mfa_unbind', e))} ${action(v, 'mfa', 'mfa.regenerate', (e) => v.act.open('mfa_codes', e))}`
        : action(v, 'mfa', 'mfa.bind', (e) => v.act.open('mfa_bind', e)),
    )}
  </ul>
  <p class="hint" part="hint">${v.t('security.contact_hint')}</p>
  ${renderLinkedAccounts(v, links)}
  ${renderSubUsers(v, subs)}
  <section part="events" aria-labelledby="jd-events-title">
    <h3 id="jd-events-title">${v.t('security.events')}</h3>
    ${
      o.events.length
        ? html`<table>
        <thead>
          <tr>
            <th scope="col">${v.t('security.event')}</th>
            <th scope="col">${v.t('security.time')}</th>
            <th scope="col">${v.t('security.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          ${o.events.map(
            (ev) => html`<tr part="event" data-type=${ev.type}>
              <td>${v.t(`event.${ev.type}` as MessageKey)}</td>
              <td><time datetime=${ev.at}>${when(v, ev.at)}</time></td>
              <td>${v.t(ev.outcome === 'success' ? 'event.outcome_success' : 'event.outcome_failure')}</td>
            </tr>`,
          )}
        </tbody>
      </table>`
        : html`<p class="hint">${v.t('security.no_events')}</p>`
    }
  </section>
  <section part="closing" aria-labelledby="jd-closing-title">
    <h3 id="jd-closing-title">${v.t('closing.title')}</h3>
    <p class="hint">${v.t('closing.hint')}</p>
    <button type="button" part="button action" data-action="export" @click=${(e: Event) => v.act.open('export_data', e)}>${v.t('closing.export')}</button>
    <button type="button" part="button action" data-action="close-account" @click=${(e: Event) => v.act.open('close_account', e)}>${v.t('closing.close')}</button>
    ${statusLine(v, v.page.statusOf('row-closing'))}
  </section>`;
}

/** A signed-in sub-user: its own MFA device only; binding asks for its password, removal is the primary's. */
export function renderOwn(v: SecurityView, m: SubUserMfaStatus): TemplateResult {
  return html`<p part="status" class="status is-info" role="status">${v.t('subuser.forbidden_here')}</p>
  <ul class="rows" part="rows">
    ${row(
      v,
      'mfa',
      'security.mfa',
      v.t(m.bound ? 'security.mfa_bound' : 'security.mfa_not_bound'),
      html`${m.required ? badge(v, 'subuser.mfa_required') : nothing}
        ${m.bound ? html`<span class="hint" tabindex="-1">${v.t('subuser.mfa_since', { date: when(v, m.boundAt) })}</span>` : nothing}`,
      m.bound ? nothing : action(v, 'mfa', 'mfa.bind', (e) => v.act.open('mfa_own', e)),
    )}
  </ul>`;
}
