/** Step 2: account name (availability checked on blur) and password with the live checklist. */
import { html, nothing, type TemplateResult } from 'lit';
import { normalizeAccountName } from '../../../../shared/src/rules/account-name.ts';
import { renderPasswordChecklist } from '../../parts/password-checklist.ts';
import { renderPasswordInput } from '../../parts/password-input.ts';
import { CONTROL_ID } from './state.ts';
import {
  describedBy,
  describedByIds,
  invalid,
  renderActionStatus,
  renderFieldError,
  renderPhoneInUse,
  renderStepTitle,
  type RegisterView,
} from './view.ts';

export function renderAccountStep(v: RegisterView, phoneInUse: boolean): TemplateResult {
  const nameId = CONTROL_ID.accountName;
  const pwId = CONTROL_ID.password;
  const showAvailable =
    !invalid(v, 'accountName') &&
    v.availableName !== '' &&
    v.availableName === normalizeAccountName(v.values.accountName);
  return html`<section class="step" part="section" aria-labelledby="jd-step-account" data-step="account">
    ${renderStepTitle('jd-step-account', v.t('register.step2_title'))} ${renderPhoneInUse(v, phoneInUse)}
    <form part="form" novalidate @submit=${v.next}>
      <div class="field">
        <label class="label" for=${nameId} part="label">${v.t('register.account_name')}</label>
        <input id=${nameId} name="accountName" part="input" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" .value=${v.values.accountName} aria-invalid=${invalid(v, 'accountName') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'accountName', `${nameId}-hint`)} @input=${(e: Event) => v.edit('accountName', { accountName: (e.target as HTMLInputElement).value })} @blur=${v.accountNameBlur} />
        <p id="${nameId}-hint" class="hint" part="hint">${v.t('register.account_name_hint')}</p>
        ${renderFieldError(v, 'accountName')}
        ${showAvailable ? html`<p class="hint is-ok" part="hint" data-available>${v.t('register.account_name_available')}</p>` : nothing}
      </div>
      <div class="field">
        <label class="label" for=${pwId} part="label">${v.t('register.password')}</label>
        ${renderPasswordInput({
          id: pwId,
          name: 'password',
          value: v.values.password,
          autocomplete: 'new-password',
          invalid: invalid(v, 'password'),
          describedBy: describedByIds(v, 'password', `${pwId}-rules`),
          showLabel: v.t('common.show_password'),
          hideLabel: v.t('common.hide_password'),
          onInput: (password) => v.edit('password', { password }),
        })}
        ${renderPasswordChecklist(`${pwId}-rules`, v.locale, v.values.password, v.policy, v.values.accountName)}
        ${renderFieldError(v, 'password')}
      </div>
      <div class="actions">
        <button type="submit" class="btn-primary" part="submit">${v.t('register.next')}</button>
        <button type="button" class="btn-secondary" part="button back" @click=${v.back}>${v.t('register.back')}</button>
      </div>
      ${renderActionStatus(v, 'account')}
    </form>
  </section>`;
}
