/**
 * Step 3: enable the service (seed 003): the contact phone (the security phone unless changed
 * later in the security settings), an optional email (its 2-hour link is sent) and an optional
 * referral code, then Submit.
 */
import { html, type TemplateResult } from 'lit';
import { DIAL_CODES, nationalDigits } from '../../../../shared/src/rules/phone-regions.ts';
import { CONTROL_ID } from './state.ts';
import {
  busyAttrs,
  describedBy,
  invalid,
  renderActionStatus,
  renderFieldError,
  renderPhoneInUse,
  renderStepTitle,
  type RegisterView,
} from './view.ts';

export function renderServiceStep(v: RegisterView, phoneInUse: boolean): TemplateResult {
  const refId = CONTROL_ID.referralCode;
  const emailId = CONTROL_ID.email;
  const submit = busyAttrs(v, 'submit');
  const { region, phone } = v.values;
  return html`<section class="step" part="section" aria-labelledby="jd-step-service" data-step="service">
    ${renderStepTitle('jd-step-service', v.t('register.step3_title'))} ${renderPhoneInUse(v, phoneInUse)}
    <form part="form" novalidate @submit=${v.next}>
      <div class="field">
        <span class="label" id="jd-contact-phone-label" part="label">${v.t('register.contact_phone')}</span>
        <p id="jd-contact-phone" class="row-value" aria-labelledby="jd-contact-phone-label jd-contact-phone" aria-describedby="jd-contact-phone-hint">
          +${DIAL_CODES[region]} ${nationalDigits(region, phone)}
        </p>
        <p id="jd-contact-phone-hint" class="hint" part="hint">${v.t('register.contact_phone_hint')}</p>
      </div>
      <div class="field">
        <label class="label" for=${emailId} part="label">${v.t('register.email')}</label>
        <input id=${emailId} name="email" part="input" type="email" autocomplete="email" .value=${v.values.email} aria-invalid=${invalid(v, 'email') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'email', `${emailId}-hint`)} @input=${(e: Event) => v.edit('email', { email: (e.target as HTMLInputElement).value })} />
        <p id="${emailId}-hint" class="hint" part="hint">${v.t('register.email_hint')}</p>
        ${renderFieldError(v, 'email')}
      </div>
      <div class="field">
        <label class="label" for=${refId} part="label">${v.t('register.referral')}</label>
        <input id=${refId} name="referralCode" part="input" type="text" autocomplete="off" autocapitalize="off" maxlength="32" .value=${v.values.referralCode} aria-invalid=${invalid(v, 'referralCode') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'referralCode')} @input=${(e: Event) => v.edit('referralCode', { referralCode: (e.target as HTMLInputElement).value })} />
        ${renderFieldError(v, 'referralCode')}
      </div>
      <div class="actions">
        <button type="submit" class="btn-primary" part="submit" aria-busy=${submit.busy ? 'true' : 'false'} ?disabled=${submit.disabled}>
          ${v.t(submit.busy ? 'register.submitting' : 'register.submit')}
        </button>
        <button type="button" class="btn-secondary" part="button back" ?disabled=${submit.disabled} @click=${v.back}>${v.t('register.back')}</button>
      </div>
      ${renderActionStatus(v, 'submit')}
    </form>
  </section>`;
}
