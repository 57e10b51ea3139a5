/**
 * What the registration steps share (docs/elements.md#flows): the view the element hands each
 * step, the element as the steps' actions see it (RegisterHost), and the small templates.
 *
 * Step 1 (phone.ts) loads with <jd-register>; steps 2 and 3 and the confirmation (account.ts,
 * service.ts) are step modules loaded when the flow first reaches them (src/parts/lazy-steps.ts):
 * each holds its render functions and its actions, which act on the element through RegisterHost.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import type { Locale, MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { PhoneRegion } from '../../../../shared/src/rules/phone-regions.ts';
import type { CodeChannel } from '../../../../shared/src/rules/code.ts';
import type { TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { JdApiError, JdClient } from '../../client.ts';
import type { FlowController, FlowFieldError } from '../../flow.ts';
import type { CountdownController } from '../../parts/countdown.ts';
import type { LazySteps } from '../../parts/lazy-steps.ts';
import type { SessionStore } from '../../session.ts';
import type { DeliveryPoll } from './phone.ts';
import { CONTROL_ID, PROGRESS_STEPS, type RegisterField, type RegisterState, type RegisterValues } from './state.ts';

export interface RegisterView {
  locale: Locale;
  t: (key: MessageKey, params?: ErrorParams) => string;
  errorText: (e: FlowFieldError) => string;
  flow: FlowController<RegisterState>;
  values: RegisterValues;
  config: TenantPublicConfig;
  regions: PhoneRegion[];
  /** seconds until a code may be sent again (0: now) */
  resendIn: number;
  /** the channel whose delivery failed: offer the other one */
  failedChannel: CodeChannel | undefined;
  /** the name last found available (normalised), for the "available" hint */
  availableName: string;
  /** a value changed: store it and clear that field's feedback */
  edit: (field: RegisterField | 'channel', patch: Partial<RegisterValues>) => void;
  /** what the steps' actions work with */
  host: RegisterHost;
}

/** The step modules, loaded when the flow first reaches one of their steps. */
export const registerSteps = {
  /** step 2: account name and password */
  account: () => import('./account.ts'),
  /** step 3 (enable the service) and the confirmation after it */
  service: () => import('./service.ts'),
};

/** The element, as the steps' actions see it. */
export interface RegisterHost {
  readonly flow: FlowController<RegisterState>;
  readonly client: JdClient | undefined;
  readonly config: TenantPublicConfig | undefined;
  readonly store: SessionStore | undefined;
  readonly publishableKey: string | undefined;
  readonly steps: LazySteps<typeof registerSteps>;
  /** step 1: seconds before another code may be asked for */
  readonly countdown: CountdownController;
  /** step 1: the delivery status of the code sent last */
  readonly delivery: DeliveryPoll;
  readonly regions: PhoneRegion[];
  /** what the user typed; assigning renders again */
  values: RegisterValues;
  /** the name last found available (normalised) */
  availableName: string;
  /** the channel whose delivery failed */
  failedChannel: CodeChannel | undefined;
  /** when the code sent from this page stops being valid (ms since the epoch) */
  codeExpiresAt: number | undefined;
  /** Puts each error on its field; true when there were any (focus then goes to the first). */
  showErrors(errors: Partial<Record<RegisterField, FlowFieldError | undefined>>): boolean;
  /** An API error of an action (flow.run's onError): `jd-error`, then on its field and step; false: the action's status. */
  placeError(e: JdApiError): boolean;
  /** To another step, keeping the phone-in-use notice. */
  goStep(step: 'phone' | 'account' | 'service'): void;
  /** Forgets the step 1 kept in sessionStorage. */
  dropSaved(): void;
  /** Focuses `selector` once the next render is done. */
  focusAfterRender(selector: string): Promise<void>;
  emit(name: string, detail: unknown): void;
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

/** The list of the three steps (styles: progress.ts), the current one marked; none after registering. */
export function renderProgress(v: RegisterView): TemplateResult | typeof nothing {
  const step = v.flow.state.step;
  if (step === 'done') return nothing;
  const titles = ['register.step1_title', 'register.step2_title', 'register.step3_title'] as const;
  const current = PROGRESS_STEPS.indexOf(step);
  return html`<ol class="progress" part="progress" aria-label=${v.t('register.progress')}>
    ${PROGRESS_STEPS.map(
      (s, i) =>
        html`<li data-step=${s} data-of=${PROGRESS_STEPS.length} class=${i < current ? 'is-done' : ''} aria-current=${i === current ? 'step' : 'false'}><span class="step-label">${v.t(titles[i])}</span></li>`,
    )}
  </ol>`;
}
