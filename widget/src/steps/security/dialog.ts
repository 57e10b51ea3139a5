import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { renderNewValue, renderNewValueCode } from './contact-change.ts';
import { renderCodes, renderQr, renderUnbind } from './mfa-bind.ts';
import { renderOwnPassword, renderPassword } from './password.ts';
import { renderMethod, renderStepUpCode, renderSupportStep } from './step-up.ts';
import { renderSubConfirm, renderSubCreate } from './sub-users.ts';
import type { Dialog, DialogState, SecurityChange } from './state.ts';
import { statusLine, type SecurityView, type StepView } from './view.ts';

/** The dialog's heading. */
function title(d: Dialog): MessageKey {
  return d === 'add_email'
    ? 'security.security_email'
    : d === 'mfa_codes'
      ? 'mfa.regenerate'
      : d.startsWith('mfa')
        ? 'security.mfa'
        : d.startsWith('sub')
          ? `subuser.${d.slice(4) as 'create' | 'delete' | 'disassociate'}`
          : `security.${d as Exclude<SecurityChange, 'sub_users' | 'mfa'>}`;
}

function renderStep(v: SecurityView, s: Exclude<DialogState, { step: 'closed' }>): StepView {
  // only the steps of a primary account's dialogs read the overview
  const o = v.overview!;
  switch (s.step) {
    case 'method':
      return renderMethod(v, o);
    case 'step_up':
      return renderStepUpCode(v);
    case 'code':
      return renderNewValueCode(v);
    case 'value':
      return renderNewValue(v, s.dialog === 'add_email');
    case 'password':
      return renderPassword(v);
    case 'sub_create':
      return renderSubCreate(v);
    case 'support':
      return renderSupportStep(v, o);
    case 'wait':
      return { body: html`<p class="hint">${v.t('common.loading')}</p>` };
    case 'qr':
      return renderQr(v, s.setup!);
    case 'codes':
      return renderCodes(v, s.codes ?? []);
    case 'unbind':
      return renderUnbind(v);
    case 'own_pw':
      return renderOwnPassword(v);
    case 'sub_delete':
    case 'sub_disassociate':
      return renderSubConfirm(v, s.step === 'sub_delete');
    default:
      return { body: nothing };
  }
}

/**
 * The one modal `<dialog>` of the element: the open dialog's title, its step, the step's submit
 * button and Cancel/Close, and the dialog's status. Empty while closed.
 */
export function renderDialog(v: SecurityView): TemplateResult {
  const s = v.dlg.state;
  const step = s.step === 'closed' ? undefined : renderStep(v, s);
  const busy = v.dlg.isBusy();
  // The recovery codes are shown once: Escape does not close them before "I have saved them".
  const unsaved = s.step === 'codes' && !v.values.ack;
  return html`<dialog part="dialog" class="dialog" aria-labelledby="jd-dialog-title" @close=${v.act.closed} @cancel=${(e: Event) => unsaved && e.preventDefault()}>
    ${
      s.step !== 'closed' && step
        ? html`<form part="form" novalidate @submit=${v.act.submit} data-step=${s.step}>
        <h3 id="jd-dialog-title" class="step-title" tabindex="-1" data-step-focus>${v.t(title(s.dialog))}</h3>
        ${step.body}
        <div class="actions">
          ${
            step.submit
              ? html`<button type="submit" class="btn-primary" part="submit" ?disabled=${busy || unsaved} aria-busy=${busy ? 'true' : nothing}>${v.t(step.submit)}</button>`
              : nothing
          }
          ${
            s.step === 'codes'
              ? nothing
              : html`<button type="button" class="btn-secondary" part="button" data-close @click=${v.act.close}>
              ${v.t(step.submit ? 'security.cancel' : 'security.close')}
            </button>`
          }
        </div>
        ${statusLine(v, v.dlg.statusOf('dialog'))}
      </form>`
        : nothing
    }
  </dialog>`;
}
