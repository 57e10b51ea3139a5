/** <jd-register> as three steps (docs/product.md#6-registration): phone → account → enable service. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import { $, $$, FakeBff, TEST_CONFIG, blur, errorAnswer, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;
const KEY = 'jd-register:pk_test_1';

async function mount(locale = 'en', extra: Partial<Record<'login-url', string>> = {}): Promise<JdRegister> {
  const el = await fixture<JdRegister>(
    html`<jd-register publishable-key="pk_test_1" locale=${locale} login-url=${extra['login-url'] ?? ''}></jd-register>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('section.step'), 'step did not render');
  return el;
}

/** The step shown; undefined while a step's module is still loading (its loading line is not a section). */
const step = (el: JdRegister) => el.shadowRoot!.querySelector<HTMLElement>('section.step')?.dataset['step'];
const current = (el: JdRegister) => $(el, '.progress [aria-current="step"]').dataset['step'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function codeCheck(phoneInUse = false) {
  bff.routes['POST /v1/verification-codes/check'] = () => ({ status: 200, body: { valid: true, phoneInUse } });
}

async function submitStep(el: JdRegister): Promise<void> {
  $<HTMLButtonElement>(el, 'section.step button[type="submit"]').click();
  await el.updateComplete;
}

/** Step 1 filled and accepted; Next pressed; waits for step 2. */
async function passPhoneStep(el: JdRegister): Promise<void> {
  await typeInto(el, '#jd-phone', '138 0013 8000');
  await typeInto(el, '#jd-code', '123456');
  if (!$<HTMLInputElement>(el, '#jd-agreements').checked) $<HTMLInputElement>(el, '#jd-agreements').click();
  await el.updateComplete;
  await submitStep(el);
  await waitUntil(() => step(el) === 'account', 'step 2');
}

async function passAccountStep(el: JdRegister): Promise<void> {
  await typeInto(el, '#jd-account-name', 'alice_01');
  await typeInto(el, '#jd-password', 'Str0ng!pw');
  await submitStep(el);
  await waitUntil(() => step(el) === 'service', 'step 3');
}

describe('<jd-register> steps', () => {
  beforeEach(() => {
    bff = new FakeBff({
      'POST /v1/verification-codes': () => ({
        status: 202,
        body: { channel: 'sms', sentTo: '138****8000', expiresIn: 600, resendAfter: 60, deliveryId: null },
      }),
    });
    codeCheck();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('loads the tenant config with the publishable key, locale header and cookie credentials', async () => {
    await mount();
    const [req] = bff.find('GET', '/v1/config');
    expect(req.headers['x-jd-publishable-key']).to.equal('pk_test_1');
    expect(req.headers['x-jd-locale']).to.equal('en');
    expect(req.credentials).to.equal('include');
  });

  it('shows the load error by code when the config cannot be loaded', async () => {
    bff.routes['GET /v1/config'] = () => errorAnswer(401, 'tenant_unknown');
    const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_bad" locale="en"></jd-register>`);
    await waitUntil(() => el.shadowRoot!.querySelector('[role="alert"]'));
    expect($(el, '[role="alert"]').textContent).to.contain('unknown publishable key');
  });

  it('step 1: region, number, code row with the send button, SMS/voice under it, one consent line', async () => {
    const el = await mount();
    expect(step(el)).to.equal('phone');
    expect($$(el, '.progress li').map((li) => li.textContent.trim())).to.deep.equal([
      'Verify your phone',
      'Account name and password',
      'Enable the service',
    ]);
    expect(current(el)).to.equal('phone');
    expect($$<HTMLOptionElement>(el, '#jd-region option').map((o) => o.value)).to.deep.equal(TEST_CONFIG.phoneRegions);
    const row = $(el, '.code-row');
    expect(row.querySelector('#jd-code')).to.exist;
    expect(row.querySelector('#jd-send-code.send-code')).to.exist;
    expect(
      row.nextElementSibling?.matches('.channel') || !!row.parentElement!.querySelector('.code-row ~ .channel'),
    ).to.equal(true);
    expect($$(el, '.channel input[type="radio"]')).to.have.length(2);
    // one checkbox, every agreement a link on one line; javascript: URLs are never links
    expect($$(el, 'input[type="checkbox"]')).to.have.length(1);
    const consent = $(el, 'label.consent');
    expect(consent.textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'I have read and agree to Registration Agreement, Privacy Policy',
    );
    expect($$<HTMLAnchorElement>(el, 'label.consent a').map((a) => a.getAttribute('href'))).to.deep.equal([
      '/legal/registration',
      '/legal/privacy',
    ]);
    expect(el.shadowRoot!.querySelector('[part~="skip-email"]')).to.equal(null);
  });

  it('sends the code with region and channel; "code sent" shows right after the send button, then the countdown', async () => {
    bff.routes['POST /v1/verification-codes'] = () => ({
      status: 202,
      body: { channel: 'voice', sentTo: '+852 91****67', expiresIn: 600, resendAfter: 60, deliveryId: null },
    });
    const el = await mount();
    await typeInto(el, '#jd-region', 'HK');
    await typeInto(el, '#jd-phone', '9123 4567');
    $<HTMLInputElement>(el, '#jd-channel-voice').click();
    await el.updateComplete;
    const button = $<HTMLButtonElement>(el, '#jd-send-code');
    button.click();
    await waitUntil(() => button.disabled && button.textContent.includes('Resend in'));
    expect(bff.find('POST', '/v1/verification-codes')[0].body).to.deep.equal({
      phone: { region: 'HK', number: '91234567' },
      purpose: 'register',
      channel: 'voice',
    });
    const status = $(el, '.status[data-action="send"]');
    expect(status.textContent).to.contain('+852 91****67');
    expect(status.closest('section.step')).to.equal($(el, 'section.step'));
    expect(status.previousElementSibling).to.equal($(el, '.code-row'));
    expect($(el, '[aria-live="polite"]').textContent).to.contain('+852 91****67');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '#jd-code'));
    // the phone is saved for this tab, never a password
    const saved = JSON.parse(sessionStorage.getItem(KEY)!);
    expect(saved).to.include({ region: 'HK', phone: '9123 4567', channel: 'voice', verified: false });
  });

  it('a cooldown answer shows next to the send button and counts down from its seconds', async () => {
    bff.routes['POST /v1/verification-codes'] = () => errorAnswer(429, 'code_cooldown', { seconds: 42 });
    const el = await mount();
    await typeInto(el, '#jd-phone', '13800138000');
    const button = $<HTMLButtonElement>(el, '#jd-send-code');
    button.click();
    await waitUntil(() => el.shadowRoot!.querySelector('.status[data-action="send"]'));
    expect($(el, '.status[data-action="send"]').textContent).to.contain('Please wait 42 s');
    expect($(el, '.status[data-action="send"]').className).to.contain('is-error');
    expect(button.disabled).to.equal(true);
    expect(button.textContent).to.contain('Resend in 42 s');
  });

  it('Next checks phone, code and consent locally first; errors clear on editing their field', async () => {
    const el = await mount();
    await typeInto(el, '#jd-phone', '12345');
    await submitStep(el);
    expect(bff.find('POST', '/v1/verification-codes/check')).to.have.length(0);
    expect($(el, '#jd-phone').getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-phone-error').textContent).to.contain('valid mobile phone number');
    expect($(el, '#jd-phone').getAttribute('aria-describedby')!.split(' ')).to.include('jd-phone-error');
    expect($(el, '#jd-code-error')).to.exist;
    expect($(el, '#jd-agreements-error').textContent).to.contain('agree');
    await typeInto(el, '#jd-phone', '1380013800');
    expect(el.shadowRoot!.querySelector('#jd-phone-error')).to.equal(null);
    expect($(el, '#jd-code-error')).to.exist; // only the edited field clears
    $<HTMLInputElement>(el, '#jd-agreements').click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('#jd-agreements-error')).to.equal(null);
  });

  it('a wrong code stays on step 1 with the error under the code, and clears when the code is edited', async () => {
    bff.routes['POST /v1/verification-codes/check'] = () =>
      errorAnswer(400, 'code_invalid', { remaining: 4 }, [{ path: 'code', code: 'code_invalid' }]);
    const el = await mount();
    const errors: string[] = [];
    el.addEventListener('jd-error', (e) => errors.push((e as CustomEvent<{ code: string }>).detail.code));
    await typeInto(el, '#jd-phone', '13800138000');
    await typeInto(el, '#jd-code', '000000');
    $<HTMLInputElement>(el, '#jd-agreements').click();
    await submitStep(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-code-error'), 'code error');
    expect(step(el)).to.equal('phone');
    expect($(el, '#jd-code-error').closest('section.step')).to.exist;
    expect($(el, '#jd-code').getAttribute('aria-invalid')).to.equal('true');
    expect(errors).to.deep.equal(['code_invalid']);
    expect(bff.find('POST', '/v1/verification-codes/check')[0].body).to.deep.equal({
      phone: { region: 'CN', number: '13800138000' },
      code: '000000',
      purpose: 'register',
    });
    await typeInto(el, '#jd-code', '00000');
    expect(el.shadowRoot!.querySelector('#jd-code-error')).to.equal(null);
  });

  it('step 2: account name availability, password field with toggle and live checklist; Back keeps values', async () => {
    bff.routes['GET /v1/account-names/availability'] = () => ({ status: 200, body: { available: false } });
    const el = await mount();
    await passPhoneStep(el);
    expect(current(el)).to.equal('account');
    expect(el.shadowRoot!.activeElement).to.equal($(el, 'h2.step-title'));
    expect(el.shadowRoot!.querySelector('[part~="notice"]')).to.equal(null);
    await typeInto(el, '#jd-account-name', 'alice_01');
    await blur(el, '#jd-account-name');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-account-name-error'));
    expect($(el, '#jd-account-name-error').textContent).to.contain('taken');
    await submitStep(el);
    expect(step(el)).to.equal('account'); // a taken name blocks Next
    await typeInto(el, '#jd-password', 'abc');
    expect($(el, 'li[data-rule="digit"]').hasAttribute('data-met')).to.equal(false);
    const unmetColor = getComputedStyle($(el, 'li[data-rule="digit"]')).color;
    await typeInto(el, '#jd-password', 'abc12!xy');
    expect($(el, 'li[data-rule="digit"]').hasAttribute('data-met')).to.equal(true);
    // the checklist's styles come with step 2's module: no bullets, a met rule in another colour
    expect(getComputedStyle($(el, '[part~="checklist"]')).listStyleType).to.equal('none');
    expect(getComputedStyle($(el, 'li[data-rule="digit"]')).color).to.not.equal(unmetColor);
    expect($(el, '[part~="reveal"]')).to.exist;
    // Back: step 1 with its values, feedback of step 2 gone
    $<HTMLButtonElement>(el, '[part~="back"]').click();
    await el.updateComplete;
    expect(step(el)).to.equal('phone');
    expect($<HTMLInputElement>(el, '#jd-phone').value).to.equal('138 0013 8000');
    expect($<HTMLInputElement>(el, '#jd-code').value).to.equal('123456');
    expect($<HTMLInputElement>(el, '#jd-agreements').checked).to.equal(true);
    await submitStep(el);
    await waitUntil(() => step(el) === 'account');
    expect($<HTMLInputElement>(el, '#jd-account-name').value).to.equal('alice_01');
    expect($<HTMLInputElement>(el, '#jd-password').value).to.equal('abc12!xy');
    expect(el.shadowRoot!.querySelector('#jd-account-name-error')).to.equal(null); // cleared on step change
  });

  it('step 2: the availability answer appears without moving Next (a click aimed at it lands)', async () => {
    bff.routes['GET /v1/account-names/availability'] = () => ({ status: 200, body: { available: true } });
    const el = await mount();
    await passPhoneStep(el);
    await typeInto(el, '#jd-account-name', 'alice_02');
    await typeInto(el, '#jd-password', 'abc12!xyZ');
    const next = () => $(el, '[part~="submit"]').getBoundingClientRect().top;
    const before = next();
    await blur(el, '#jd-account-name');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-available]'), 'availability shown');
    await el.updateComplete;
    expect($(el, '[data-available]').textContent).to.contain('available');
    expect(next()).to.equal(before);
  });

  it('step 2 checks the name and password with the shared rules before going on', async () => {
    const el = await mount();
    await passPhoneStep(el);
    await typeInto(el, '#jd-account-name', '12345');
    await typeInto(el, '#jd-password', 'short');
    await submitStep(el);
    expect(step(el)).to.equal('account');
    expect($(el, '#jd-account-name-error').textContent).to.contain('digits');
    expect($(el, '#jd-password-error')).to.exist;
    expect(el.shadowRoot!.activeElement).to.equal($(el, '#jd-account-name'));
  });

  it('registers on step 3, signs in the page (store) and fires jd-register', async () => {
    bff.routes['POST /v1/accounts'] = () => ({ status: 201, body: signedIn('alice_01') });
    const el = await mount();
    const login = document.createElement('jd-login');
    login.setAttribute('publishable-key', 'pk_test_1');
    login.setAttribute('locale', 'en');
    document.body.append(login);
    try {
      await passPhoneStep(el);
      await passAccountStep(el);
      expect(current(el)).to.equal('service');
      expect($(el, '#jd-contact-phone').textContent.trim()).to.equal('+86 13800138000');
      await typeInto(el, '#jd-referral', 'SALES42');
      await typeInto(el, '#jd-email', 'Alice@Example.com');
      const registered = oneEvent(el, 'jd-register');
      await submitStep(el);
      const ev = await registered;
      expect(ev.bubbles && ev.composed).to.equal(true);
      expect(ev.detail).to.deep.equal(signedIn('alice_01'));
      expect(bff.find('POST', '/v1/accounts')[0].body).to.deep.equal({
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
      await el.updateComplete;
      expect(step(el)).to.equal('done');
      expect($(el, '[part~="success"]').textContent).to.contain('Welcome, alice_01!');
      expect(sessionStorage.getItem(KEY)).to.equal(null);
      // the other element of the page learnt of the session without a request of its own
      const sessionAsks = bff.find('GET', '/v1/session').length;
      await waitUntil(() => (login as unknown as { session: { status: string } }).session.status === 'signedIn');
      expect(bff.find('GET', '/v1/session').length).to.equal(sessionAsks);
    } finally {
      login.remove();
    }
  });

  it('an empty email is left out; step 3 validates the email and referral and clears them on edit', async () => {
    bff.routes['POST /v1/accounts'] = () => ({ status: 201, body: signedIn('alice_01') });
    const el = await mount();
    await passPhoneStep(el);
    await passAccountStep(el);
    await typeInto(el, '#jd-email', 'not-an-email');
    await typeInto(el, '#jd-referral', 'bad code!');
    await submitStep(el);
    expect($(el, '#jd-email-error')).to.exist;
    expect($(el, '#jd-referral-error')).to.exist;
    expect(bff.find('POST', '/v1/accounts')).to.have.length(0);
    await typeInto(el, '#jd-email', '');
    await typeInto(el, '#jd-referral', '');
    expect(el.shadowRoot!.querySelector('.field-error')).to.equal(null);
    const registered = oneEvent(el, 'jd-register');
    await submitStep(el);
    await registered;
    expect(bff.find('POST', '/v1/accounts')[0].body).to.not.have.property('email');
    expect(bff.find('POST', '/v1/accounts')[0].body).to.not.have.property('referralCode');
  });

  it('a registration error about an earlier step goes back to it, with the error on its field', async () => {
    bff.routes['POST /v1/accounts'] = () =>
      errorAnswer(409, 'account_name_taken', undefined, [{ path: 'accountName', code: 'account_name_taken' }]);
    const el = await mount();
    await passPhoneStep(el);
    await passAccountStep(el);
    await submitStep(el);
    await waitUntil(() => step(el) === 'account', 'back to step 2');
    expect($(el, '#jd-account-name-error').textContent).to.contain('taken');
    expect($(el, '#jd-account-name').getAttribute('aria-invalid')).to.equal('true');
    await typeInto(el, '#jd-account-name', 'alice_02');
    expect(el.shadowRoot!.querySelector('#jd-account-name-error')).to.equal(null);

    bff.routes['POST /v1/accounts'] = () =>
      errorAnswer(400, 'code_expired', undefined, [{ path: 'code', code: 'code_expired' }]);
    await submitStep(el);
    await waitUntil(() => step(el) === 'service');
    await submitStep(el);
    await waitUntil(() => step(el) === 'phone', 'back to step 1');
    expect($(el, '#jd-code-error').textContent).to.contain('expired');
    expect(sessionStorage.getItem(KEY)).to.equal(null);
  });

  it('an error without a field shows as the status right after the Register button', async () => {
    bff.routes['POST /v1/accounts'] = () => errorAnswer(503, 'service_unavailable');
    const el = await mount();
    await passPhoneStep(el);
    await passAccountStep(el);
    await submitStep(el);
    await waitUntil(() => el.shadowRoot!.querySelector('.status[data-action="submit"]'));
    const status = $(el, '.status[data-action="submit"]');
    expect(status.className).to.contain('is-error');
    expect(status.previousElementSibling!.matches('.actions')).to.equal(true);
    $<HTMLButtonElement>(el, '[part~="back"]').click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.status[data-action="submit"]')).to.equal(null);
  });

  it('shows the "already associated" notice on steps 2 and 3 when the phone is in use', async () => {
    codeCheck(true);
    const el = await mount();
    await passPhoneStep(el);
    expect($(el, '[part~="notice"]').textContent).to.contain('cannot be used to sign in');
    await passAccountStep(el);
    expect($(el, '[part~="notice"]').textContent).to.contain('cannot be used to sign in');
  });

  it('comes back at step 2 within the code validity, without a new code; never stores the password', async () => {
    const first = await mount();
    await passPhoneStep(first);
    await typeInto(first, '#jd-password', 'Str0ng!pw');
    const raw = sessionStorage.getItem(KEY)!;
    expect(raw).to.not.contain('Str0ng');
    expect(JSON.parse(raw)).to.include({ phone: '138 0013 8000', code: '123456', accepted: true, verified: true });
    first.remove();

    const el = await mount();
    expect(step(el)).to.equal('account');
    expect(bff.find('POST', '/v1/verification-codes')).to.have.length(0);
    expect($<HTMLInputElement>(el, '#jd-password').value).to.equal('');
    $<HTMLButtonElement>(el, '[part~="back"]').click();
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#jd-phone').value).to.equal('138 0013 8000');
    expect($<HTMLInputElement>(el, '#jd-code').value).to.equal('123456');
    expect($<HTMLInputElement>(el, '#jd-agreements').checked).to.equal(true);
  });

  it('drops the saved step 1 once the code expired', async () => {
    sessionStorage.setItem(
      KEY,
      JSON.stringify({
        region: 'CN',
        phone: '13800138000',
        code: '123456',
        channel: 'sms',
        accepted: true,
        expiresAt: Date.now() - 1000,
        verified: true,
        phoneInUse: false,
      }),
    );
    const el = await mount();
    expect(step(el)).to.equal('phone');
    expect($<HTMLInputElement>(el, '#jd-phone').value).to.equal('');
    expect(sessionStorage.getItem(KEY)).to.equal(null);
    // another key's data is not this tenant's
    sessionStorage.setItem('jd-register:pk_other', JSON.stringify({ expiresAt: Date.now() + 60_000 }));
    const again = await mount();
    expect(step(again)).to.equal('phone');
  });

  it('switches every text with the locale attribute (zh-CN ↔ en)', async () => {
    const el = await mount('zh-CN');
    expect($(el, 'h2').textContent.trim()).to.equal('验证手机号');
    expect($(el, '#jd-send-code').textContent.trim()).to.equal('获取验证码');
    expect($(el, '#jd-region option').textContent.trim()).to.equal('中国大陆 +86');
    expect($(el, 'label.consent').textContent.replace(/\s+/g, '')).to.equal(
      '我已阅读并同意《用户注册协议》、《隐私政策》',
    );
    expect($(el, '.root').getAttribute('lang')).to.equal('zh-CN');
    await submitStep(el);
    expect($(el, '#jd-phone-error').textContent).to.match(/[\u4e00-\u9fff]/);
    el.locale = 'en';
    await el.updateComplete;
    expect($(el, 'h2').textContent.trim()).to.equal('Verify your phone');
    expect($(el, '#jd-phone-error').textContent).to.not.match(/[\u4e00-\u9fff]/);
    expect($(el, 'section.step button[type="submit"]').textContent.trim()).to.equal('Next');
  });

  it('zh-CN through all steps: 账号 wording, notice and Back/Next', async () => {
    codeCheck(true);
    const el = await mount('zh-CN');
    await passPhoneStep(el);
    expect($(el, 'h2').textContent.trim()).to.equal('设置账号名和密码');
    expect($(el, 'label[for="jd-account-name"]').textContent.trim()).to.equal('账号名');
    expect($(el, '[part~="notice"]').textContent).to.contain('不能用于登录新账号');
    expect($(el, '[part~="back"]').textContent.trim()).to.equal('上一步');
    await passAccountStep(el);
    expect($(el, 'h2').textContent.trim()).to.equal('开通服务');
    expect($(el, 'section.step button[type="submit"]').textContent.trim()).to.equal('注册');
  });

  it('fires jd-navigate to the sign-in form', async () => {
    const el = await mount();
    const nav = oneEvent(el, 'jd-navigate');
    $<HTMLButtonElement>(el, '[part~="footer"] [part~="link"]').click();
    expect((await nav).detail).to.deep.equal({ to: 'login' });
    const withUrl = await mount('en', { 'login-url': '/login' });
    expect($(withUrl, '[part~="footer"] a').getAttribute('href')).to.equal('/login');
  });

  it('labels every control of every step; one polite live region', async () => {
    const el = await mount();
    const labelled = () => {
      for (const control of $$(el, 'input, select')) {
        expect(el.shadowRoot!.querySelector(`label[for="${control.id}"]`), `label for #${control.id}`).to.exist;
      }
      expect($$(el, '[aria-live="polite"]')).to.have.length(1);
    };
    labelled();
    await passPhoneStep(el);
    labelled();
    expect($(el, '#jd-password').getAttribute('autocomplete')).to.equal('new-password');
    await passAccountStep(el);
    labelled();
    expect($(el, '#jd-email').getAttribute('autocomplete')).to.equal('email');
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale} on every step, also with errors showing`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      await submitStep(el);
      await expect(el).to.be.accessible();
      await passPhoneStep(el);
      await expect(el).to.be.accessible();
      await passAccountStep(el);
      await typeInto(el, '#jd-email', 'nope');
      await submitStep(el);
      await expect(el).to.be.accessible();
      await sleep(0);
    });
  }
});
