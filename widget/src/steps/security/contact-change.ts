import { html, nothing } from 'lit';
import { renderRegionOptions, tenantRegions } from '../../parts/phone-input.ts';
import { channelChoice, codeInput, input, type SecurityView, type StepView } from './view.ts';

/**
 * The new security or contact phone (region, number, SMS or voice) or email
 * (docs/product.md#8-security-and-contact-phones-and-emails); a first or unverified security
 * email (`add_email`) is confirmed by a link instead of a code.
 */
export function renderNewValue(v: SecurityView, addEmail: boolean): StepView {
  if (v.kind === 'email') {
    return {
      body: input(v, 'email', 'security.new_email', 'email', 'email'),
      submit: addEmail ? 'security.confirm' : 'register.send_code',
    };
  }
  const security = v.role === 'security';
  return {
    body: html`<div class="field">
      <label for="jd-region" part="label">${v.t('register.region')}</label>
      <select id="jd-region" name="region" part="input" autocomplete="tel-country-code" @change=${(e: Event) => v.act.set('region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, tenantRegions(v.config?.phoneRegions), v.region)}
      </select>
    </div>
    ${input(v, 'phone', 'security.new_phone', 'tel', 'tel', security ? ['jd-login-hint'] : [])}
    ${security ? html`<p id="jd-login-hint" class="hint" part="hint">${v.t('security.login_may_change')}</p>` : nothing}
    ${channelChoice(v)}`,
    submit: 'register.send_code',
  };
}

/** The code sent to the new phone or email. */
export function renderNewValueCode(v: SecurityView): StepView {
  return { body: codeInput(v, false), submit: 'security.confirm' };
}
