/**
 * What the code steps of <jd-login> share (unlock.ts, reset-password.ts, phone-code.ts): the
 * channel choice, the "Send code" button with its countdown, and the send's status right after it
 * (docs/elements.md: feedback next to its action). Imported by those step modules only, so it
 * loads with the first of them, never with the sign-in form.
 */
import { html, type TemplateResult } from 'lit';
import type { MessageKey } from '../../../../shared/src/i18n/index.ts';
import { CODE_RESEND_SECONDS, type CodeDeliveryChannel } from '../../../../shared/src/rules/code.ts';
import type { JdApiError } from '../../client.ts';
import { renderChoice } from '../../parts/choice.ts';
import { renderSendCode } from '../../parts/send-code.ts';
import { status, type LoginHost, type LoginView } from './view.ts';

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

/**
 * "Send code": the request, then the countdown to the next one and `sentKey` right after the
 * button; refused with a wait (code_cooldown, too_many_attempts), the button counts down those
 * seconds; field errors go where `atFields` puts them (true: handled).
 */
export async function sendCode(
  host: LoginHost,
  request: () => Promise<{ resendAfter: number }>,
  sentKey: MessageKey,
  atFields: (err: JdApiError) => boolean,
): Promise<void> {
  const sent = await host.run('sendCode', request, (err) => {
    const seconds = err.params?.['seconds'];
    if (typeof seconds === 'number') host.countdown.start(seconds);
    return atFields(err);
  });
  if (!sent) return;
  host.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
  host.flow.setStatus('sendCode', { tone: 'ok', key: sentKey });
}
