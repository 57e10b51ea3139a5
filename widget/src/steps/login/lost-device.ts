/**
 * "Lost your device?" (docs/product.md#14-lost-mfa-device-applications) as a step module (view.ts):
 * a real-name verified primary account applies to disassociate the device (name, associated
 * phone, ID number, photo holding the ID card; an enterprise also its name and business licence)
 * for tenant support to review; the confirmation gives a short reference and what happens next.
 * Otherwise it says why not and shows the tenant's support channels; a sub-user is told to ask
 * its primary account's owner.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { MfaRecoveryEligibility } from '../../../../shared/src/api.ts';
import { ID_NUMBER_PATTERN } from '../../../../shared/src/rules/id-number.ts';
import { looksLikeMobile, nationalDigits } from '../../../../shared/src/rules/phone-regions.ts';
import type { FlowFieldError } from '../../flow.ts';
import { renderRegionOptions, tenantRegions } from '../../parts/phone-input.ts';
import { renderSupport } from '../../parts/support.ts';
import { MAX_UPLOAD_BYTES, readUpload } from '../../parts/upload.ts';
import { cancel, link, sessionGone } from './mfa.ts';
import {
  CONTROL_ID,
  describedBy,
  field,
  notes,
  status,
  submit,
  type Field,
  type LoginHost,
  type LoginView,
  type UploadField,
} from './view.ts';

const REQUIRED: FlowFieldError = { code: 'required' };
/** The application's fields a server field issue may name (`phone` alone means its number). */
const APP_FIELDS: readonly Field[] = [
  'name',
  'phone.region',
  'phone.number',
  'idNumber',
  'enterpriseName',
  'idPhoto',
  'businessLicence',
];

/** The short reference of an application people can read out to support: the id's first 8 characters. */
export const applicationReference = (id: string) =>
  id
    .replace(/[^0-9a-z]/gi, '')
    .slice(0, 8)
    .toUpperCase();

/** Opens the step and asks whether this account may apply. */
export async function showLost(host: LoginHost): Promise<void> {
  const cur = host.flow.state;
  const sub = 'sub' in cur && cur.sub;
  host.forget();
  host.flow.go({
    step: 'lostDevice',
    sub,
    eligibility: undefined,
    files: { uploads: {}, picked: {}, reading: Promise.resolve() },
  });
  // a sub-user's device is disassociated by its primary account, not by an application (docs/product.md#13-sub-users)
  if (sub) return;
  const client = host.client!;
  const eligibility = await host.run(
    'eligibility',
    () => client.mfaRecovery(),
    (e) => {
      if (sessionGone(e)) return host.restart(e);
      if (e.code === 'sub_user_forbidden') return (host.flow.patch({ sub: true }), true);
      // unknown: the general help and the support channels
      host.flow.patch({ eligibility: null });
      return false;
    },
  );
  if (eligibility) host.flow.patch({ eligibility });
}

/** Checks a picked file the way the BFF will (type by content, size) and keeps its base64. */
async function pick(host: LoginHost, field: UploadField, e: Event): Promise<void> {
  const cur = host.flow.state;
  if (cur.step !== 'lostDevice') return;
  const files = cur.files;
  const file = (files.picked[field] = (e.target as HTMLInputElement).files?.[0]);
  delete files.uploads[field];
  host.flow.clearField(field);
  if (!file) return;
  const read = readUpload(file, field === 'businessLicence');
  files.reading = Promise.all([files.reading, read]);
  const r = await read;
  if (files.picked[field] !== file) return;
  if ('data' in r) files.uploads[field] = r.data;
  // at the field: focus stays on the file input the user just used
  else host.flow.setFieldError(field, r.error);
}

/** Submits the application: queued for tenant support's review. */
async function apply(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  const opened = host.flow.state;
  if (opened.step !== 'lostDevice') return;
  // a file picked just before may still be being read
  await opened.files.reading;
  const cur = host.flow.state;
  const r = cur.step === 'lostDevice' ? cur.eligibility : undefined;
  if (!host.client || !r || cur.step !== 'lostDevice' || host.flow.isBusy()) return;
  const uploads = cur.files.uploads;
  const enterprise = r.type === 'enterprise';
  const region = host.region;
  const name = host.value('name').trim();
  const number = host.value('phone.number');
  const idNumber = host.value('idNumber').trim();
  const enterpriseName = host.value('enterpriseName').trim();
  const errors: Partial<Record<Field, FlowFieldError>> = {};
  if (!name) errors.name = REQUIRED;
  if (!number.trim()) errors['phone.number'] = REQUIRED;
  else if (!looksLikeMobile(region, number)) errors['phone.number'] = { code: 'phone_invalid' };
  // the server's rule (shared/src/rules/id-number.ts); the message is mfa.apply_id_number_invalid
  if (!ID_NUMBER_PATTERN.test(idNumber)) errors.idNumber = idNumber ? { code: 'invalid_input' } : REQUIRED;
  if (enterprise && !enterpriseName) errors.enterpriseName = REQUIRED;
  for (const f of enterprise ? (['idPhoto', 'businessLicence'] as const) : (['idPhoto'] as const))
    if (!uploads[f]) errors[f] = host.flow.fieldError(f) ?? REQUIRED;
  if (host.invalid(errors)) return;
  const client = host.client;
  const answer = await host.run(
    'apply',
    () =>
      client.applyMfaRecovery({
        type: enterprise ? 'enterprise' : 'personal',
        name,
        phone: { region, number: nationalDigits(region, number) },
        idNumber,
        idPhoto: { data: uploads.idPhoto! },
        ...(enterprise ? { enterpriseName, businessLicence: { data: uploads.businessLicence! } } : {}),
      }),
    (err) => {
      if (sessionGone(err)) return host.restart(err);
      const fields: Partial<Record<Field, FlowFieldError>> = {};
      for (const f of err.fields) {
        const field = (f.path === 'phone' ? 'phone.number' : f.path.replace(/\.data$/, '')) as Field;
        if (APP_FIELDS.includes(field) && !fields[field]) fields[field] = { code: f.code, params: f.params };
      }
      if (host.invalid(fields)) return true;
      // the account's standing changed since the form opened: show what applies now
      if (err.code === 'sub_user_forbidden') return (host.flow.patch({ sub: true }), true);
      if (err.code === 'real_name_required' || err.code === 'application_pending') {
        host.flow.patch({
          eligibility:
            err.code === 'real_name_required' ? { ...r, realNameVerified: false } : { ...r, pendingApplication: true },
        });
        return true;
      }
      return false;
    },
  );
  if (!answer) return;
  host.forget();
  host.flow.go({ step: 'applied', id: answer.id, reference: applicationReference(answer.id) });
  host.emit('jd-mfa-application-submitted', { id: answer.id });
}

/** A file input of the application: images (and, for the licence, PDF) up to the server's size. */
function upload(v: LoginView, f: UploadField, label: MessageKey, hint: MessageKey, accept: string): TemplateResult {
  const id = CONTROL_ID[f];
  const hintText = v.t(hint, { mb: MAX_UPLOAD_BYTES / 1024 / 1024 });
  return html`<div class="field">
    <label class="label" for=${id} part="label">${v.t(label)}</label>
    <input id=${id} name=${f} part="input" type="file" accept=${accept} aria-invalid=${v.flow.fieldError(f) ? 'true' : 'false'} aria-describedby=${describedBy(v, f, id, hintText) ?? nothing} @change=${(e: Event) => void pick(v.host, f, e)} />
    ${notes(v, f, id, hintText)}
  </div>`;
}

/** The application of a real-name verified account (personal; an enterprise adds two fields). */
function application(v: LoginView, enterprise: boolean): TemplateResult {
  const regionId = CONTROL_ID['phone.region'];
  return html`<form part="form" novalidate @submit=${(e: Event) => void apply(v.host, e)}>
    ${field(v, { field: 'name', label: 'mfa.apply_name', autocomplete: 'name' })}
    <div class="field">
      <label class="label" for=${regionId} part="label">${v.t('register.region')}</label>
      <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${v.flow.fieldError('phone.region') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.region', regionId) ?? nothing} @change=${(e: Event) => v.input('phone.region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, tenantRegions(v.config?.phoneRegions), v.host.region)}
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
