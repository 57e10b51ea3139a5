/**
 * Step 2 as a step module (view.ts): account name (availability checked on blur) and password
 * with the live checklist, and their checks with the shared rules (the same the BFF runs).
 * Loaded when the flow first reaches it (prefetched while step 1's code is checked).
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import {
  ACCOUNT_NAME_MAX,
  ACCOUNT_NAME_MIN,
  accountNameProblems,
  normalizeAccountName,
} from '../../../../shared/src/rules/account-name.ts';
import {
  DEFAULT_PASSWORD_POLICY,
  passwordProblems,
  type PasswordPolicy,
} from '../../../../shared/src/rules/password.ts';
import type { TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { FlowFieldError } from '../../flow.ts';
import { checklistStyles, renderPasswordChecklist } from '../../parts/password-checklist.ts';
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
  type RegisterHost,
  type RegisterView,
} from './view.ts';

/** the password rules' checklist: only this step shows it */
export const styles = checklistStyles;

function accountNameParams(code: string): ErrorParams | undefined {
  if (code === 'account_name_too_short') return { min: ACCOUNT_NAME_MIN };
  if (code === 'account_name_too_long') return { max: ACCOUNT_NAME_MAX };
  return undefined;
}

function passwordParams(code: string, policy: PasswordPolicy): ErrorParams | undefined {
  if (code === 'password_too_short') return { min: policy.minLength };
  if (code === 'password_too_long') return { max: policy.maxLength };
  if (code === 'password_too_few_classes') return { n: policy.minClasses };
  return undefined;
}

/** The tenant's password rules (the element's first download does not carry the rules module). */
const policyOf = (config: TenantPublicConfig | undefined): PasswordPolicy =>
  config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;

function checkAccountName(host: RegisterHost): FlowFieldError | undefined {
  const code = accountNameProblems(host.values.accountName)[0];
  return code && { code, params: accountNameParams(code) };
}

function checkPassword(host: RegisterHost): FlowFieldError | undefined {
  const policy = policyOf(host.config);
  const code = passwordProblems(host.values.password, policy, host.values.accountName)[0];
  return code && { code, params: passwordParams(code, policy) };
}

/** The user is filling in step 2: step 3's module loads meanwhile (once: after a failed load, step 3 offers the retry). */
function prefetchNext(host: RegisterHost): void {
  if (!host.steps.failed('service')) void host.steps.load('service').catch(() => {});
}

/** per element: the latest availability request (an older answer must not win) */
const availabilitySeq = new WeakMap<RegisterHost, number>();

async function accountNameBlur(host: RegisterHost): Promise<void> {
  const client = host.client;
  if (!host.values.accountName || !client) return;
  const problem = checkAccountName(host);
  if (problem) {
    host.flow.setFieldError('accountName', problem);
    return;
  }
  const name = normalizeAccountName(host.values.accountName);
  const seq = (availabilitySeq.get(host) ?? 0) + 1;
  availabilitySeq.set(host, seq);
  try {
    const available = await client.accountNameAvailable(name);
    if (seq !== availabilitySeq.get(host) || normalizeAccountName(host.values.accountName) !== name) return;
    if (host.flow.state.step !== 'account') return;
    if (available) host.availableName = name;
    else host.flow.setFieldError('accountName', { code: 'account_name_taken' });
  } catch {
    // The availability hint is a convenience; registration checks again.
  }
}

/** Next: the name and password checked here first, then step 3. */
function checkAccountStep(host: RegisterHost): void {
  const taken = host.flow.fieldError('accountName')?.code === 'account_name_taken';
  if (
    host.showErrors({
      accountName: checkAccountName(host) ?? (taken ? host.flow.fieldError('accountName') : undefined),
      password: checkPassword(host),
    })
  )
    return;
  host.goStep('service');
}

export function renderAccountStep(v: RegisterView, phoneInUse: boolean): TemplateResult {
  const nameId = CONTROL_ID.accountName;
  const pwId = CONTROL_ID.password;
  const showAvailable =
    !invalid(v, 'accountName') &&
    v.availableName !== '' &&
    v.availableName === normalizeAccountName(v.values.accountName);
  return html`<section class="step" part="section" aria-labelledby="jd-step-account" data-step="account">
    ${renderStepTitle('jd-step-account', v.t('register.step2_title'))} ${renderPhoneInUse(v, phoneInUse)}
    <form part="form" novalidate @submit=${(e: Event) => {
      e.preventDefault();
      checkAccountStep(v.host);
    }}>
      <div class="field">
        <label class="label" for=${nameId} part="label">${v.t('register.account_name')}</label>
        <input id=${nameId} name="accountName" part="input" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" .value=${v.values.accountName} aria-invalid=${invalid(v, 'accountName') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'accountName', `${nameId}-hint`)} @input=${(
          e: Event,
        ) => {
          v.edit('accountName', { accountName: (e.target as HTMLInputElement).value });
          prefetchNext(v.host);
        }} @blur=${() => void accountNameBlur(v.host)} />
        <p id="${nameId}-hint" class="hint" part="hint">${v.t('register.account_name_hint')}</p>
        ${renderFieldError(v, 'accountName')}
        <p class="hint reserved" part="hint" ?data-available=${showAvailable}>${showAvailable ? v.t('register.account_name_available') : nothing}</p>
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
          onInput: (password) => {
            v.edit('password', { password });
            prefetchNext(v.host);
          },
        })}
        ${renderPasswordChecklist(`${pwId}-rules`, v.locale, v.values.password, policyOf(v.config), v.values.accountName)}
        ${renderFieldError(v, 'password')}
      </div>
      <div class="actions">
        <button type="submit" class="btn-primary" part="submit">${v.t('register.next')}</button>
        <button type="button" class="btn-secondary" part="button back" @click=${() => v.host.goStep('phone')}>${v.t('register.back')}</button>
      </div>
      ${renderActionStatus(v, 'account')}
    </form>
  </section>`;
}
