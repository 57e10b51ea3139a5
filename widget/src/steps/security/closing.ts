/**
 * Closing the account (docs/product.md#24-closing-an-account) as a step module (view.ts): after a
 * step-up, "Download my data" saves account-export.json, and "Close account" states what closing
 * does and asks "I understand" before the request. Once closed, every session of the account has
 * ended: the page's session store signs every element out. Loaded when one of them first opens.
 */
import { html } from 'lit';
import type { AccountExport } from '../../../../shared/src/api.ts';
import { checkbox, open, req, type OpenDialog, type SecurityHost, type SecurityView, type StepView } from './fields.ts';

/** The export as a .json file through a Blob link (no data: URL: some browsers block those downloads). */
function download(host: SecurityHost, data: AccountExport): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2) + '\n'], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'account-export.json';
  host.root.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s) return;
  if (s.step === 'export_data') {
    const data = await req(host, (c) => c.exportAccount());
    if (!data) return;
    download(host, data);
    host.closeDialog();
    host.page.setStatus('row-closing', { tone: 'ok', key: 'closing.exported' });
    host.say({ tone: 'ok', key: 'closing.exported' });
    return;
  }
  if (!s.values.ack) {
    host.dlg.setStatus('dialog', { tone: 'error', key: 'closing.ack_required' });
    return;
  }
  const closed = await req(host, (c) => c.closeAccount());
  if (!closed) return;
  host.closeDialog();
  host.emit('jd-account-closed', { closesAt: closed.closesAt });
  host.signedOut();
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  if (s.step === 'export_data') return { body: html`<p>${v.t('closing.export_lead')}</p>`, submit: 'closing.download' };
  const days = v.config?.accountClosing?.coolingOffDays ?? 15;
  return {
    body: html`<p>${v.t('closing.lead')}</p>
      <ul class="closing-facts" part="hint">
        <li>${v.t('closing.fact_sub_users')}</li>
        <li>${v.t('closing.fact_sessions')}</li>
        <li>${v.t('closing.fact_release', { days })}</li>
        <li>${v.t('closing.fact_cancel', { days })}</li>
      </ul>
      ${checkbox(v, 'ack', 'closing.understand')}`,
    submit: 'closing.confirm',
  };
}
