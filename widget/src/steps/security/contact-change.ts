/**
 * A new security or contact phone (region, number, SMS or voice) or email
 * (docs/product.md#8-security-and-contact-phones-and-emails) and the code sent there, as a step
 * module (view.ts); a first or unverified security email (`add_email`) is confirmed by a link
 * instead of a code. Loaded when a change dialog first reaches it.
 */
import { html, nothing } from 'lit';
import {
  isPhoneRegion,
  looksLikeMobile,
  nationalDigits,
  type PhoneRegion,
} from '../../../../shared/src/rules/phone-regions.ts';
import { emailProblem } from '../../../../shared/src/rules/email.ts';
import type { TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import { renderRegionOptions, tenantRegions } from '../../parts/phone-input.ts';
import type { Dialog, Values } from './state.ts';
import {
  channel,
  channelChoice,
  codeErrors,
  codeInput,
  codeSent,
  go,
  goKeepingSent,
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

const kindOf = (d: Dialog): 'phone' | 'email' => (d === 'security_phone' || d === 'contact_phone' ? 'phone' : 'email');
const roleOf = (d: Dialog): 'security' | 'contact' =>
  d === 'contact_phone' || d === 'contact_email' ? 'contact' : 'security';

/** The chosen region if the tenant accepts it, else the tenant's first region. */
function regionOf(config: TenantPublicConfig | undefined, vals: Values): PhoneRegion {
  const regions = tenantRegions(config?.phoneRegions);
  const r = vals.region;
  return isPhoneRegion(r) && regions.includes(r) ? r : regions[0];
}

function target(
  host: SecurityHost,
  s: OpenDialog,
): { phone: { region: PhoneRegion; number: string } } | { email: string } {
  const region = regionOf(host.config, s.values);
  return kindOf(s.dialog) === 'phone'
    ? { phone: { region, number: nationalDigits(region, value(host, 'phone')) } }
    : { email: value(host, 'email').trim() };
}

async function send(host: SecurityHost): Promise<boolean> {
  const s = open(host);
  if (!s) return false;
  const kind = kindOf(s.dialog);
  const body = {
    kind,
    role: roleOf(s.dialog),
    ...target(host, s),
    ...(kind === 'phone' ? { channel: channel(s.values) } : {}),
  };
  const sent = await req(host, (c) => c.contactStart(body));
  if (sent) codeSent(host, sent);
  return !!sent;
}

export async function submit(host: SecurityHost): Promise<void> {
  const s = open(host);
  if (!s) return;
  const kind = kindOf(s.dialog);
  const errors: Errors = {};
  if (s.step === 'value' && !required(host, kind, errors)) {
    const problem =
      kind === 'phone'
        ? looksLikeMobile(regionOf(host.config, s.values), value(host, 'phone'))
          ? undefined
          : 'phone_invalid'
        : emailProblem(value(host, 'email'));
    if (problem) errors[kind] = { code: problem };
  }
  if (!valid(host, s.step === 'code' ? codeErrors(host) : errors)) return;
  if (s.step === 'value' && s.dialog === 'add_email') {
    const sent = await req(host, (c) => c.setSecurityEmail(value(host, 'email').trim()));
    if (!sent) return;
    go(host, 'link');
    host.dlg.setStatus('dialog', { tone: 'ok', key: 'security.link_sent', params: { to: sent.sentTo } });
    await host.refresh();
    host.emit('jd-security-change', { what: 'security_email', overview: host.overview });
  } else if (s.step === 'value') {
    if (await send(host)) goKeepingSent(host, 'code');
  } else {
    const body = { kind, role: roleOf(s.dialog), ...target(host, s), code: value(host, 'code').trim() };
    const overview = await req(host, (c) => c.contactConfirm(body));
    if (overview) await host.saved(s.dialog as 'security_phone', 'security.saved', overview);
  }
}

export function render(v: SecurityView, s: OpenDialog): StepView {
  if (s.step === 'code') return { body: codeInput(v, () => send(v.host)), submit: 'security.confirm' };
  if (kindOf(s.dialog) === 'email') {
    return {
      body: input(v, 'email', 'security.new_email', 'email', 'email'),
      submit: s.dialog === 'add_email' ? 'security.confirm' : 'register.send_code',
    };
  }
  const security = roleOf(s.dialog) === 'security';
  return {
    body: html`<div class="field">
      <label for="jd-region" part="label">${v.t('register.region')}</label>
      <select id="jd-region" name="region" part="input" autocomplete="tel-country-code" @change=${(e: Event) => v.act.set('region', (e.target as HTMLSelectElement).value)}>
        ${renderRegionOptions(v.locale, tenantRegions(v.config?.phoneRegions), regionOf(v.config, v.values))}
      </select>
    </div>
    ${input(v, 'phone', 'security.new_phone', 'tel', 'tel', security ? ['jd-login-hint'] : [])}
    ${security ? html`<p id="jd-login-hint" class="hint" part="hint">${v.t('security.login_may_change')}</p>` : nothing}
    ${channelChoice(v)}`,
    submit: 'register.send_code',
  };
}
