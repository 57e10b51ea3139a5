import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { MfaSetupResponse } from '../../../../shared/src/api.ts';
import { renderMfaSecret } from '../../parts/mfa-secret.ts';
import { field, status, step, submit, type LoginView } from './view.ts';

function link(v: LoginView, key: MessageKey, to: 'mfa' | 'recoveryCode' | 'lost'): TemplateResult {
  return html`<button type="button" class="btn-link link-button" part="link" data-mfa=${to === 'mfa' ? 'code' : to === 'recoveryCode' ? 'recovery' : 'lost'} @click=${() => (to === 'lost' ? v.act.showLost() : v.act.mfaStep(to))}>${v.t(key)}</button>`;
}

function cancel(v: LoginView, key: MessageKey = 'security.cancel'): TemplateResult {
  return html`<button type="button" class="btn-secondary" part="button cancel" @click=${v.act.cancelMfa}>${v.t(key)}</button>`;
}

/**
 * The MFA step of a sign-in (docs/product.md#11-virtual-mfa): the app's code (submitted on its
 * last digit), or a recovery code; a sub-user has no recovery codes.
 */
export function renderMfa(v: LoginView, recovery: boolean, sub: boolean): TemplateResult {
  const form = html`<form part="form" novalidate @submit=${v.act.submitCode}>
    ${
      recovery
        ? field(v, { field: 'code', label: 'mfa.recovery_code', id: 'jd-recovery-code' })
        : field(v, { field: 'code', label: 'mfa.code', type: 'otp', onComplete: () => v.act.submitCode() })
    }
    <div class="actions">${submit(v, 'code', 'login.submit', 'login.submitting')} ${cancel(v)}</div>
    ${status(v, 'code')}
    <div class="footer">
      ${recovery ? link(v, 'mfa.use_code', 'mfa') : sub ? nothing : link(v, 'mfa.use_recovery', 'recoveryCode')}
      ${link(v, 'mfa.lost', 'lost')}
    </div>
  </form>`;
  return step(
    'jd-mfa-title',
    v.t(recovery ? 'mfa.recovery_code' : 'mfa.code'),
    form,
    recovery ? undefined : v.t('error.mfa_required'),
  );
}

/** A sub-user whose primary account requires MFA binds a device: the QR code and key, then its first code. */
export function renderMfaSetup(v: LoginView, notice: boolean, setup: MfaSetupResponse | undefined): TemplateResult {
  const form = html`<form part="form" novalidate @submit=${v.act.submitCode}>
    ${notice ? html`<p part="notice" class="status is-info">${v.t('notice.mfa_reset_by_primary')}</p>` : nothing}
    ${setup ? renderMfaSecret(v.locale, setup) : v.flow.statusOf('setup') ? nothing : html`<p class="hint">${v.t('common.loading')}</p>`}
    ${status(v, 'setup')}
    ${field(v, { field: 'code', label: 'mfa.code', type: 'otp', onComplete: () => v.act.submitCode() })}
    <div class="actions">${submit(v, 'code', 'login.submit', 'login.submitting')} ${cancel(v)}</div>
    ${status(v, 'code')}
  </form>`;
  return step('jd-mfa-title', v.t('mfa.code'), form, v.t('mfa.setup_required'));
}

export { cancel, link };
