/**
 * The virtual MFA device (docs/product.md#11-virtual-mfa) as a step module (view.ts): binding (the
 * QR code and key, then the app's first code), the new recovery codes (shown once), unbinding, and
 * a signed-in sub-user's own binding after re-entering its password (no recovery codes). Loaded
 * when an MFA dialog first reaches it.
 */
import { html } from 'lit';
import { renderMfaSecret } from '../../parts/mfa-secret.ts';
import { renderRecoveryCodes } from './recovery-codes.ts';
import styles from './recovery-codes.css.ts';
import {
  checkbox,
  codeErrors,
  codeInput,
  go,
  input,
  open,
  req,
  required,
  valid,
  value,
  type Errors,
  type OpenDialog,
  type SecurityHost,
  type SecurityView,
  type StepView,
} from './fields.ts';
import { statusLine } from './view.ts';

/** The recovery codes' two-column grid, and the codes and key set in monospace. */
export { styles };

/** After identity verification: the setup to bind (QR code, key), or new recovery codes. */
export async function prepare(host: SecurityHost): Promise<void> {
  const d = open(host)?.dialog;
  if (d === 'mfa_codes') {
    const r = await req(host, (c) => c.regenerateRecoveryCodes());
    if (r) await showCodes(host, r.recoveryCodes);
  } else if (d === 'mfa_bind') {
    const setup = await req(host, (c) => c.mfaSetup());
    if (setup) go(host, 'qr', { setup });
  }
}

/** New recovery codes (MFA bound, or regenerated): shown once; the page already reflects the change. */
async function showCodes(host: SecurityHost, codes: string[]): Promise<void> {
  go(host, 'codes', { codes, setup: undefined });
  await host.refresh();
  host.emit('jd-security-change', { what: 'mfa', overview: host.overview });
}

function codesText(host: SecurityHost): string {
  const s = open(host);
  return s?.step === 'codes' ? (s.codes ?? []).join('\n') : '';
}

async function copyCodes(host: SecurityHost): Promise<void> {
  try {
    await navigator.clipboard.writeText(codesText(host));
    host.dlg.setStatus('codes', { tone: 'ok', key: 'mfa.copied' });
  } catch {
    /* no clipboard access: the codes stay on screen and can be downloaded */
  }
}

/** A .txt of the codes through a Blob link (no data: URL: some browsers block those downloads). */
function downloadCodes(host: SecurityHost): void {
  const url = URL.createObjectURL(new Blob([codesText(host) + '\n'], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'recovery-codes.txt';
  host.root.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s) return;
  const errors: Errors = s.step === 'qr' ? codeErrors(host) : {};
  if (s.step === 'own_pw') required(host, 'currentPassword', errors);
  if (!valid(host, errors)) return;
  const code = value(host, 'code').trim();
  if (s.step === 'own_pw') {
    const setup = await req(host, (c) => c.subUserMfaSetup(value(host, 'currentPassword')));
    if (setup) go(host, 'qr', { setup });
  } else if (s.step === 'qr' && !host.overview) {
    // a sub-user's own device: bound, no recovery codes (the success text says so)
    const own = await req(host, (c) => c.subUserMfaConfirm(code));
    if (!own) return;
    host.closeDialog();
    host.page.go({ step: 'subUser', own });
    host.page.setStatus('row-mfa', { tone: 'ok', key: 'subuser.mfa_saved' });
    host.say({ tone: 'ok', key: 'subuser.mfa_saved' });
    host.emit('jd-security-change', { what: 'mfa', overview: undefined });
  } else if (s.step === 'qr') {
    const r = await req(host, (c) => c.mfaConfirm(code));
    if (r) await showCodes(host, r.recoveryCodes);
  } else if (s.step === 'unbind') {
    const overview = await req(host, (c) => c.unbindMfa());
    if (overview) await host.saved('mfa', 'security.saved', overview);
  } else host.closeDialog(); // the codes: "Done"
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  switch (s.step) {
    case 'qr':
      return { body: html`${renderMfaSecret(v.locale, s.setup!)} ${codeInput(v)}`, submit: 'security.confirm' };
    case 'codes':
      return {
        body: html`${renderRecoveryCodes(v.locale, s.codes ?? [], { copy: () => void copyCodes(v.host), download: () => downloadCodes(v.host) })}
        ${statusLine(v, v.dlg.statusOf('codes'))}
        ${checkbox(v, 'ack', 'mfa.saved_them')}`,
        submit: 'mfa.done',
      };
    case 'own_pw':
      // a sub-user has no contacts to step up with: it re-enters its password first
      return {
        body: html`<p id="jd-own-intro">${v.t('subuser.mfa_password')}</p>
        ${input(v, 'currentPassword', 'login.password', 'password', 'current-password', ['jd-own-intro'])}`,
        submit: 'security.next',
      };
    default:
      return { body: html`<p>${v.t('mfa.unbind_confirm')}</p>`, submit: 'mfa.unbind' };
  }
}
