/**
 * Step 1: region, number, the code row, and the one consent line (docs/product.md#6-registration).
 * It loads with <jd-register>, with its actions: sending the code (and following its delivery),
 * checking it, and keeping the step in this tab's sessionStorage while the code is valid.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import {
  CODE_PATTERN,
  CODE_RESEND_SECONDS,
  CODE_TTL_SECONDS,
  type CodeChannel,
} from '../../../../shared/src/rules/code.ts';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../../shared/src/rules/phone-regions.ts';
import type { DeliveryStatus, JdClient } from '../../client.ts';
import type { FlowFieldError } from '../../flow.ts';
import { renderOtpInput } from '../../parts/otp-input.ts';
import { renderRegionOptions } from '../../parts/phone-input.ts';
import { safeUrl, tWith } from '../../parts/text.ts';
import { CONTROL_ID, loadPhoneStep, savePhoneStep, type RegisterField } from './state.ts';
import {
  busyAttrs,
  describedBy,
  describedByIds,
  invalid,
  renderActionStatus,
  renderFieldError,
  renderStepTitle,
  type RegisterHost,
  type RegisterView,
} from './view.ts';
import { renderSendCode } from '../../parts/send-code.ts';

/** POST /v1/verification-codes/check's answer (bff/src/services/code-check.ts). */
interface CodeCheck {
  valid: true;
  phoneInUse: boolean;
}

/**
 * The client's transport, for the one endpoint it has no method for yet (POST
 * /v1/verification-codes/check): the same headers, credentials and error mapping as every call.
 */
type Transport = { request<T>(method: string, path: string, body?: unknown): Promise<T> };

// ---- come back later ----------------------------------------------------------------------------

/** Step 1 from this tab's sessionStorage: within the code's validity, continue where the user left. */
export function restorePhoneStep(host: RegisterHost, regions: PhoneRegion[]): void {
  const pk = host.publishableKey;
  if (!pk || host.flow.state.step !== 'phone') return;
  const saved = loadPhoneStep(pk);
  if (!saved || !regions.includes(saved.region)) return;
  const { region, phone, code, channel, accepted } = saved;
  host.values = { ...host.values, region, phone, code, channel, accepted };
  host.codeExpiresAt = saved.expiresAt;
  // no focus move on page load: patch, not go (flow.ts)
  if (saved.verified) host.flow.patch({ step: 'account', phoneInUse: saved.phoneInUse });
}

function remember(host: RegisterHost, verified: boolean, phoneInUse = false): void {
  const pk = host.publishableKey;
  if (!pk) return;
  const { region, phone, code, channel, accepted } = host.values;
  const expiresAt = host.codeExpiresAt ?? Date.now() + CODE_TTL_SECONDS * 1000;
  savePhoneStep(pk, { region, phone, code, channel, accepted, expiresAt, verified, phoneInUse });
}

/** A step-1 value changed after a code was sent: what is stored no longer matches (not verified). */
export function rememberIfSent(host: RegisterHost): void {
  if (host.codeExpiresAt !== undefined && host.codeExpiresAt > Date.now()) remember(host, false);
}

// ---- validation (shared rules, the same the BFF runs) --------------------------------------------

function checkPhone(host: RegisterHost): Partial<Record<RegisterField, FlowFieldError>> {
  const { region, phone } = host.values;
  if (!host.regions.includes(region)) return { 'phone.region': { code: 'phone_region_not_allowed' } };
  if (!phone.trim()) return { 'phone.number': { code: 'required' } };
  if (!looksLikeMobile(region, phone)) return { 'phone.number': { code: 'phone_invalid' } };
  return {};
}

function checkCode(host: RegisterHost): FlowFieldError | undefined {
  const code = host.values.code.trim();
  if (!code) return { code: 'required' };
  return CODE_PATTERN.test(code) ? undefined : { code: 'code_format' };
}

// ---- Next: the code checked, then step 2 -----------------------------------------------------------

async function checkPhoneStep(host: RegisterHost): Promise<void> {
  const client = host.client;
  if (!client || host.flow.isBusy()) return;
  const accepted = host.values.accepted || !host.config?.agreements.length;
  if (
    host.showErrors({
      ...checkPhone(host),
      code: checkCode(host),
      agreements: accepted ? undefined : { code: 'agreements_required' },
    })
  )
    return;
  // the user asked for step 2: its module loads while the code is checked
  void host.steps.load('account').catch(() => {});
  const { region, phone, code } = host.values;
  const answer = await host.flow.run(
    'next',
    () =>
      (client as unknown as Transport).request<CodeCheck>('POST', '/verification-codes/check', {
        phone: { region, number: nationalDigits(region, phone) },
        code: code.trim(),
        purpose: 'register',
      }),
    (err) => host.placeError(err),
  );
  if (!answer) return;
  remember(host, true, answer.phoneInUse);
  host.delivery.stop();
  host.flow.go({ step: 'account', phoneInUse: answer.phoneInUse });
}

// ---- the code -----------------------------------------------------------------------------------

async function sendCode(host: RegisterHost): Promise<void> {
  const client = host.client;
  if (!client || host.flow.isBusy() || host.countdown.running) return;
  host.delivery.stop();
  host.failedChannel = undefined;
  host.flow.clearField('code');
  if (host.showErrors(checkPhone(host))) return;
  const { region, phone, channel } = host.values;
  const sent = await host.flow.run(
    'send',
    () => client.sendCode({ phone: { region, number: nationalDigits(region, phone) }, purpose: 'register', channel }),
    (err) => {
      if (err.code === 'code_cooldown' && typeof err.params?.['seconds'] === 'number') {
        host.countdown.start(err.params['seconds']);
      }
      return host.placeError(err);
    },
  );
  if (!sent) return;
  host.codeExpiresAt = Date.now() + (sent.expiresIn > 0 ? sent.expiresIn : CODE_TTL_SECONDS) * 1000;
  host.countdown.start(sent.resendAfter > 0 ? sent.resendAfter : CODE_RESEND_SECONDS);
  host.flow.setStatus('send', {
    tone: 'info',
    key: sent.channel === 'voice' ? 'register.code_sent_voice' : 'register.code_sent_sms',
    params: { phone: sent.sentTo },
  });
  remember(host, false);
  if (typeof sent.deliveryId === 'string' && sent.deliveryId)
    host.delivery.start(client, sent.deliveryId, (d) => deliveryDone(host, d, sent.sentTo));
  // next: the code (also keeps keyboard focus off the now-disabled button)
  await host.focusAfterRender(`#${CONTROL_ID.code}`);
}

function switchChannel(host: RegisterHost, to: CodeChannel): void {
  host.values = { ...host.values, channel: to };
  host.failedChannel = undefined;
  void sendCode(host);
}

/** What the element that polls a code's delivery offers (<jd-register>'s public poll settings). */
export interface DeliveryPollHost extends ReactiveControllerHost {
  readonly isConnected: boolean;
  /** how often the delivery status is polled, in ms */
  deliveryPollMs: number;
  /** how long it is polled at most, in ms */
  deliveryPollMaxMs: number;
}

/** Polls GET /v1/deliveries/:id until the code was sent or failed, the time is up, or it is stopped (also when the element leaves the page). */
export class DeliveryPoll implements ReactiveController {
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly el: DeliveryPollHost) {
    el.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  stop(): void {
    this.seq++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  start(client: JdClient, id: string, done: (d: DeliveryStatus) => void): void {
    this.stop();
    const seq = this.seq;
    const el = this.el;
    const until = Date.now() + el.deliveryPollMaxMs;
    const tick = async (): Promise<void> => {
      this.timer = undefined;
      if (seq !== this.seq || !el.isConnected) return;
      let d: DeliveryStatus | undefined;
      try {
        d = await client.deliveryStatus(id);
      } catch {
        // A status we cannot read is no news: try again at the next tick.
      }
      if (seq !== this.seq || !el.isConnected) return;
      if (d?.status === 'sent' || d?.status === 'failed') {
        this.stop();
        done(d);
        return;
      }
      if (Date.now() + el.deliveryPollMs <= until) this.timer = setTimeout(() => void tick(), el.deliveryPollMs);
    };
    this.timer = setTimeout(() => void tick(), el.deliveryPollMs);
  }
}

function deliveryDone(host: RegisterHost, d: DeliveryStatus, sentTo: string): void {
  const channel: CodeChannel = d.channel === 'voice' ? 'voice' : 'sms';
  if (d.status === 'sent') {
    host.flow.setStatus('send', {
      tone: 'ok',
      key: channel === 'voice' ? 'delivery.sent_voice' : 'delivery.sent_sms',
      params: { phone: sentTo },
    });
    return;
  }
  // Not delivered: let the user send again right away, or by the other channel.
  host.countdown.stop();
  host.failedChannel = channel;
  host.flow.setStatus('send', {
    tone: 'error',
    key: channel === 'voice' ? 'delivery.failed_voice' : 'delivery.failed_sms',
  });
}

// ---- render -------------------------------------------------------------------------------------

function renderConsent(v: RegisterView): TemplateResult {
  const locale = v.locale;
  const links: (TemplateResult | string)[] = [];
  v.config.agreements.forEach((a, i) => {
    if (i > 0) links.push(v.t('register.list_separator'));
    const title = a.title[locale] ?? a.title.en;
    const href = safeUrl(a.url[locale] ?? a.url.en);
    links.push(
      href
        ? html`<a href=${href} target="_blank" rel="noopener noreferrer" part="link" data-agreement=${a.key}>${locale === 'zh-CN' ? `《${title}》` : title}</a>`
        : locale === 'zh-CN'
          ? `《${title}》`
          : title,
    );
  });
  const id = CONTROL_ID.agreements;
  return html`<div class="field">
    <label class="choice consent" for=${id} part="label">
      <input id=${id} type="checkbox" name="agreements" .checked=${v.values.accepted} aria-invalid=${invalid(v, 'agreements') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'agreements')} @change=${(e: Event) => v.edit('agreements', { accepted: (e.target as HTMLInputElement).checked })} /><span>${tWith(locale, 'register.agree_all', 'title', html`${links}`)}</span>
    </label>
    ${renderFieldError(v, 'agreements')}
  </div>`;
}

function renderSwitchChannel(v: RegisterView): TemplateResult | typeof nothing {
  const failed = v.failedChannel;
  if (!failed) return nothing;
  const to = failed === 'sms' ? 'voice' : 'sms';
  return html`<button id="jd-switch-channel" type="button" class="btn-link" part="button switch-channel" data-channel=${to} ?disabled=${v.flow.isBusy()} @click=${() => switchChannel(v.host, to)}>
    ${v.t(to === 'voice' ? 'delivery.switch_to_voice' : 'delivery.switch_to_sms')}
  </button>`;
}

export function renderPhoneStep(v: RegisterView): TemplateResult {
  const regionId = CONTROL_ID['phone.region'];
  const phoneId = CONTROL_ID['phone.number'];
  const codeId = CONTROL_ID.code;
  const send = busyAttrs(v, 'send');
  const next = busyAttrs(v, 'next');
  return html`<section class="step" part="section" aria-labelledby="jd-step-phone" data-step="phone">
    ${renderStepTitle('jd-step-phone', v.t('register.step1_title'))}
    <form part="form" novalidate @submit=${(e: Event) => {
      e.preventDefault();
      void checkPhoneStep(v.host);
    }}>
      <div class="field">
        <label class="label" for=${regionId} part="label">${v.t('register.region')}</label>
        <select id=${regionId} name="region" part="input" autocomplete="tel-country-code" aria-invalid=${invalid(v, 'phone.region') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.region')} @change=${(
          e: Event,
        ) => {
          const value = (e.target as HTMLSelectElement).value;
          if (isPhoneRegion(value)) v.edit('phone.region', { region: value });
        }}>
          ${renderRegionOptions(v.locale, v.regions, v.values.region)}
        </select>
        ${renderFieldError(v, 'phone.region')}
      </div>
      <div class="field">
        <label class="label" for=${phoneId} part="label">${v.t('register.phone')}</label>
        <input id=${phoneId} name="phone" part="input" type="tel" inputmode="tel" autocomplete="tel-national" .value=${v.values.phone} aria-invalid=${invalid(v, 'phone.number') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'phone.number', `${phoneId}-hint`)} @input=${(e: Event) => v.edit('phone.number', { phone: (e.target as HTMLInputElement).value })} />
        <p id="${phoneId}-hint" class="hint" part="hint">${v.t('register.phone_hint')}</p>
        ${renderFieldError(v, 'phone.number')}
      </div>
      <div class="field">
        <label class="label" for=${codeId} part="label">${v.t('register.code')}</label>
        <div class="code-row">
          ${renderOtpInput({
            id: codeId,
            value: v.values.code,
            invalid: invalid(v, 'code'),
            describedBy: describedByIds(v, 'code'),
            onInput: (code) => v.edit('code', { code }),
          })}
          ${renderSendCode({
            id: 'jd-send-code',
            wait: v.resendIn,
            busy: send.busy,
            disabled: send.disabled,
            label: v.t('register.send_code'),
            waitLabel: (seconds) => v.t('register.resend_in', { seconds }),
            onSend: () => void sendCode(v.host),
          })}
        </div>
        ${renderActionStatus(v, 'send')} ${renderFieldError(v, 'code')} ${renderSwitchChannel(v)}
        <div class="channel" role="radiogroup" aria-label=${v.t('register.channel')}>
          ${(['sms', 'voice'] as const).map(
            (ch) => html`<label class="choice" for="jd-channel-${ch}" part="label">
              <input id="jd-channel-${ch}" type="radio" name="channel" value=${ch} .checked=${v.values.channel === ch} @change=${() => v.edit('channel', { channel: ch })} />${v.t(ch === 'sms' ? 'register.channel_sms' : 'register.channel_voice')}
            </label>`,
          )}
        </div>
      </div>
      ${renderConsent(v)}
      <div class="actions">
        <button type="submit" class="btn-primary" part="submit" aria-busy=${next.busy ? 'true' : 'false'} ?disabled=${next.disabled}>${v.t('register.next')}</button>
      </div>
      ${renderActionStatus(v, 'next')}
    </form>
  </section>`;
}
