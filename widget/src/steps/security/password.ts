/**
 * Changing the password (the current one, then the new one with its live checklist) as a step
 * module (view.ts); its new-password field is also a new sub-user's (sub-user-dialogs.ts). Loaded
 * when the password dialog first reaches it.
 */
import { html } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { DEFAULT_PASSWORD_POLICY, passwordProblems } from '../../../../shared/src/rules/password.ts';
import { checklistStyles, renderPasswordChecklist } from '../../parts/password-checklist.ts';
import {
  input,
  open,
  req,
  required,
  valid,
  value,
  type Errors,
  type SecurityHost,
  type SecurityView,
  type StepView,
} from './fields.ts';

export const styles = checklistStyles;

/** The name the account's new password may not equal. */
const accountName = (o: { account: { accountName: string | null } } | undefined) => o?.account.accountName ?? '';

/** A new password with its live checklist (`jd-newPassword-rules`); `name`: what it may not equal. */
export function newPassword(v: SecurityView, label: MessageKey, name: string): unknown {
  return html`${input(v, 'newPassword', label, 'password', 'new-password', ['jd-newPassword-rules'])}
  ${renderPasswordChecklist('jd-newPassword-rules', v.locale, v.values.newPassword ?? '', v.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY, name)}`;
}

/** The new password's first problem under the tenant's policy, if any, into `errors`. */
export function checkNewPassword(host: SecurityHost, name: string, errors: Errors): void {
  const policy = host.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  const problem = passwordProblems(value(host, 'newPassword'), policy, name)[0];
  if (problem)
    errors.newPassword = {
      code: problem,
      params: { min: policy.minLength, max: policy.maxLength, n: policy.minClasses },
    };
}

export async function submit(host: SecurityHost): Promise<void> {
  if (!open(host)) return;
  const errors: Errors = {};
  required(host, 'currentPassword', errors);
  checkNewPassword(host, accountName(host.overview), errors);
  if (!valid(host, errors)) return;
  const body = { currentPassword: value(host, 'currentPassword'), newPassword: value(host, 'newPassword') };
  const r = await req(host, (c) => c.changePassword(body));
  if (r) await host.saved('password', 'security.saved_password', undefined, { n: r.signedOutSessions });
}

export function render(v: SecurityView): StepView {
  return {
    body: html`${input(v, 'currentPassword', 'security.current_password', 'password', 'current-password')}
    ${newPassword(v, 'security.new_password', accountName(v.overview))}`,
    submit: 'security.confirm',
  };
}
