/**
 * <jd-login>'s MFA step (docs/product.md#11-virtual-mfa): after a right password for an account with a
 * bound MFA device, the code from the app (or a recovery code) finishes the sign-in.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import { tokenStorageKey, type JdLogin } from '../src/index.ts';
import { $, $$, FakeBff, TEST_CONFIG, errorAnswer, mfaPending, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

async function mount(locale = 'en', sessionMode = ''): Promise<JdLogin> {
  const el = await fixture<JdLogin>(
    html`<jd-login publishable-key="pk_test_1" locale=${locale} session-mode=${sessionMode}></jd-login>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form, [part~="signed-in"]'), 'login did not render');
  return el;
}

/** Signs in with the password and waits for the MFA step. */
async function toMfaStep(el: JdLogin): Promise<void> {
  await typeInto(el, '#jd-identifier', 'alice_01');
  await typeInto(el, '#jd-password', 'Str0ng!pw');
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
  await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code'), 'no MFA step');
}

async function submitCode(el: JdLogin, selector: string, value: string): Promise<void> {
  await typeInto(el, selector, value);
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
  await el.updateComplete;
}

const status = (el: JdLogin) =>
  `${el.shadowRoot!.querySelector('.step-lead')?.textContent ?? ''} ${$(el, '[aria-live="polite"]').textContent}`;

describe('<jd-login> MFA step', () => {
  let logins: CustomEvent[];
  const onLogin = (e: Event) => logins.push(e as CustomEvent);

  beforeEach(() => {
    bff = new FakeBff({ 'POST /v1/sessions': () => ({ status: 200, body: mfaPending() }) });
    sessionStorage.clear();
    logins = [];
    document.addEventListener('jd-login', onLogin);
  });
  afterEach(() => {
    bff.restore();
    document.removeEventListener('jd-login', onLogin);
  });

  it('asks for the MFA code after the password and fires jd-login only once it is accepted', async () => {
    bff.routes['POST /v1/sessions/mfa'] = () => ({ status: 200, body: signedIn('alice_01') });
    const el = await mount();
    await toMfaStep(el);
    expect(logins, 'no jd-login for the pending session').to.have.length(0);
    const input = $<HTMLInputElement>(el, '#jd-mfa-code');
    expect(input.getAttribute('inputmode')).to.equal('numeric');
    expect(input.getAttribute('autocomplete')).to.equal('one-time-code');
    expect(input.getAttribute('maxlength')).to.equal('24');
    expect($(el, 'label[for="jd-mfa-code"]').textContent).to.equal('MFA code');
    expect(status(el)).to.contain('Enter the code from your MFA app');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the code',
    );
    expect($$(el, '#jd-password')).to.have.length(0);

    const loggedIn = oneEvent(el, 'jd-login');
    await submitCode(el, '#jd-mfa-code', '123456');
    const ev = await loggedIn;
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(ev.detail).to.deep.equal({ account: signedIn('alice_01').account, session: signedIn('alice_01').session });
    const [req] = bff.find('POST', '/v1/sessions/mfa');
    expect(req.body).to.deep.equal({ code: '123456' });
    expect(req.credentials).to.equal('include');
    await el.updateComplete;
    expect($(el, '[part~="signed-in"]').textContent).to.equal('Signed in as alice_01');
    expect(logins).to.have.length(1);
  });

  it('checks the format first, then shows a wrong code at the field', async () => {
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'mfa_code_invalid', { remaining: 4 });
    const el = await mount();
    await toMfaStep(el);
    await submitCode(el, '#jd-mfa-code', '12a4');
    expect($(el, '#jd-mfa-code-error').textContent).to.contain('6 digits');
    expect(bff.find('POST', '/v1/sessions/mfa')).to.have.length(0);

    const err = oneEvent(el, 'jd-error');
    await submitCode(el, '#jd-mfa-code', '000000');
    expect((await err).detail.code).to.equal('mfa_code_invalid');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code-error')?.textContent?.includes('incorrect'));
    const input = $(el, '#jd-mfa-code');
    expect($(el, '#jd-mfa-code-error').textContent).to.contain('The MFA code is incorrect.');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.equal('jd-mfa-code-error');
    await waitUntil(() => el.shadowRoot!.activeElement === input);
    expect(logins).to.have.length(0);
  });

  it('says to set the phone date and time automatically when its clock is off (en and zh-CN)', async () => {
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'mfa_clock_drift', { seconds: 90 });
    const el = await mount();
    await toMfaStep(el);
    await submitCode(el, '#jd-mfa-code', '111111');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code-error'));
    const text = $(el, '#jd-mfa-code-error').textContent;
    expect(text).to.contain('90 s').and.contain('date and time').and.contain('automatically');

    const zh = await mount('zh-CN');
    await toMfaStep(zh);
    expect($(zh, 'label[for="jd-mfa-code"]').textContent).to.equal('MFA 验证码');
    await submitCode(zh, '#jd-mfa-code', '111111');
    await waitUntil(() => zh.shadowRoot!.querySelector('#jd-mfa-code-error'));
    expect($(zh, '#jd-mfa-code-error').textContent).to.contain('日期和时间').and.contain('90');
  });

  it('says when a code was already used', async () => {
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'mfa_code_reused');
    const el = await mount();
    await toMfaStep(el);
    await submitCode(el, '#jd-mfa-code', '222222');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code-error'));
    expect($(el, '#jd-mfa-code-error').textContent).to.contain('already used');
  });

  it('signs in with a recovery code instead', async () => {
    let answer = errorAnswer(400, 'recovery_code_invalid');
    bff.routes['POST /v1/sessions/mfa'] = () => answer;
    const el = await mount();
    await toMfaStep(el);
    $<HTMLButtonElement>(el, '[data-mfa="recovery"]').click();
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.step-title') === true);
    const input = $(el, '#jd-recovery-code');
    expect($(el, 'label[for="jd-recovery-code"]').textContent).to.equal('Recovery code');
    expect(input.hasAttribute('inputmode')).to.equal(false);
    expect(input.hasAttribute('maxlength')).to.equal(false);
    expect($$(el, '#jd-mfa-code')).to.have.length(0);

    await submitCode(el, '#jd-recovery-code', ' abcd-efgh ');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-recovery-code-error'));
    expect($(el, '#jd-recovery-code-error').textContent).to.contain('not valid or was already used');
    expect(bff.find('POST', '/v1/sessions/mfa')[0].body).to.deep.equal({ recoveryCode: 'abcd-efgh' });

    answer = { status: 200, body: signedIn('alice_01') };
    const loggedIn = oneEvent(el, 'jd-login');
    await submitCode(el, '#jd-recovery-code', 'wxyz-1234');
    expect((await loggedIn).detail.account.accountName).to.equal('alice_01');

    // back to the app's code works too (a fresh page: one session per page)
    el.remove();
    const again = await mount();
    await toMfaStep(again);
    $<HTMLButtonElement>(again, '[data-mfa="recovery"]').click();
    await again.updateComplete;
    $<HTMLButtonElement>(again, '[data-mfa="code"]').click();
    await waitUntil(
      () =>
        again.shadowRoot!.querySelector('#jd-mfa-code') &&
        again.shadowRoot!.activeElement?.matches('.step-title') === true,
    );
  });

  it('goes back to the password form after too many wrong codes, and drops the token', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: mfaPending('alice_01', 'tok_pending') });
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(401, 'mfa_too_many_attempts');
    const el = await mount('en', 'token');
    await toMfaStep(el);
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1'))).to.equal('tok_pending');
    await submitCode(el, '#jd-mfa-code', '333333');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-password'), 'not back to the password form');
    expect(status(el)).to.contain('Too many wrong MFA codes. Sign in again.');
    expect($$(el, '#jd-mfa-code')).to.have.length(0);
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1'))).to.equal(null);
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.step-title') === true);
    expect(logins).to.have.length(0);
  });

  it('in token mode sends the pending token and keeps the rotated one', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: mfaPending('alice_01', 'tok_pending') });
    bff.routes['POST /v1/sessions/mfa'] = () => ({ status: 200, body: signedIn('alice_01', 'tok_full') });
    const el = await mount('en', 'token');
    await toMfaStep(el);
    const loggedIn = oneEvent(el, 'jd-login');
    await submitCode(el, '#jd-mfa-code', '123456');
    await loggedIn;
    const [req] = bff.find('POST', '/v1/sessions/mfa');
    expect(req.headers['authorization']).to.equal('Bearer tok_pending');
    expect(req.credentials).to.equal('omit');
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1'))).to.equal('tok_full');
  });

  it('shows the MFA step directly when a pending sign-in survived a reload', async () => {
    sessionStorage.setItem(tokenStorageKey('pk_test_1'), 'tok_pending');
    bff.routes['GET /v1/session'] = () => errorAnswer(401, 'mfa_required');
    bff.routes['POST /v1/sessions/mfa'] = () => ({ status: 200, body: signedIn('alice_01', 'tok_full') });
    const el = await mount('en', 'token');
    expect($$(el, '#jd-password')).to.have.length(0);
    expect($(el, '#jd-mfa-code')).to.exist;
    expect(status(el)).to.contain('Enter the code from your MFA app');
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1')), 'the pending token is kept').to.equal('tok_pending');
    const loggedIn = oneEvent(el, 'jd-login');
    await submitCode(el, '#jd-mfa-code', '123456');
    await loggedIn;
    await el.updateComplete;
    expect($(el, '[part~="signed-in"]').textContent).to.equal('Signed in as alice_01');
  });

  it('"Lost your device?" explains what to do and shows the support channels when it cannot tell whether an application is possible', async () => {
    bff.routes['GET /v1/config'] = () => ({
      status: 200,
      body: {
        ...TEST_CONFIG,
        supportChannels: {
          ticketUrl: 'https://help.example/ticket',
          hotline: '400 615 1212',
          email: 'help@example.com',
        },
      },
    });
    bff.routes['GET /v1/mfa-recovery'] = () => errorAnswer(500, 'internal_error');
    const el = await mount();
    await toMfaStep(el);
    const failed = oneEvent(el, 'jd-error');
    $<HTMLButtonElement>(el, '[data-mfa="lost"]').click();
    expect((await failed).detail.code).to.equal('internal_error');
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="lost"] [part~="support"]'));
    const text = $(el, '[part~="lost"]').textContent;
    expect(text)
      .to.contain('without real-name verification it cannot be removed')
      .and.contain('Hotline: 400 615 1212')
      .and.contain('Email: help@example.com');
    expect($<HTMLAnchorElement>(el, '[part~="lost"] a').getAttribute('href')).to.equal('https://help.example/ticket');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the help',
    );
    $<HTMLButtonElement>(el, '[data-mfa="code"]').click();
    await waitUntil(
      () =>
        el.shadowRoot!.querySelector('#jd-mfa-code') && el.shadowRoot!.activeElement?.matches('.step-title') === true,
    );
  });

  it('"Cancel" ends the pending sign-in and shows the password form', async () => {
    bff.routes['DELETE /v1/session'] = () => ({ status: 204 });
    const el = await mount();
    await toMfaStep(el);
    $<HTMLButtonElement>(el, '[part~="cancel"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-identifier'));
    expect(bff.find('DELETE', '/v1/session')).to.have.length(1);
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.step-title') === true);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the MFA step, its error, the recovery code and the lost-device help`, async () => {
      bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'mfa_clock_drift', { seconds: 60 });
      bff.routes['GET /v1/config'] = () => ({
        status: 200,
        body: { ...TEST_CONFIG, supportChannels: { ticketUrl: 'https://help.example/t', hotline: '400' } },
      });
      const el = await mount(locale);
      await toMfaStep(el);
      await expect(el).to.be.accessible();
      await submitCode(el, '#jd-mfa-code', '123456');
      await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code-error'));
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '[data-mfa="recovery"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '[data-mfa="lost"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });
  }
});
