import { html, type TemplateResult } from 'lit';
import type { CodeDeliveryChannel } from '../../../../shared/src/rules/code.ts';
import { renderChoice } from '../../parts/choice.ts';
import { field, status, step, submit, type LoginView } from './view.ts';

/**
 * The unlock step (docs/product.md#17-attempt-limits-and-lockout): the identifier, the channel,
 * "Send code" (its note right after it), the code, "Unlock", "Back".
 */
export function renderUnlock(v: LoginView, channel: CodeDeliveryChannel): TemplateResult {
  const wait = v.act.resendIn;
  const sending = v.flow.isBusy('sendCode');
  const form = html`<form part="form unlock" novalidate @submit=${v.act.unlock}>
    ${field(v, { field: 'identifier', label: 'login.identifier', autocomplete: 'username', id: 'jd-unlock-identifier' })}
    ${renderChoice<CodeDeliveryChannel>(
      'channel',
      v.t('register.channel'),
      [
        ['sms', v.t('register.channel_sms')],
        ['voice', v.t('register.channel_voice')],
        ['email', v.t('login.unlock_email')],
      ],
      channel,
      v.act.setChannel,
    )}
    <div class="code-row">
      <button id="jd-unlock-send" type="button" class="btn-secondary send-code" part="button send-code" ?disabled=${wait > 0 || v.flow.isBusy()} aria-busy=${sending ? 'true' : 'false'} @click=${v.act.sendUnlockCode}>
        ${wait > 0 ? v.t('register.resend_in', { seconds: wait }) : v.t('register.send_code')}
      </button>
    </div>
    ${status(v, 'sendCode')}
    ${field(v, { field: 'unlockCode', label: 'register.code', type: 'otp', id: 'jd-unlock-code' })}
    <div class="actions">
      ${submit(v, 'unlock', 'login.unlock_submit')}
      <button type="button" class="btn-secondary" part="button cancel" @click=${v.act.closeUnlock}>${v.t('login.unlock_back')}</button>
    </div>
    ${status(v, 'unlock')}
  </form>`;
  return step('jd-unlock-title', v.t('login.unlock_title'), form);
}
