import { html, nothing, type TemplateResult } from 'lit';
import { field, status, step, submit, type LoginView } from './view.ts';

/**
 * Account name / phone / email (or, for a sub-user, the primary account and the sub-user's name)
 * and the password (docs/product.md#7-sign-in-identifiers, #13-sub-users). Under a lock message
 * the way out: "Unlock with a verification code".
 */
export function renderCredentials(v: LoginView, sub: boolean): TemplateResult {
  const locked = v.flow.statusOf('signIn')?.key === 'error.account_locked';
  const form = html`<form part="form" novalidate @submit=${v.act.signIn}>
    ${
      sub
        ? html`${field(v, { field: 'identifier', label: 'subuser.primary' })}
        ${field(v, { field: 'subUser', label: 'subuser.name', autocomplete: 'username' })}`
        : field(v, { field: 'identifier', label: 'login.identifier', autocomplete: 'username' })
    }
    ${field(v, { field: 'password', label: 'login.password', type: 'password' })}
    <div class="actions">${submit(v, 'signIn', 'login.submit', 'login.submitting')}</div>
    ${status(v, 'signIn')}
    <button type="button" class="btn-link link-button" part="link forgot" data-forgot @click=${v.act.showReset}>${v.t('login.forgot')}</button>
    ${
      locked && !sub
        ? html`<button type="button" class="btn-secondary" part="button unlock-action" data-unlock @click=${v.act.showUnlock}>${v.t('login.unlock')}</button>`
        : nothing
    }
    <button type="button" class="btn-link link-button" part="link" data-sub @click=${v.act.toggleSub}>${v.t(sub ? 'subuser.sign_in_primary' : 'subuser.sign_in_as')}</button>
  </form>`;
  return step('jd-login-title', v.t('login.title'), form);
}
