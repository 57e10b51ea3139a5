/** What the step templates need from <jd-register> (the element is wiring; steps are templates). */
import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import type { Locale, MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { PasswordPolicy } from '../../../../shared/src/rules/password.ts';
import type { PhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import type { CodeChannel } from '../../../../shared/src/rules/code.ts';
import type { TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { FlowController, FlowFieldError } from '../../flow.ts';
import { CONTROL_ID, type RegisterField, type RegisterState, type RegisterValues } from './state.ts';

export interface RegisterView {
  locale: Locale;
  t: (key: MessageKey, params?: ErrorParams) => string;
  errorText: (e: FlowFieldError) => string;
  flow: FlowController<RegisterState>;
  values: RegisterValues;
  config: TenantPublicConfig;
  regions: PhoneRegion[];
  policy: PasswordPolicy;
  /** seconds until a code may be sent again (0: now) */
  resendIn: number;
  /** the channel whose delivery failed: offer the other one */
  failedChannel: CodeChannel | undefined;
  /** the name last found available (normalised), for the "available" hint */
  availableName: string;
  /** a value changed: store it and clear that field's feedback */
  edit: (field: RegisterField | 'channel', patch: Partial<RegisterValues>) => void;
  sendCode: () => void;
  switchChannel: (to: CodeChannel) => void;
  accountNameBlur: () => void;
  next: (e: Event) => void;
  back: () => void;
}

export function invalid(v: RegisterView, field: RegisterField): boolean {
  return v.flow.fieldError(field) !== undefined;
}

/** The control's aria-describedby: its hints, then its error when it has one. */
export function describedBy(v: RegisterView, field: RegisterField, ...ids: string[]): string | typeof nothing {
  return describedByIds(v, field, ...ids) ?? nothing;
}

/** The same for the parts' options (otp-input, password-input), which take undefined for none. */
export function describedByIds(v: RegisterView, field: RegisterField, ...ids: string[]): string | undefined {
  if (invalid(v, field)) ids.push(`${CONTROL_ID[field]}-error`);
  return ids.length ? ids.join(' ') : undefined;
}

export function renderFieldError(v: RegisterView, field: RegisterField): TemplateResult | typeof nothing {
  const error = v.flow.fieldError(field);
  if (!error) return nothing;
  return html`<p id="${CONTROL_ID[field]}-error" class="field-error" part="error" data-field=${field}>${v.errorText(error)}</p>`;
}

/** An action's status, right after its button (docs/elements.md: feedback belongs to its step). */
export function renderActionStatus(v: RegisterView, action: string): TemplateResult | typeof nothing {
  const s = v.flow.statusOf(action);
  if (!s) return nothing;
  return html`<p class="status is-${s.tone}" part=${s.tone === 'ok' ? 'status success' : 'status'} role="status" data-action=${action}>
    ${v.t(s.key, s.params)}
  </p>`;
}

/** The step's heading: focus lands here on each step change (flow.ts). */
export function renderStepTitle(id: string, text: string): TemplateResult {
  return html`<h2 id=${id} class="step-title" tabindex="-1" part="title">${text}</h2>`;
}

/** Seed 001: a phone already verified on another account cannot sign in to this one. */
export function renderPhoneInUse(v: RegisterView, phoneInUse: boolean): TemplateResult | typeof nothing {
  return phoneInUse
    ? html`<p class="step-lead notice" part="notice" data-notice="phone-in-use">${v.t('register.phone_in_use')}</p>`
    : nothing;
}

export function busyAttrs(v: RegisterView, action: string): { busy: boolean; disabled: boolean } {
  return { busy: v.flow.isBusy(action), disabled: v.flow.isBusy() };
}
