/**
 * What the code steps of <jd-login> share (unlock.ts, reset-password.ts, phone-code.ts): the
 * channel choice, the "Send code" button with its countdown, and the send's status right after it
 * (docs/elements.md: feedback next to its action). Imported by those step modules only, so it
 * loads with the first of them, never with the sign-in form.
 */
import { html, type TemplateResult } from 'lit';
import type { CodeDeliveryChannel } from '../../../../shared/src/rules/code.ts';
import { renderChoice } from '../../parts/choice.ts';
import { renderSendCode } from '../../parts/send-code.ts';
import { status, type LoginView } from './view.ts';

export function renderCodeDelivery<C extends CodeDeliveryChannel>(
  v: LoginView,
  o: { sendId: string; channels: readonly C[]; channel: C; onChannel: (c: C) => void; onSend: () => void },
): TemplateResult {
  const host = v.host;
  const label = (c: CodeDeliveryChannel) =>
    v.t(c === 'sms' ? 'register.channel_sms' : c === 'voice' ? 'register.channel_voice' : 'login.unlock_email');
  return html`${renderChoice<C>(
    'channel',
    v.t('register.channel'),
    o.channels.map((c) => [c, label(c)] as [C, string]),
    o.channel,
    o.onChannel,
  )}
    <div class="code-row">
      ${renderSendCode({
        id: o.sendId,
        wait: host.countdown.running ? host.countdown.remaining : 0,
        busy: v.flow.isBusy('sendCode'),
        disabled: v.flow.isBusy(),
        label: v.t('register.send_code'),
        waitLabel: (seconds) => v.t('register.resend_in', { seconds }),
        onSend: o.onSend,
      })}
    </div>
    ${status(v, 'sendCode')}`;
}
