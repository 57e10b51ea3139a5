/**
 * Step 3 as a step module (view.ts): enable the service (seed 003): the contact phone (the
 * security phone unless changed later in the security settings), an optional email (its 2-hour
 * link is sent) and an optional referral code, then Submit — which registers and signs in — and
 * the confirmation after it. Loaded when the flow first reaches step 3.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { RegisterRequest, SignedIn } from '../../../../shared/src/api.ts';
import { normalizeAccountName } from '../../../../shared/src/rules/account-name.ts';
import { emailProblem } from '../../../../shared/src/rules/email.ts';
import { DIAL_CODES, nationalDigits } from '../../../../shared/src/rules/phone-regions.ts';
import { CONTROL_ID } from './state.ts';
import {
  busyAttrs,
  describedBy,
  invalid,
  renderActionStatus,
  renderFieldError,
  renderPhoneInUse,
  renderStepTitle,
  type RegisterHost,
  type RegisterView,
} from './view.ts';

const REFERRAL = /^[A-Za-z0-9_-]{0,32}$/;

/** Register: the optional fields checked here first, then POST /v1/accounts with all three steps. */
async function register(host: RegisterHost): Promise<void> {
  const client = host.client;
  const config = host.config;
  if (!client || !config || host.flow.isBusy()) return;
  const email = host.values.email.trim();
  const referral = host.values.referralCode.trim();
  const emailCode = email ? emailProblem(email) : undefined;
  if (
    host.showErrors({
      email: emailCode ? { code: emailCode } : undefined,
      referralCode: REFERRAL.test(referral) ? undefined : { code: 'referral_code_invalid' },
    })
  )
    return;
  const v = host.values;
  const body: RegisterRequest = {
    accountName: normalizeAccountName(v.accountName),
    password: v.password,
    phone: { region: v.region, number: nationalDigits(v.region, v.phone) },
    code: v.code.trim(),
    // one consent line, still recorded per agreement at the version shown (docs/product.md#16-agreements)
    agreements: v.accepted ? config.agreements.map((a) => ({ key: a.key, version: a.version })) : [],
  };
  if (referral) body.referralCode = referral;
  if (email) body.email = email;
  const signedIn = await host.flow.run(
    'submit',
    () => client.register(body),
    (err) => host.placeError(err),
  );
  if (!signedIn) return;
  done(host, signedIn);
}

function done(host: RegisterHost, signedIn: SignedIn): void {
  host.dropSaved();
  host.countdown.stop();
  host.delivery.stop();
  host.failedChannel = undefined;
  host.codeExpiresAt = undefined;
  // nothing of the password stays in memory once it did its job
  host.values = { ...host.values, password: '', code: '' };
  host.flow.go({ step: 'done', signedIn });
  host.flow.setStatus('done', {
    tone: 'ok',
    key: 'register.success',
    // a registration always names the account; the masked phone only as a fallback
    params: { name: signedIn.account.accountName ?? signedIn.account.phone ?? '' },
  });
  // every element of the page (jd-login, jd-security-settings) learns of the session at once
  host.store?.set(signedIn);
  host.emit('jd-register', { account: signedIn.account, session: signedIn.session });
}

export function renderServiceStep(v: RegisterView, phoneInUse: boolean): TemplateResult {
  const refId = CONTROL_ID.referralCode;
  const emailId = CONTROL_ID.email;
  const submit = busyAttrs(v, 'submit');
  const { region, phone } = v.values;
  return html`<section class="step" part="section" aria-labelledby="jd-step-service" data-step="service">
    ${renderStepTitle('jd-step-service', v.t('register.step3_title'))} ${renderPhoneInUse(v, phoneInUse)}
    <form part="form" novalidate @submit=${(e: Event) => {
      e.preventDefault();
      void register(v.host);
    }}>
      <div class="field">
        <span class="label" id="jd-contact-phone-label" part="label">${v.t('register.contact_phone')}</span>
        <p id="jd-contact-phone" class="row-value" aria-labelledby="jd-contact-phone-label jd-contact-phone" aria-describedby="jd-contact-phone-hint">
          +${DIAL_CODES[region]} ${nationalDigits(region, phone)}
        </p>
        <p id="jd-contact-phone-hint" class="hint" part="hint">${v.t('register.contact_phone_hint')}</p>
      </div>
      <div class="field">
        <label class="label" for=${emailId} part="label">${v.t('register.email')}</label>
        <input id=${emailId} name="email" part="input" type="email" autocomplete="email" .value=${v.values.email} aria-invalid=${invalid(v, 'email') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'email', `${emailId}-hint`)} @input=${(e: Event) => v.edit('email', { email: (e.target as HTMLInputElement).value })} />
        <p id="${emailId}-hint" class="hint" part="hint">${v.t('register.email_hint')}</p>
        ${renderFieldError(v, 'email')}
      </div>
      <div class="field">
        <label class="label" for=${refId} part="label">${v.t('register.referral')}</label>
        <input id=${refId} name="referralCode" part="input" type="text" autocomplete="off" autocapitalize="off" maxlength="32" .value=${v.values.referralCode} aria-invalid=${invalid(v, 'referralCode') ? 'true' : 'false'} aria-describedby=${describedBy(v, 'referralCode')} @input=${(e: Event) => v.edit('referralCode', { referralCode: (e.target as HTMLInputElement).value })} />
        ${renderFieldError(v, 'referralCode')}
      </div>
      <div class="actions">
        <button type="submit" class="btn-primary" part="submit" aria-busy=${submit.busy ? 'true' : 'false'} ?disabled=${submit.disabled}>
          ${v.t(submit.busy ? 'register.submitting' : 'register.submit')}
        </button>
        <button type="button" class="btn-secondary" part="button back" ?disabled=${submit.disabled} @click=${() => v.host.goStep('account')}>${v.t('register.back')}</button>
      </div>
      ${renderActionStatus(v, 'submit')}
    </form>
  </section>`;
}

/** After registering: the confirmation (the page is signed in). */
export function renderDone(v: RegisterView): TemplateResult {
  const s = v.flow.statusOf('done');
  return html`<section class="step" part="section" aria-labelledby="jd-step-done" data-step="done">
    <h2 id="jd-step-done" class="step-title" tabindex="-1" part="title">${v.t('register.done_title')}</h2>
    ${s ? html`<p class="status is-ok" part="status success" role="status">${v.t(s.key, s.params)}</p>` : nothing}
  </section>`;
}
