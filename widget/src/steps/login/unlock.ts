/**
 * The unlock step (docs/product.md#17-attempt-limits-and-lockout) as a step module (view.ts): the
 * identifier, the channel, "Send code" (its note right after it; the BFF answers alike for any
 * identifier, so the note says "if this account is locked"), the code, "Unlock", "Back". Then the
 * sign-in form again, with the password cleared. Also "Cancel closing" (cancelClosing), the way
 * out of `account_closing` beside the lock's.
 */
import { css, html, type TemplateResult } from 'lit';
import { CODE_PATTERN, type CodeDeliveryChannel } from '../../../../shared/src/rules/code.ts';
import { choiceStyles } from '../../parts/choice.ts';
import { renderCodeDelivery, sendCode as requestCode } from './code-delivery.ts';
import { field, status, step, submit, type LoginHost, type LoginView } from './view.ts';

// the channel choice and the code row; "Send code" is as wide as its text
export const styles = [choiceStyles, css`#jd-unlock-send{justify-self:start}`];

/** The sign-in form again: after unlocking (it says so), or "Back" (the lock message again). */
function closeUnlock(host: LoginHost, unlocked = false): void {
  const cur = host.flow.state;
  const back = cur.step === 'unlock' ? cur.back : undefined;
  host.countdown.stop();
  host.forget();
  host.flow.go({ step: 'credentials', sub: false });
  host.flow.setStatus('signIn', unlocked ? { tone: 'ok', key: 'login.unlocked' } : back);
}

/**
 * "Cancel closing" under `account_closing` (docs/product.md#24-closing-an-account): the typed
 * identifier and password cancel the closing; true when the element should now sign in.
 */
export async function cancelClosing(host: LoginHost): Promise<boolean> {
  const cur = host.flow.state;
  if (!host.client || cur.step !== 'credentials' || cur.sub || host.flow.isBusy()) return false;
  const client = host.client;
  const body = { identifier: host.value('identifier').trim(), password: host.value('password') };
  if (!(await host.run('signIn', () => client.cancelClosing(body)))) return false;
  host.flow.setStatus('signIn', { tone: 'ok', key: 'closing.cancelled' });
  return true;
}

async function sendUnlockCode(host: LoginHost): Promise<void> {
  const cur = host.flow.state;
  if (!host.client || cur.step !== 'unlock' || host.countdown.running) return;
  const identifier = host.value('identifier').trim();
  if (host.invalid(identifier ? {} : { identifier: { code: 'required' } })) return;
  const client = host.client;
  await requestCode(
    host,
    () => client.sendUnlockCode({ identifier, channel: cur.channel }),
    'login.unlock_sent',
    (err) => {
      const f = err.fields.find((i) => i.path === 'identifier');
      if (f) host.invalid({ identifier: { code: f.code, params: f.params } });
      return !!f;
    },
  );
}

/** "Unlock": the code lifts the lock; a wrong one is said at the code field. */
async function unlock(host: LoginHost, e: Event): Promise<void> {
  e.preventDefault();
  if (!host.client || host.flow.state.step !== 'unlock') return;
  const identifier = host.value('identifier').trim();
  const code = host.value('unlockCode').trim();
  if (
    host.invalid({
      ...(identifier ? {} : { identifier: { code: 'required' } }),
      ...(CODE_PATTERN.test(code) ? {} : { unlockCode: { code: code ? 'code_format' : 'required' } }),
    })
  )
    return;
  const client = host.client;
  const done = await host.run(
    'unlock',
    () => client.unlock({ identifier, code }),
    (err) => {
      if (err.status !== 400) return false;
      // code_invalid (wrong, expired, or no lock to lift: one answer) at the code; a malformed identifier at it
      const f = err.fields[0];
      const error = f ?? err;
      host.invalid({
        [f?.path === 'identifier' ? 'identifier' : 'unlockCode']: { code: error.code, params: error.params },
      });
      return true;
    },
  );
  if (done) closeUnlock(host, true);
}

export function renderUnlock(v: LoginView, channel: CodeDeliveryChannel): TemplateResult {
  const host = v.host;
  const form = html`<form part="form unlock" novalidate @submit=${(e: Event) => void unlock(host, e)}>
    ${field(v, { field: 'identifier', label: 'login.identifier', autocomplete: 'username', id: 'jd-unlock-identifier' })}
    ${renderCodeDelivery(v, {
      sendId: 'jd-unlock-send',
      channels: ['sms', 'voice', 'email'],
      channel,
      onChannel: (c) => {
        if (host.flow.state.step === 'unlock') host.flow.patch({ channel: c });
      },
      onSend: () => void sendUnlockCode(host),
    })}
    ${field(v, { field: 'unlockCode', label: 'register.code', type: 'otp', id: 'jd-unlock-code' })}
    <div class="actions">
      ${submit(v, 'unlock', 'login.unlock_submit')}
      <button type="button" class="btn-secondary" part="button cancel" @click=${() => closeUnlock(host)}>${v.t('login.unlock_back')}</button>
    </div>
    ${status(v, 'unlock')}
  </form>`;
  return step('jd-unlock-title', v.t('login.unlock_title'), form);
}
