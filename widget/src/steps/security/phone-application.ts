/**
 * A lost security phone with no other way to verify identity (docs/product.md#23-lost-security-phone)
 * as a step module (view.ts): from the step-up's support step, a real-name verified account applies
 * — name, the new phone, ID number, a photo holding the ID card (an enterprise: its name and
 * business licence) — to the tenant's support; others are told to contact support. Once approved,
 * the security phone row binds a new phone by its own code, without a step-up.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { ID_NUMBER_PATTERN } from '../../../../shared/src/rules/id-number.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../../shared/src/rules/phone-regions.ts';
import { renderRegionOptions, tenantRegions } from '../../parts/phone-input.ts';
import { renderSupport } from '../../parts/support.ts';
import { MAX_UPLOAD_BYTES, readUpload } from '../../parts/upload.ts';
import {
  go,
  input,
  open,
  req,
  required,
  set,
  valid,
  value,
  type Errors,
  type OpenDialog,
  type SecurityHost,
  type SecurityView,
  type StepView,
} from './fields.ts';

const regionOf = (host: { config: SecurityHost['config'] }, r: string | undefined): PhoneRegion => {
  const regions = tenantRegions(host.config?.phoneRegions);
  return isPhoneRegion(r) && regions.includes(r) ? r : regions[0];
};

/** Opens the application step and asks whether this account may apply. */
export async function start(host: SecurityHost): Promise<void> {
  go(host, 'phone_apply', { values: { ...open(host)?.values, standing: '' } });
  const r = await req(host, (c) => c.mfaRecovery('security_phone'));
  set(
    host,
    'standing',
    !r ? 'unknown' : r.pendingApplication ? 'pending' : r.realNameVerified ? (r.type ?? 'personal') : 'none',
  );
}

/** A picked file, checked the way the BFF will; its base64 kept in the dialog's values. */
async function pick(host: SecurityHost, f: 'idPhoto' | 'businessLicence', e: Event): Promise<void> {
  const file = (e.target as HTMLInputElement).files?.[0];
  set(host, f, '');
  host.dlg.setFieldError(f, undefined);
  if (!file) return;
  const r = await readUpload(file, f === 'businessLicence');
  if ('data' in r) set(host, f, r.data);
  else host.dlg.setFieldError(f, r.error);
}

export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s || s.step !== 'phone_apply') return host.closeDialog();
  if (s.values.standing !== 'personal' && s.values.standing !== 'enterprise') return;
  const enterprise = s.values.standing === 'enterprise';
  const errors: Errors = {};
  required(host, 'name', errors);
  const region = regionOf(host, s.values.region);
  if (!required(host, 'phone', errors) && !looksLikeMobile(region, value(host, 'phone')))
    errors.phone = { code: 'phone_invalid' };
  const idNumber = value(host, 'idNumber').trim();
  if (!ID_NUMBER_PATTERN.test(idNumber)) errors.idNumber = { code: idNumber ? 'invalid_input' : 'required' };
  if (enterprise) required(host, 'enterpriseName', errors);
  for (const f of enterprise ? (['idPhoto', 'businessLicence'] as const) : (['idPhoto'] as const))
    if (!s.values[f]) errors[f] = host.dlg.fieldError(f) ?? { code: 'required' };
  if (!valid(host, errors)) return;
  const answer = await req(host, (c) =>
    c.applyMfaRecovery({
      purpose: 'security_phone',
      type: enterprise ? 'enterprise' : 'personal',
      name: value(host, 'name').trim(),
      phone: { region, number: nationalDigits(region, value(host, 'phone')) },
      idNumber,
      idPhoto: { data: s.values.idPhoto! },
      ...(enterprise
        ? { enterpriseName: value(host, 'enterpriseName').trim(), businessLicence: { data: s.values.businessLicence! } }
        : {}),
    }),
  );
  if (!answer) return;
  go(host, 'phone_applied', {
    values: {
      id: answer.id
        .replace(/[^0-9a-z]/gi, '')
        .slice(0, 8)
        .toUpperCase(),
    },
  });
}

function upload(
  v: SecurityView,
  f: 'idPhoto' | 'businessLicence',
  label: MessageKey,
  hint: MessageKey,
): TemplateResult {
  const id = `jd-${f}`;
  const error = v.dlg.fieldError(f);
  return html`<div class="field">
    <label for=${id} part="label">${v.t(label)}</label>
    <input id=${id} name=${f} part="input" type="file" accept=${f === 'idPhoto' ? 'image/jpeg,image/png' : 'image/jpeg,image/png,application/pdf'} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${`${id}-hint${error ? ` ${id}-error` : ''}`} @change=${(e: Event) => void pick(v.host, f, e)} />
    <p id="${id}-hint" class="hint" part="hint">${v.t(hint, { mb: MAX_UPLOAD_BYTES / 1024 / 1024 })}</p>
    ${error ? html`<p id="${id}-error" class="error" part="error" data-field=${f}>${v.errorText(error)}</p>` : nothing}
  </div>`;
}

function form(v: SecurityView, enterprise: boolean): TemplateResult {
  return html`<p>${v.t('phone_apply.intro')}</p>
    ${input(v, 'name', 'mfa.apply_name', 'text', 'name')}
    <div class="field">
      <label for="jd-region" part="label">${v.t('register.region')}</label>
      <select id="jd-region" name="region" part="input" autocomplete="tel-country-code" @change=${(e: Event) => v.act.set('region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, tenantRegions(v.config?.phoneRegions), regionOf(v, v.values.region))}
      </select>
    </div>
    ${input(v, 'phone', 'phone_apply.phone', 'tel', 'tel')}
    ${input(v, 'idNumber', 'mfa.apply_id_number', 'text', 'off')}
    ${enterprise ? input(v, 'enterpriseName', 'mfa.apply_enterprise', 'text', 'organization') : nothing}
    ${upload(v, 'idPhoto', 'mfa.apply_id_photo', 'mfa.apply_image_hint')}
    ${enterprise ? upload(v, 'businessLicence', 'mfa.apply_licence', 'mfa.apply_licence_hint') : nothing}`;
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  if (s.step === 'phone_applied')
    return {
      body: html`<p part="confirmation">${v.t('phone_apply.sent', { id: s.values.id ?? '' })}</p>`,
      submit: 'mfa.done',
    };
  const standing = s.values.standing;
  if (standing === 'personal' || standing === 'enterprise')
    return { body: form(v, standing === 'enterprise'), submit: 'mfa.apply_submit' };
  if (!standing) return { body: html`<p class="hint">${v.t('common.loading')}</p>` };
  return {
    body: html`<p>${v.t(standing === 'pending' ? 'error.application_pending' : 'phone_apply.not_real_name')}</p>
      ${renderSupport(v.locale, v.overview?.supportChannels ?? v.config?.supportChannels)}`,
  };
}
