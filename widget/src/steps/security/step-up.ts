/**
 * Verifying the user's identity before a change (docs/product.md#10-changing-identity-verification-methods)
 * as a step module (view.ts): the methods left (a code to the security phone, by SMS or voice, or
 * email; or the MFA app's code, asked for at once), "I can't use any of these" under them, the code
 * sent, and the tenant's support channels when no method is left. Loaded when a dialog first asks for it.
 */
import { html, nothing } from 'lit';
import type { SecurityOverview, StepUpMethod } from '../../../../shared/src/api.ts';
import { renderChoice } from '../../parts/choice.ts';
import { renderCannotUse, renderStepUpSupport } from './support.ts';
import {
  afterStepUp,
  channel,
  channelChoice,
  codeErrors,
  codeInput,
  codeSent,
  go,
  goKeepingSent,
  method,
  open,
  req,
  valid,
  value,
  type OpenDialog,
  type SecurityHost,
  type SecurityView,
  type StepView,
} from './fields.ts';

/** Sends the step-up code (never for TOTP: its code is in the user's app). */
async function send(host: SecurityHost): Promise<boolean> {
  const vals = open(host)?.values ?? {};
  const m = method(vals);
  const sent = await req(host, (c) =>
    c.stepUpStart({ method: m, ...(m === 'phone' ? { channel: channel(vals) } : {}) }),
  );
  if (sent) codeSent(host, sent);
  return !!sent;
}

/** The methods: "Send code" (then the code sent), or the app's code at once; verified, the dialog's next step. */
export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s || s.step === 'support') return;
  const m = method(s.values);
  if (!valid(host, s.step === 'step_up' || m === 'totp' ? codeErrors(host) : {})) return;
  if (s.step === 'method' && m !== 'totp') {
    if (await send(host)) goKeepingSent(host, 'step_up');
    return;
  }
  const code = value(host, 'code').trim();
  const r = await req(host, (c) => c.stepUpVerify({ method: m, code }));
  if (!r) return;
  const p = host.page.state;
  if (p.step === 'primary') host.page.patch({ overview: { ...p.overview, stepUp: r.stepUp } });
  host.countdown.stop();
  host.dlg.setStatus('dialog', undefined);
  await afterStepUp(host);
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  // only a primary account's dialogs verify identity
  const o = v.overview!;
  return s.step === 'method'
    ? renderMethod(v, o)
    : s.step === 'step_up'
      ? { body: codeInput(v, () => send(v.host)), submit: 'security.next' }
      : {
          body: html`${renderStepUpSupport(v.locale, o.supportChannels, !o.stepUpMethods.length)}
          ${
            o.securityPhone
              ? html`<button type="button" class="btn-link link-button" part="button" data-action="phone-apply" @click=${() => void v.host.steps.load('phoneApply').then((m) => m.start(v.host))}>${v.t('security.lost_phone_apply')}</button>`
              : nothing
          }`,
        };
}

function renderMethod(v: SecurityView, o: SecurityOverview): StepView {
  const m = method(v.values);
  const label = (m: StepUpMethod): [StepUpMethod, string] => [
    m,
    m === 'totp'
      ? v.t('security.method_totp')
      : v.t(`security.method_${m}`, { to: (m === 'phone' ? o.securityPhone : o.securityEmail)?.value ?? '' }),
  ];
  return {
    body: html`${renderChoice('method', v.t('security.step_up_intro'), o.stepUpMethods.map(label), m, (m) => v.act.set('method', m))}
      ${m === 'phone' ? channelChoice(v) : m === 'totp' ? codeInput(v) : nothing}
      ${renderCannotUse(v.locale, () => go(v.host, 'support'))}`,
    submit: m === 'totp' ? 'security.next' : 'register.send_code',
  };
}
