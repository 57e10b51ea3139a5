import { html, nothing, type TemplateResult } from 'lit';
import { renderFederationButtons } from '../../parts/federation-buttons.ts';
import { field, status, step, submit, type LoginView } from './view.ts';

/**
 * Account name / phone / email (or, for a sub-user, the primary account and the sub-user's name)
 * and the password (docs/product.md#7-sign-in-identifiers, #13-sub-users). Under a lock message
 * the way out: "Unlock with a verification code"; under "this account is being closed", "Cancel
 * closing" (docs/product.md#24-closing-an-account). When the tenant allows it (not for a sub-user),
 * "Sign in with a verification code" (docs/product.md#22-sign-in-with-a-phone-code). Under the form,
 * "Log in with …" per upstream provider of the tenant (docs/product.md#25-sign-in-with-an-upstream-account),
 * not for a sub-user, with the error of a sign-in that came back from one right above them.
 */
export function renderCredentials(v: LoginView, sub: boolean): TemplateResult {
  const said = v.flow.statusOf('signIn')?.key;
  const closing = said === 'error.account_closing';
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
    ${
      (closing || said === 'error.account_locked') && !sub
        ? html`<button type="button" class="btn-secondary" part=${closing ? 'button cancel-closing-action' : 'button unlock-action'} ?data-unlock=${!closing} ?data-cancel-closing=${closing} @click=${closing ? v.act.cancelClosing : v.act.showUnlock}>${v.t(closing ? 'closing.cancel' : 'login.unlock')}</button>`
        : nothing
    }
    <button type="button" class="btn-link link-button" part="link forgot" data-forgot @click=${v.act.showReset}>${v.t('login.forgot')}</button>
    ${
      v.config?.phoneCodeSignIn?.regions.length && !sub
        ? html`<button type="button" class="btn-link link-button" part="link phone-code" data-phone-code @click=${v.act.showPhoneCode}>${v.t('phone_code.title')}</button>`
        : nothing
    }
    <button type="button" class="btn-link link-button" part="link" data-sub @click=${v.act.toggleSub}>${v.t(sub ? 'subuser.sign_in_primary' : 'subuser.sign_in_as')}</button>
  </form>`;
  const federation = sub
    ? nothing
    : renderFederationButtons({
        locale: v.locale,
        providers: v.config?.federation?.providers,
        t: (key, params) => v.t(key, params),
        status: v.flow.statusOf('federation'),
        busy: v.flow.isBusy(),
        onStart: v.act.startFederation,
      });
  return step('jd-login-title', v.t('login.title'), html`${form}${federation}`);
}
