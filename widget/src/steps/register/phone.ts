/** Step 1: region, number, the code row, and the one consent line (docs/product.md#6-registration). */
import { html, nothing, type TemplateResult } from 'lit';
import { isPhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import { renderOtpInput } from '../../parts/otp-input.ts';
import { renderRegionOptions } from '../../parts/phone-input.ts';
import { safeUrl, tWith } from '../../parts/text.ts';
import { CONTROL_ID } from './state.ts';
import {
  busyAttrs,
  describedBy,
  describedByIds,
  invalid,
  renderActionStatus,
  renderFieldError,
  renderStepTitle,
  type RegisterView,
} from './view.ts';

function renderConsent(v: RegisterView): TemplateResult {
  const locale = v.locale;
  const links: (TemplateResult | string)[] = [];
  v.config.agreements.forEach((a, i) => {
    if (i > 0) links.push(v.t('register.list_separator'));
    const title = a.title[locale] ?? a.title.en;
    const href = safeUrl(a.url[locale] ?? a.url.en);
    links.push(
      href
        ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link" data-agreement=${a.key}>${locale === 'zh-CN' ? `《${title}》` : title}</a>`
        : locale === 'zh-CN'
          ? `《${title}》`
          : title,
    );
  });
  const id = CONTROL_ID.agreements;
  return html`<div class="field">
    <label class="choice consent" for=${id} part="label">
      <input id=${id} type="checkbox" name="agreements" .checked=${v.values.accepted} aria-invalid=${invalid(v, 'agreements') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'agreements')} @change=${(e: Event) => v.edit('agreements', { accepted: (e.target as HTMLInputElement).checked })} /><span>${tWith(locale, 'register.agree_all', 'title', html`${links}`)}</span>
    </label>
    ${renderFieldError(v, 'agreements')}
  </div>`;
}

function renderSwitchChannel(v: RegisterView): TemplateResult | typeof nothing {
  const failed = v.failedChannel;
  if (!failed) return nothing;
  const to = failed === 'sms' ? 'voice' : 'sms';
  return html`<button id="jd-switch-channel" type="button" class="btn-link" part="button switch-channel" data-channel=${to} ?disabled=${v.flow.isBusy()} @click=${() => v.switchChannel(to)}>
    ${v.t(to === 'voice' ? 'delivery.switch_to_voice' : 'delivery.switch_to_sms')}
  </button>`;
}

export function renderPhoneStep(v: RegisterView): TemplateResult {
  const regionId = CONTROL_ID['phone.region'];
  const phoneId = CONTROL_ID['phone.number'];
  const codeId = CONTROL_ID.code;
  const send = busyAttrs(v, 'send');
  const next = busyAttrs(v, 'next');
  const waiting = v.resendIn > 0;
  return html`<section class="step" part="section" aria-labelledby="jd-step-phone" data-step="phone">
    ${renderStepTitle('jd-step-phone', v.t('register.step1_title'))}
    <form part="form" novalidate @submit=${v.next}>
      <div class="field">
        <label class="label" for=${regionId} part="label">${v.t('register.region')}</label>
        <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${invalid(v, 'phone.region') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.region')} @change=${(
          e: Event,
        ) => {
          const value = (e.target as HTMLSelectElement).value;
          if (isPhoneRegion(value)) v.edit('phone.region', { region: value });
        }}>
          ${renderRegionOptions(v.locale, v.regions, v.values.region)}
        </select>
        ${renderFieldError(v, 'phone.region')}
      </div>
      <div class="field">
        <label class="label" for=${phoneId} part="label">${v.t('register.phone')}</label>
        <input id=${phoneId} name="phone" part="input" type="tel" inputmode="tel" autocomplete="tel-national" .value=${v.values.phone} aria-invalid=${invalid(v, 'phone.number') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.number', `${phoneId}-hint`)} @input=${(e: Event) => v.edit('phone.number', { phone: (e.target as HTMLInputElement).value })} />
        <p id="${phoneId}-hint" class="hint" part="hint">${v.t('register.phone_hint')}</p>
        ${renderFieldError(v, 'phone.number')}
      </div>
      <div class="field">
        <label class="label" for=${codeId} part="label">${v.t('register.code')}</label>
        <div class="code-row">
          ${renderOtpInput({
            id: codeId,
            value: v.values.code,
            invalid: invalid(v, 'code'),
            describedBy: describedByIds(v, 'code'),
            onInput: (code) => v.edit('code', { code }),
          })}
          <button id="jd-send-code" type="button" class="btn-secondary send-code" part="button send-code" aria-busy=${send.busy ? 'true' : 'false'} ?disabled=${waiting || send.disabled} @click=${v.sendCode}>
            ${waiting ? v.t('register.resend_in', { seconds: v.resendIn }) : v.t('register.send_code')}
          </button>
        </div>
        ${renderActionStatus(v, 'send')} ${renderFieldError(v, 'code')} ${renderSwitchChannel(v)}
        <div class="channel" role="radiogroup" aria-label=${v.t('register.channel')}>
          ${(['sms', 'voice'] as const).map(
            (ch) => html`<label class="choice" for="jd-channel-${ch}" part="label">
              <input id="jd-channel-${ch}" type="radio" name="channel" value=${ch} .checked=${v.values.channel === ch} @change=${() => v.edit('channel', { channel: ch })} />${v.t(ch === 'sms' ? 'register.channel_sms' : 'register.channel_voice')}
            </label>`,
          )}
        </div>
      </div>
      ${renderConsent(v)}
      <div class="actions">
        <button type="submit" class="btn-primary" part="submit" aria-busy=${next.busy ? 'true' : 'false'} ?disabled=${next.disabled}>${v.t('register.next')}</button>
      </div>
      ${renderActionStatus(v, 'next')}
    </form>
  </section>`;
}
