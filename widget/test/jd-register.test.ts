import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import { $, $$, FakeBff, TEST_CONFIG, blur, errorAnswer, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

async function mount(locale = 'en', extra: Partial<Record<'login-url', string>> = {}): Promise<JdRegister> {
  const el = await fixture<JdRegister>(
    html`<jd-register publishable-key="pk_test_1" locale=${locale} login-url=${extra['login-url'] ?? ''}></jd-register>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'form did not render');
  return el;
}

async function fillValid(el: JdRegister): Promise<void> {
  await typeInto(el, '#jd-account-name', 'alice_01');
  await typeInto(el, '#jd-password', 'Str0ng!pw');
  await typeInto(el, '#jd-phone', '138 0013 8000');
  await typeInto(el, '#jd-code', '123456');
  for (const box of $$<HTMLInputElement>(el, 'input[type="checkbox"]')) box.click();
  await el.updateComplete;
}

function ruleState(el: JdRegister): Record<string, boolean> {
  return Object.fromEntries(
    $$(el, '[part~="checklist"] li').map((li) => [li.dataset['rule'], li.hasAttribute('data-met')]),
  );
}

describe('<jd-register>', () => {
  beforeEach(() => {
    bff = new FakeBff();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('loads the tenant config with the publishable key, locale header and cookie credentials', async () => {
    await mount();
    const [req] = bff.find('GET', '/v1/config');
    expect(req).to.exist;
    expect(req.headers['x-jd-publishable-key']).to.equal('pk_test_1');
    expect(req.headers['x-jd-locale']).to.equal('en');
    expect(req.credentials).to.equal('include');
    expect(req.headers['x-jd-session-mode']).to.equal(undefined);
  });

  it('shows the load error by code when the config cannot be loaded', async () => {
    bff.routes['GET /v1/config'] = () => errorAnswer(401, 'tenant_unknown');
    const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_bad" locale="en"></jd-register>`);
    await waitUntil(() => el.shadowRoot!.querySelector('[role="alert"]'));
    expect($(el, '[role="alert"]').textContent).to.contain('unknown publishable key');
  });

  it('updates the password checklist as the user types, including "not the same as the account name"', async () => {
    const el = await mount();
    expect(Object.keys(ruleState(el))).to.deep.equal([
      'length',
      'letter',
      'digit',
      'symbol',
      'chars',
      'not_account_name',
      'not_common',
    ]);
    await typeInto(el, '#jd-password', 'abc');
    expect(ruleState(el)).to.include({ length: false, letter: true, digit: false, symbol: false, chars: true });
    await typeInto(el, '#jd-password', 'abc12!xy');
    expect(ruleState(el)).to.include({ length: true, letter: true, digit: true, symbol: true, not_account_name: true });
    expect($(el, 'li[data-rule="digit"]').getAttribute('part')).to.contain('checklist-item-met');
    expect($(el, 'li[data-rule="digit"]').textContent).to.contain('(met)');

    await typeInto(el, '#jd-account-name', 'ABC12!xy');
    expect(ruleState(el)['not_account_name']).to.equal(false);
    expect($(el, 'li[data-rule="not_account_name"]').textContent).to.contain('Not the same as the account name');
    expect($(el, 'li[data-rule="not_account_name"]').textContent).to.contain('(not met)');
    expect($(el, '#jd-password').getAttribute('aria-describedby')).to.contain('jd-password-rules');
  });

  it('refuses an invalid account name with the localized error and does not submit', async () => {
    const el = await mount();
    await fillValid(el);
    await typeInto(el, '#jd-account-name', '12345');
    await blur(el, '#jd-account-name');
    const input = $<HTMLInputElement>(el, '#jd-account-name');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-account-name-error').textContent).to.contain('cannot be digits only');
    expect(input.getAttribute('aria-describedby')).to.contain('jd-account-name-error');

    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await el.updateComplete;
    await el.updateComplete;
    expect(bff.find('POST', '/v1/accounts')).to.have.length(0);
    expect(el.shadowRoot!.activeElement).to.equal(input);
    expect($(el, '[part~="status"]').textContent).to.contain('Some fields need your attention');
  });

  it('checks availability on blur and shows a taken name on its field', async () => {
    bff.routes['GET /v1/account-names/availability'] = (req) => ({
      status: 200,
      body: { available: req.query.get('name') !== 'taken_1' },
    });
    const el = await mount();
    await typeInto(el, '#jd-account-name', 'taken_1');
    await blur(el, '#jd-account-name');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-account-name-error'));
    expect($(el, '#jd-account-name-error').textContent).to.contain('already taken');
    await typeInto(el, '#jd-account-name', 'free_name');
    await blur(el, '#jd-account-name');
    await waitUntil(() => el.shadowRoot!.querySelector('.ok'));
    expect($(el, '.ok').textContent).to.contain('available');
    expect(bff.find('GET', '/v1/account-names/availability').map((r) => r.query.get('name'))).to.deep.equal([
      'taken_1',
      'free_name',
    ]);
  });

  it('lists exactly the tenant phone regions in the region select', async () => {
    const el = await mount();
    const options = $$<HTMLOptionElement>(el, '#jd-region option');
    expect(options.map((o) => o.value)).to.deep.equal(TEST_CONFIG.phoneRegions);
    expect(options.map((o) => o.textContent.trim())).to.deep.equal(['Mainland China +86', 'Hong Kong +852']);
  });

  it('sends the code with the chosen region and channel and starts the countdown', async () => {
    bff.routes['POST /v1/verification-codes'] = () => ({
      status: 202,
      body: { channel: 'voice', sentTo: '+852 91****67', expiresIn: 600, resendAfter: 60 },
    });
    const el = await mount();
    await typeInto(el, '#jd-region', 'HK');
    await typeInto(el, '#jd-phone', '9123 4567');
    $<HTMLInputElement>(el, '#jd-channel-voice').click();
    await el.updateComplete;
    const button = $<HTMLButtonElement>(el, '#jd-send-code');
    button.click();
    await waitUntil(() => button.disabled && button.textContent.includes('Resend in'));
    const [req] = bff.find('POST', '/v1/verification-codes');
    expect(req.body).to.deep.equal({
      phone: { region: 'HK', number: '91234567' },
      purpose: 'register',
      channel: 'voice',
    });
    expect(req.headers['content-type']).to.equal('application/json');
    expect(button.textContent.trim()).to.equal('Resend in 60 s');
    expect($(el, '[part~="status"]').textContent).to.contain('+852 91****67');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '#jd-code'));
    const code = $<HTMLInputElement>(el, '#jd-code');
    expect(code.getAttribute('inputmode')).to.equal('numeric');
    expect(code.getAttribute('autocomplete')).to.equal('one-time-code');
  });

  it('checks the phone before sending a code', async () => {
    const el = await mount();
    await typeInto(el, '#jd-phone', '12345');
    $<HTMLButtonElement>(el, '#jd-send-code').click();
    await el.updateComplete;
    expect(bff.find('POST', '/v1/verification-codes')).to.have.length(0);
    expect($(el, '#jd-phone').getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-phone-error').textContent).to.contain('valid mobile phone number');
  });

  it('shows a cooldown answer next to the send button and counts down from its seconds', async () => {
    bff.routes['POST /v1/verification-codes'] = () => errorAnswer(429, 'code_cooldown', { seconds: 42 });
    const el = await mount();
    await typeInto(el, '#jd-phone', '13800138000');
    const button = $<HTMLButtonElement>(el, '#jd-send-code');
    button.click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-send-code-error'));
    expect($(el, '#jd-send-code-error').textContent).to.contain('Please wait 42 s');
    expect(button.getAttribute('aria-describedby')).to.equal('jd-send-code-error');
    expect(button.disabled).to.equal(true);
    expect(button.textContent).to.contain('Resend in 42 s');
  });

  it('validates with the shared rules before submitting', async () => {
    const el = await mount();
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await el.updateComplete;
    expect(bff.find('POST', '/v1/accounts')).to.have.length(0);
    const invalid = $$(el, '[aria-invalid="true"]').map((e) => e.id);
    expect(invalid).to.include.members([
      'jd-account-name',
      'jd-password',
      'jd-phone',
      'jd-code',
      'jd-agreement-0',
      'jd-agreement-1',
    ]);
    expect($(el, '#jd-agreements-error').textContent).to.contain('accept the agreements');
    expect($(el, '#jd-password-error').textContent).to.contain('at least 7 characters');
  });

  it('puts server field errors on their fields with aria-invalid and aria-describedby', async () => {
    bff.routes['POST /v1/accounts'] = () =>
      errorAnswer(400, 'invalid_input', undefined, [
        { path: 'phone.number', code: 'phone_invalid' },
        { path: 'referralCode', code: 'referral_code_invalid' },
      ]);
    const el = await mount();
    await fillValid(el);
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-phone-error'));
    const phone = $(el, '#jd-phone');
    expect(phone.getAttribute('aria-invalid')).to.equal('true');
    expect(phone.getAttribute('aria-describedby')!.split(' ')).to.include('jd-phone-error');
    expect($(el, '#jd-phone-error').textContent).to.contain('valid mobile phone number');
    expect($(el, '#jd-referral').getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-referral-error').textContent).to.contain('referral code');
    await waitUntil(() => el.shadowRoot!.activeElement === phone, 'focus moves to the first invalid field');
  });

  it('puts account_name_taken and code_* answers on their fields and fires jd-error', async () => {
    let answer = errorAnswer(409, 'account_name_taken');
    bff.routes['POST /v1/accounts'] = () => answer;
    const el = await mount();
    await fillValid(el);
    const errorEvent = oneEvent(el, 'jd-error');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    const ev = (await errorEvent) as CustomEvent<{ code: string; message: string }>;
    expect(ev.detail).to.deep.equal({ code: 'account_name_taken', message: 'This account name is already taken.' });
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-account-name-error'));
    expect($(el, '#jd-account-name').getAttribute('aria-invalid')).to.equal('true');

    answer = errorAnswer(400, 'code_expired');
    await typeInto(el, '#jd-account-name', 'alice_02');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-code-error'));
    expect($(el, '#jd-code-error').textContent).to.contain('expired');
    expect($(el, '#jd-code').getAttribute('aria-invalid')).to.equal('true');
  });

  it('registers and fires jd-register with the account and session', async () => {
    bff.routes['POST /v1/accounts'] = () => ({ status: 201, body: signedIn('alice_01') });
    const el = await mount();
    await fillValid(el);
    await typeInto(el, '#jd-referral', 'SALES42');
    await typeInto(el, '#jd-email', 'Alice@Example.com');
    const registered = oneEvent(el, 'jd-register');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    const ev = await registered;
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(ev.detail).to.deep.equal(signedIn('alice_01'));
    const [req] = bff.find('POST', '/v1/accounts');
    expect(req.body).to.deep.equal({
      accountName: 'alice_01',
      password: 'Str0ng!pw',
      phone: { region: 'CN', number: '13800138000' },
      code: '123456',
      agreements: [
        { key: 'registration', version: '1.0' },
        { key: 'privacy', version: '2.1' },
      ],
      referralCode: 'SALES42',
      email: 'Alice@Example.com',
    });
    expect(req.headers['x-jd-session-mode']).to.equal(undefined);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('form')).to.equal(null);
    expect($(el, '[part~="success"]').textContent).to.contain('Welcome, alice_01!');
  });

  it('treats an empty email as skipped and "Skip" clears it', async () => {
    bff.routes['POST /v1/accounts'] = () => ({ status: 201, body: signedIn('alice_01') });
    const el = await mount();
    await fillValid(el);
    await typeInto(el, '#jd-email', 'not-an-email');
    $<HTMLButtonElement>(el, '[part~="skip-email"]').click();
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#jd-email').value).to.equal('');
    const registered = oneEvent(el, 'jd-register');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await registered;
    expect(bff.find('POST', '/v1/accounts')[0].body).to.not.have.property('email');
  });

  it('switches every text with the locale attribute', async () => {
    const el = await mount('zh-CN');
    expect($(el, 'h2').textContent).to.equal('注册账户');
    expect($(el, 'label[for="jd-account-name"]').textContent).to.equal('账户名');
    expect($(el, '#jd-send-code').textContent.trim()).to.equal('获取验证码');
    expect($(el, '#jd-region option').textContent.trim()).to.equal('中国大陆 +86');
    expect($(el, 'label[for="jd-agreement-0"]').textContent.replace(/\s+/g, '')).to.equal(
      '我已阅读并同意《用户注册协议》',
    );
    expect(bff.find('GET', '/v1/config')[0].headers['x-jd-locale']).to.equal('zh-CN');

    el.locale = 'en';
    await el.updateComplete;
    expect($(el, 'h2').textContent).to.equal('Create your account');
    expect($(el, 'label[for="jd-account-name"]').textContent).to.equal('Account name');
    expect($(el, 'label[for="jd-agreement-0"]').textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'I have read and agree to the Registration Agreement',
    );
  });

  it('uses the tenant default locale when no locale attribute is set', async () => {
    bff.routes['GET /v1/config'] = () => ({ status: 200, body: { ...TEST_CONFIG, defaultLocale: 'zh-CN' } });
    const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1"></jd-register>`);
    await waitUntil(() => el.shadowRoot!.querySelector('form'));
    expect(el.resolvedLocale).to.equal('zh-CN');
    expect($(el, 'h2').textContent).to.equal('注册账户');
  });

  it('links agreements from config but never as javascript: URLs', async () => {
    const el = await mount('zh-CN');
    const links = $$<HTMLAnchorElement>(el, '#jd-agreements a');
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['/legal/registration?lang=zh']);
    expect($(el, 'label[for="jd-agreement-1"]').textContent).to.contain('隐私政策');
  });

  it('fires jd-navigate to the sign-in form', async () => {
    const el = await mount();
    const nav = oneEvent(el, 'jd-navigate');
    $<HTMLButtonElement>(el, '[part~="footer"] [part~="link"]').click();
    expect((await nav).detail).to.deep.equal({ to: 'login' });
    const withUrl = await mount('en', { 'login-url': '/login' });
    expect($(withUrl, '[part~="footer"] a').getAttribute('href')).to.equal('/login');
  });

  it('labels every control', async () => {
    const el = await mount();
    for (const control of $$(el, 'input, select')) {
      expect(el.shadowRoot!.querySelector(`label[for="${control.id}"]`), `label for #${control.id}`).to.exist;
    }
    expect($(el, '#jd-account-name').getAttribute('autocomplete')).to.equal('username');
    expect($(el, '#jd-password').getAttribute('autocomplete')).to.equal('new-password');
    expect($(el, '#jd-phone').getAttribute('autocomplete')).to.equal('tel');
    expect($(el, '#jd-email').getAttribute('autocomplete')).to.equal('email');
    expect($(el, '[aria-live="polite"]')).to.exist;
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}, also with errors showing`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
    });
  }
});
