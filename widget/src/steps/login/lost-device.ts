import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { MfaRecoveryEligibility } from '../../../../shared/src/api.ts';
import { renderRegionOptions, tenantRegions } from '../../parts/phone-input.ts';
import { renderSupport } from '../../parts/support.ts';
import { MAX_UPLOAD_BYTES } from '../../parts/upload.ts';
import { cancel, link } from './mfa.ts';
import { CONTROL_ID, describedBy, field, notes, status, submit, type LoginView, type UploadField } from './view.ts';

/** A file input of the application: images (and, for the licence, PDF) up to the server's size. */
function upload(v: LoginView, f: UploadField, label: MessageKey, hint: MessageKey, accept: string): TemplateResult {
  const id = CONTROL_ID[f];
  const hintText = v.t(hint, { mb: MAX_UPLOAD_BYTES / 1024 / 1024 });
  return html`<div class="field">
    <label class="label" for=${id} part="label">${v.t(label)}</label>
    <input id=${id} name=${f} part="input" type="file" accept=${accept} aria-invalid=${v.flow.fieldError(f) ? 'true' : 'false'} aria-describedby=${describedBy(v, f, id, hintText) ?? nothing} @change=${(e: Event) => v.act.file(f, e)} />
    ${notes(v, f, id, hintText)}
  </div>`;
}

/** The application of a real-name verified account (personal; an enterprise adds two fields). */
function application(v: LoginView, enterprise: boolean): TemplateResult {
  const regionId = CONTROL_ID['phone.region'];
  return html`<form part="form" novalidate @submit=${v.act.apply}>
    ${field(v, { field: 'name', label: 'mfa.apply_name', autocomplete: 'name' })}
    <div class="field">
      <label class="label" for=${regionId} part="label">${v.t('register.region')}</label>
      <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${v.flow.fieldError('phone.region') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.region', regionId) ?? nothing} @change=${(e: Event) => v.input('phone.region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, tenantRegions(v.config?.phoneRegions), v.act.region)}
      </select>
      ${notes(v, 'phone.region', regionId)}
    </div>
    ${field(v, { field: 'phone.number', label: 'mfa.apply_phone', type: 'tel', autocomplete: 'tel' })}
    ${field(v, { field: 'idNumber', label: 'mfa.apply_id_number' })}
    ${enterprise ? field(v, { field: 'enterpriseName', label: 'mfa.apply_enterprise', autocomplete: 'organization' }) : nothing}
    ${upload(v, 'idPhoto', 'mfa.apply_id_photo', 'mfa.apply_image_hint', 'image/jpeg,image/png')}
    ${enterprise ? upload(v, 'businessLicence', 'mfa.apply_licence', 'mfa.apply_licence_hint', 'image/jpeg,image/png,application/pdf') : nothing}
    <div class="actions">${submit(v, 'apply', 'mfa.apply_submit')}</div>
    ${status(v, 'apply')}
  </form>`;
}

/**
 * "Lost your device?" (docs/product.md#14-lost-mfa-device-applications): a sub-user's help; the
 * application form (real-name verified, nothing pending); else why not, with the support channels.
 * `eligibility`: undefined while asked, null when the answer failed.
 */
export function renderLostDevice(
  v: LoginView,
  sub: boolean,
  eligibility: MfaRecoveryEligibility | null | undefined,
): TemplateResult {
  const r = eligibility;
  const body = sub
    ? html`<p>${v.t('mfa.sub_user_lost_help')}</p>`
    : r === undefined
      ? v.flow.statusOf('eligibility')
        ? nothing
        : html`<p class="hint">${v.t('common.loading')}</p>`
      : r?.realNameVerified && !r.pendingApplication
        ? html`<p>${v.t('mfa.apply_intro')}</p>${application(v, r.type === 'enterprise')}`
        : html`<p>${v.t(!r ? 'mfa.lost_help' : r.pendingApplication ? 'error.application_pending' : 'error.real_name_required')}</p>
        ${renderSupport(v.locale, v.config?.supportChannels)}`;
  return html`<section class="step" part="lost" aria-labelledby="jd-lost-title">
    <h2 id="jd-lost-title" class="step-title" tabindex="-1" part="title">${v.t('mfa.lost')}</h2>
    ${body} ${status(v, 'eligibility')}
    <div class="actions">${link(v, 'mfa.use_code', 'mfa')} ${cancel(v)}</div>
  </section>`;
}

/** The application was queued: its short reference, and what happens next. */
export function renderApplied(v: LoginView, reference: string): TemplateResult {
  return html`<section class="step" part="lost" aria-labelledby="jd-lost-title">
    <h2 id="jd-lost-title" class="step-title" tabindex="-1" part="title">${v.t('mfa.apply_sent_title')}</h2>
    <p part="confirmation">${v.t('mfa.apply_sent', { id: reference })}</p>
    <p class="hint">${v.t('mfa.apply_next')}</p>
    <div class="actions">${cancel(v, 'mfa.done')}</div>
  </section>`;
}
