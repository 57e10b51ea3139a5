import { html } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { DEFAULT_PASSWORD_POLICY } from '../../../../shared/src/rules/password.ts';
import { renderPasswordChecklist } from '../../parts/password-checklist.ts';
import { input, type SecurityView, type StepView } from './view.ts';

/** A new password with its live checklist (`jd-newPassword-rules`); also a new sub-user's. */
export function newPassword(v: SecurityView, label: MessageKey): unknown {
  return html`${input(v, 'newPassword', label, 'password', 'new-password', ['jd-newPassword-rules'])}
  ${renderPasswordChecklist('jd-newPassword-rules', v.locale, v.values.newPassword ?? '', v.config?.passwordPolicy ?? DEFAULT_PASSWORD_POLICY, v.pwName)}`;
}

/** Changing the password: the current one, then the new one. */
export function renderPassword(v: SecurityView): StepView {
  return {
    body: html`${input(v, 'currentPassword', 'security.current_password', 'password', 'current-password')}
    ${newPassword(v, 'security.new_password')}`,
    submit: 'security.confirm',
  };
}

/** A sub-user binding its own MFA device re-enters its password first (it has no contacts to step up with). */
export function renderOwnPassword(v: SecurityView): StepView {
  return {
    body: html`<p id="jd-own-intro">${v.t('subuser.mfa_password')}</p>
    ${input(v, 'currentPassword', 'login.password', 'password', 'current-password', ['jd-own-intro'])}`,
    submit: 'security.next',
  };
}
