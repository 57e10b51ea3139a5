/**
 * The one modal `<dialog>` of <jd-security-settings>: its frame (title, submit, Cancel/Close, the
 * dialog's status) loads with the element; each step's body comes from its step module (view.ts,
 * STEP_MODULE), and while that loads the dialog shows the loading line (src/parts/lazy-steps.ts).
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { renderStepLoading } from '../../parts/lazy-steps.ts';
import type { Dialog, SecurityChange } from './state.ts';
import { STEP_MODULE, statusLine, type OpenDialog, type SecurityView, type StepView } from './view.ts';

/** The dialog's heading. */
function title(d: Dialog): MessageKey {
  if (d === 'export_data') return 'closing.export';
  if (d === 'close_account') return 'closing.close';
  if (d === 'fed_link') return 'federation.title_link';
  if (d === 'fed_unlink') return 'federation.title_unlink';
  if (d === 'credentials') return 'federation.title_credentials';
  return d === 'add_email'
    ? 'security.security_email'
    : d === 'mfa_codes'
      ? 'mfa.regenerate'
      : d.startsWith('mfa')
        ? 'security.mfa'
        : d === 'sub_password'
          ? 'subuser.set_password'
          : d.startsWith('sub')
            ? `subuser.${d.slice(4) as 'create' | 'delete' | 'disassociate'}`
            : `security.${d as Exclude<SecurityChange, 'sub_users' | 'mfa' | 'federation' | 'credentials'>}`;
}

/** The step's body from its module; undefined while the module loads. */
function renderStep(v: SecurityView, s: OpenDialog): StepView | undefined {
  const name = STEP_MODULE[s.step];
  // wait: a request runs; link: the dialog's status says where the link went
  if (!name) return { body: s.step === 'wait' ? html`<p class="hint">${v.t('common.loading')}</p>` : nothing };
  return v.host.steps.get(name)?.render(v, s);
}

/** The dialog: the open dialog's title, its step, the step's submit button and Cancel/Close, and its status. Empty while closed. */
export function renderDialog(v: SecurityView): TemplateResult {
  const s = v.dlg.state;
  const open = s.step === 'closed' ? undefined : s;
  const step = open && renderStep(v, open);
  const busy = v.dlg.isBusy();
  // The recovery codes are shown once: Escape does not close them before "I have saved them".
  const unsaved = s.step === 'codes' && !v.values.ack;
  const steps = v.host.steps;
  const name = open && STEP_MODULE[open.step];
  return html`<dialog part="dialog" class="dialog" aria-labelledby="jd-dialog-title" @close=${v.act.closed} @cancel=${(e: Event) => unsaved && e.preventDefault()}>
    ${
      open && step
        ? html`<form part="form" novalidate @submit=${v.act.submit} data-step=${open.step}>
        <h3 id="jd-dialog-title" class="step-title" tabindex="-1" data-step-focus>${v.t(title(open.dialog))}</h3>
        ${step.body}
        <div class="actions">
          ${
            step.submit
              ? html`<button type="submit" class="btn-primary" part="submit" ?disabled=${busy || unsaved} aria-busy=${busy ? 'true' : nothing}>${v.t(step.submit)}</button>`
              : nothing
          }
          ${
            open.step === 'codes'
              ? nothing
              : html`<button type="button" class="btn-secondary" part="button" data-close @click=${v.act.close}>
              ${v.t(step.submit ? 'security.cancel' : 'security.close')}
            </button>`
          }
        </div>
        ${statusLine(v, v.dlg.statusOf('dialog'))}
      </form>`
        : name
          ? renderStepLoading(
              (k) => v.t(k),
              steps.failed(name),
              () => steps.retry(name),
            )
          : nothing
    }
  </dialog>`;
}
