import { html } from 'lit';
import type { MfaSetupResponse } from '../../../../shared/src/api.ts';
import { renderMfaSecret } from '../../parts/mfa-secret.ts';
import { renderRecoveryCodes } from './recovery-codes.ts';
import { checkbox, codeInput, statusLine, type SecurityView, type StepView } from './view.ts';

/** Binding the virtual MFA device (docs/product.md#11-virtual-mfa): the QR code and key, then the app's first code. */
export function renderQr(v: SecurityView, setup: MfaSetupResponse): StepView {
  return { body: html`${renderMfaSecret(v.locale, setup)} ${codeInput(v, true)}`, submit: 'security.confirm' };
}

/** The new recovery codes, shown once: Done only after "I have saved them". */
export function renderCodes(v: SecurityView, codes: readonly string[]): StepView {
  return {
    body: html`${renderRecoveryCodes(v.locale, codes, { copy: v.act.copyCodes, download: v.act.downloadCodes })}
    ${statusLine(v, v.dlg.statusOf('codes'))}
    ${checkbox(v, 'ack', 'mfa.saved_them')}`,
    submit: 'mfa.done',
  };
}

export function renderUnbind(v: SecurityView): StepView {
  return { body: html`<p>${v.t('mfa.unbind_confirm')}</p>`, submit: 'mfa.unbind' };
}
