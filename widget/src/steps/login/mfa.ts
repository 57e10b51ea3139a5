/**
 * The MFA step of a sign-in (docs/product.md#11-virtual-mfa) as a step module (view.ts): the app's
 * code, a recovery code, or — for a sub-user whose primary account requires MFA and who has no
 * device — binding one first. Loaded when a sign-in first needs it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { MfaSetupResponse } from '../../../../shared/src/api.ts';
import { CODE_PATTERN } from '../../../../shared/src/rules/code.ts';
import type { JdApiError } from '../../client.ts';
import { renderMfaSecret } from '../../parts/mfa-secret.ts';
import { field, status, step, submit, type LoginHost, type LoginView } from './view.ts';

/** The pending MFA session is gone (too many wrong codes, expired): sign in with the password again. */
export const sessionGone = (e: JdApiError) => e.code === 'mfa_too_many_attempts' || e.code === 'not_signed_in';

/** A sub-user binds its device: the setup (QR code, key) is asked for as the step opens. */
export async function startSetup(host: LoginHost, notice: boolean): Promise<void> {
  host.flow.go({ step: 'mfaSetup', notice });
  const client = host.client!;
  const setup = await host.run(
    'setup',
    () => client.mfaSignInSetup(),
    (e) => sessionGone(e) && host.restart(e),
  );
  if (setup && host.flow.state.step === 'mfaSetup') host.flow.patch({ setup });
}

/** The app's code or a recovery code instead (and back). */
function mfaStep(host: LoginHost, step: 'mfa' | 'recoveryCode'): void {
  const cur = host.flow.state;
  const sub = 'sub' in cur && cur.sub;
  host.setValues({ code: '' });
  host.flow.go(step === 'mfa' ? { step, sub, notice: false } : { step, sub });
}

/** Sends the code (in step mfaSetup it also binds the sub-user's new device). */
async function submitCode(host: LoginHost, e?: Event): Promise<void> {
  e?.preventDefault();
  const cur = host.flow.state;
  if (!host.client || (cur.step !== 'mfa' && cur.step !== 'recoveryCode' && cur.step !== 'mfaSetup')) return;
  if (host.flow.isBusy()) return;
  const recovery = cur.step === 'recoveryCode';
  const value = host.value('code').trim();
  const bad = !value
    ? { code: 'required' as const }
    : recovery || CODE_PATTERN.test(value)
      ? undefined
      : { code: 'code_format' as const };
  if (bad && host.invalid({ code: bad })) return;
  const client = host.client;
  const answer = await host.run(
    'code',
    () => client.mfaSignIn(recovery ? { recoveryCode: value } : { code: value }),
    (err) => {
      // a sub-user after a reload (not known as one until now): no recovery-code or application links
      if (err.code === 'recovery_codes_unavailable' && cur.step !== 'mfaSetup') host.flow.patch({ sub: true });
      if (sessionGone(err)) return host.restart(err);
      if (err.code === 'account_locked') {
        // the pending session cannot finish while the account is locked: end it; the form offers the unlock
        void client.signOut().catch(() => undefined);
        return host.restart(err);
      }
      if (err.status === 400) {
        // wrong, reused or drifted code, wrong recovery code, bad format: said at the field
        const f = err.fields[0];
        host.invalid({ code: f ? { code: f.code, params: f.params } : { code: err.code, params: err.params } });
        return true;
      }
      return false;
    },
  );
  if (answer) await host.asOwn(() => host.store?.set(answer));
}

/** Leaves a pending MFA sign-in: ends its session and shows the password form again. */
export function cancelMfa(host: LoginHost): void {
  // the pending session expires by itself if this fails
  void host.client?.signOut().catch(() => undefined);
  host.leave();
}

export function link(v: LoginView, key: MessageKey, to: 'mfa' | 'recoveryCode' | 'lost'): TemplateResult {
  const go = () =>
    to === 'lost' ? void v.host.steps.load('lost').then((m) => m.showLost(v.host)) : mfaStep(v.host, to);
  return html`<button type="button" class="btn-link link-button" part="link" data-mfa=${to === 'mfa' ? 'code' : to === 'recoveryCode' ? 'recovery' : 'lost'} @click=${go}>${v.t(key)}</button>`;
}

export function cancel(v: LoginView, key: MessageKey = 'security.cancel'): TemplateResult {
  return html`<button type="button" class="btn-secondary" part="button cancel" @click=${() => cancelMfa(v.host)}>${v.t(key)}</button>`;
}

/** The app's code (submitted on its last digit), or a recovery code; a sub-user has no recovery codes. */
export function renderMfa(v: LoginView, recovery: boolean, sub: boolean): TemplateResult {
  const send = (e?: Event) => void submitCode(v.host, e);
  const form = html`<form part="form" novalidate @submit=${send}>
    ${
      recovery
        ? field(v, { field: 'code', label: 'mfa.recovery_code', id: 'jd-recovery-code' })
        : field(v, { field: 'code', label: 'mfa.code', type: 'otp', onComplete: () => send() })
    }
    <div class="actions">${submit(v, 'code', 'login.submit', 'login.submitting')} ${cancel(v)}</div>
    ${status(v, 'code')}
    <div class="footer">
      ${recovery ? link(v, 'mfa.use_code', 'mfa') : sub ? nothing : link(v, 'mfa.use_recovery', 'recoveryCode')}
      ${link(v, 'mfa.lost', 'lost')}
    </div>
  </form>`;
  return recovery
    ? step('jd-mfa-title', v.t('mfa.recovery_title'), form, v.t('mfa.recovery_lead'))
    : step('jd-mfa-title', v.t('mfa.code'), form, v.t('error.mfa_required'));
}

/** A sub-user whose primary account requires MFA binds a device: the QR code and key, then its first code. */
export function renderMfaSetup(v: LoginView, notice: boolean, setup: MfaSetupResponse | undefined): TemplateResult {
  const send = (e?: Event) => void submitCode(v.host, e);
  const form = html`<form part="form" novalidate @submit=${send}>
    ${notice ? html`<p part="notice" class="status is-info">${v.t('notice.mfa_reset_by_primary')}</p>` : nothing}
    ${setup ? renderMfaSecret(v.locale, setup) : v.flow.statusOf('setup') ? nothing : html`<p class="hint">${v.t('common.loading')}</p>`}
    ${status(v, 'setup')}
    ${field(v, { field: 'code', label: 'mfa.code', type: 'otp', onComplete: () => send() })}
    <div class="actions">${submit(v, 'code', 'login.submit', 'login.submitting')} ${cancel(v)}</div>
    ${status(v, 'code')}
  </form>`;
  return step('jd-mfa-title', v.t('mfa.code'), form, v.t('mfa.setup_required'));
}
