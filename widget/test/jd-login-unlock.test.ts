/**
 * <jd-login> and a locked account (docs/product.md#17-attempt-limits-and-lockout): the sign-in answers `account_locked`
 * and offers "Unlock with a verification code"; the unlock step sends a code to the account's
 * security phone or email (the BFF answers the same for any identifier, so the element says "if
 * this account is locked") and lifts the lock with it. `too_many_attempts` (this client is
 * throttled) says how long to wait.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import { $, $$, FakeBff, UNLOCK_CODE_SENT, errorAnswer, mfaPending, typeInto } from './fake-bff.ts';

let bff: FakeBff;

async function mount(locale = 'en'): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

async function signInWith(el: JdLogin, identifier: string, password: string): Promise<void> {
  await typeInto(el, '#jd-identifier', identifier);
  await typeInto(el, '#jd-password', password);
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
}

/** Signs in into a lock and opens the unlock step from the action beside the message. */
async function toUnlock(el: JdLogin, identifier = 'alice_01'): Promise<void> {
  await signInWith(el, identifier, 'Wr0ng!pw');
  await waitUntil(() => el.shadowRoot!.querySelector('[data-unlock]'), 'no unlock action');
  $<HTMLButtonElement>(el, '[data-unlock]').click();
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="unlock"]'), 'no unlock step');
}

const focused = (el: JdLogin) => el.shadowRoot!.activeElement;
const status = (el: JdLogin) => el.shadowRoot!.querySelector('[part~="status"]')?.textContent ?? '';
const note = (el: JdLogin) => el.shadowRoot!.querySelector('[data-action="sendCode"]')?.textContent ?? '';
const click = (el: JdLogin, selector: string) => $<HTMLElement>(el, selector).click();

describe('<jd-login> locked account', () => {
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff({
      'POST /v1/sessions': () => errorAnswer(429, 'account_locked', { minutes: 15 }),
      'POST /v1/sessions/unlock/code': () => UNLOCK_CODE_SENT,
      'POST /v1/sessions/unlock': (req) =>
        (req.body as { code: string }).code === '123456'
          ? { status: 200, body: { unlocked: true } }
          : errorAnswer(400, 'code_invalid'),
    });
  });
  afterEach(() => bff.restore());

  it('shows the lock message with an unlock action right after it, and focuses the action', async () => {
    const el = await mount();
    await signInWith(el, 'alice_01', 'Wr0ng!pw');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-unlock]'), 'no unlock action');
    expect(status(el)).to.contain('Try again in 15 minutes').and.contain('unlock it with a code');
    const action = $<HTMLButtonElement>(el, '[data-unlock]');
    expect(action.textContent.trim()).to.equal('Unlock with a verification code');
    // the action follows the message it answers
    expect(action.previousElementSibling === $(el, '[part~="status"]'), 'the action follows the message').to.equal(
      true,
    );
    await waitUntil(() => focused(el) === action, 'focus did not move to the unlock action');
  });

  it('offers no unlock for other sign-in errors', async () => {
    bff.routes['POST /v1/sessions'] = () => errorAnswer(401, 'invalid_credentials');
    const el = await mount();
    await signInWith(el, 'alice_01', 'Wr0ng!pw');
    await waitUntil(() => status(el).includes('incorrect'));
    expect(el.shadowRoot!.querySelector('[data-unlock]')).to.equal(null);
  });

  it('unlocks with a code and returns to the sign-in form with the password cleared', async () => {
    const el = await mount();
    await toUnlock(el, ' alice_01 ');
    // the step: the identifier typed (editable, focused), SMS / voice / email, send, code, unlock
    const identifier = $<HTMLInputElement>(el, '#jd-unlock-identifier');
    expect(identifier.value).to.equal(' alice_01 ');
    await waitUntil(() => focused(el)?.matches('.step-title') === true, 'focus did not move to the unlock step');
    expect($(el, 'label[for="jd-unlock-identifier"]').textContent).to.equal('Account name, phone or email');
    expect($$<HTMLInputElement>(el, 'input[name="channel"]').map((r) => r.value)).to.deep.equal([
      'sms',
      'voice',
      'email',
    ]);
    expect(status(el), 'the lock message is gone with the form').to.equal('');
    expect($(el, 'section.step').getAttribute('aria-labelledby')).to.equal('jd-unlock-title');

    await typeInto(el, '#jd-unlock-identifier', 'alice@example.com');
    click(el, 'input[name="channel"][value="email"]');
    click(el, '#jd-unlock-send');
    await waitUntil(() => note(el).includes('If this account is locked'), 'no sent note');
    expect(bff.find('POST', '/v1/sessions/unlock/code')[0].body).to.deep.equal({
      identifier: 'alice@example.com',
      channel: 'email',
    });
    expect(note(el)).to.equal('If this account is locked, a code was sent to its security phone or email.');
    // the note sits right under the button, is announced, and describes the button
    const send = $<HTMLButtonElement>(el, '#jd-unlock-send');
    // the send's status follows its row (docs/elements.md: status next to its action)
    await waitUntil(() => el.shadowRoot!.querySelector('[data-action="sendCode"]'));
    expect(
      send.parentElement!.nextElementSibling === $(el, '[data-action="sendCode"]'),
      'status after the send row',
    ).to.equal(true);
    expect($(el, '[data-action="sendCode"]').getAttribute('role')).to.equal('status');
    // resendAfter: the button counts down and refuses meanwhile
    expect(send.disabled).to.equal(true);
    expect(send.textContent.trim()).to.match(/^Resend in (60|59) s$/);

    await typeInto(el, '#jd-unlock-code', '123456');
    expect($(el, '#jd-unlock-code').getAttribute('inputmode')).to.equal('numeric');
    click(el, '[part~="unlock"] button[type="submit"]');
    await waitUntil(() => !el.shadowRoot!.querySelector('[part~="unlock"]'), 'still on the unlock step');
    expect(bff.find('POST', '/v1/sessions/unlock')[0].body).to.deep.equal({
      identifier: 'alice@example.com',
      code: '123456',
    });
    // the sign-in form again: the success said next to it, the identifier kept, the password empty and focused
    expect(status(el)).to.equal('Account unlocked. Sign in again.');
    expect($(el, '[part~="status"]').getAttribute('part')).to.contain('success');
    expect($<HTMLInputElement>(el, '#jd-identifier').value).to.equal('alice@example.com');
    const password = $<HTMLInputElement>(el, '#jd-password');
    expect(password.value).to.equal('');
    await waitUntil(() => focused(el)?.matches('.step-title') === true, 'focus did not move to the sign-in step');
    expect(el.shadowRoot!.querySelector('[data-unlock]')).to.equal(null);
  });

  it('says a wrong code under the code field and stays on the step', async () => {
    const el = await mount();
    await toUnlock(el);
    click(el, '#jd-unlock-send');
    await waitUntil(() => note(el) !== '');
    await typeInto(el, '#jd-unlock-code', '000000');
    click(el, '[part~="unlock"] button[type="submit"]');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-unlock-code-error'), 'no error at the code');
    const code = $(el, '#jd-unlock-code');
    expect($(el, '#jd-unlock-code-error').textContent).to.equal('The verification code is incorrect.');
    expect(code.getAttribute('aria-invalid')).to.equal('true');
    expect(code.getAttribute('aria-describedby')).to.equal('jd-unlock-code-error');
    expect(code.nextElementSibling === $(el, '#jd-unlock-code-error'), 'the error is under the code field').to.equal(
      true,
    );
    await waitUntil(() => focused(el) === code, 'focus did not return to the code');
    expect(el.shadowRoot!.querySelector('[part~="unlock"]')).to.exist;
    // the sent note is not replaced by the code's error
    expect(note(el)).to.contain('If this account is locked');
  });

  it('checks the code format and the identifier before calling the BFF', async () => {
    const el = await mount();
    await toUnlock(el);
    await typeInto(el, '#jd-unlock-identifier', '  ');
    await typeInto(el, '#jd-unlock-code', '12ab');
    click(el, '[part~="unlock"] button[type="submit"]');
    await el.updateComplete;
    expect($(el, '#jd-unlock-identifier-error').textContent).to.equal('This field is required.');
    expect($(el, '#jd-unlock-code-error').textContent).to.equal('The verification code has 6 digits.');
    click(el, '#jd-unlock-send');
    await el.updateComplete;
    expect(bff.find('POST', '/v1/sessions/unlock')).to.have.length(0);
    expect(bff.find('POST', '/v1/sessions/unlock/code')).to.have.length(0);
  });

  it('says a send refused by the throttle next to the button and counts its seconds down', async () => {
    bff.routes['POST /v1/sessions/unlock/code'] = () => errorAnswer(429, 'too_many_attempts', { seconds: 42 });
    const el = await mount();
    await toUnlock(el);
    click(el, '#jd-unlock-send');
    await waitUntil(() => note(el) !== '');
    expect(note(el)).to.equal('Too many attempts. Try again in 42 seconds.');
    expect($(el, '[data-action="sendCode"]').classList.contains('is-error')).to.equal(true);
    const send = $<HTMLButtonElement>(el, '#jd-unlock-send');
    expect(send.disabled).to.equal(true);
    expect(send.textContent.trim()).to.match(/^Resend in (42|41) s$/);
  });

  it('"Back to sign-in" shows the lock message and its action again', async () => {
    const el = await mount();
    await toUnlock(el);
    click(el, '[part~="unlock"] [part~="cancel"]');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-password'), 'no sign-in form');
    expect(status(el)).to.contain('15 minutes');
    expect(el.shadowRoot!.querySelector('[data-unlock]')).to.exist;
  });

  it('a lock at the MFA step ends the pending sign-in and offers the unlock', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: mfaPending() });
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(429, 'account_locked', { minutes: 15 });
    bff.routes['DELETE /v1/session'] = () => ({ status: 204 });
    const el = await mount();
    await signInWith(el, 'alice_01', 'Str0ng!pw');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code'), 'no MFA step');
    await typeInto(el, '#jd-mfa-code', '123456');
    click(el, 'button[type="submit"]');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-unlock]'), 'no unlock action');
    expect(bff.find('DELETE', '/v1/session')).to.have.length(1);
    expect(status(el)).to.contain('15 minutes');
  });
});

describe('<jd-login> throttled sign-in', () => {
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff();
  });
  afterEach(() => bff.restore());

  it('says how many seconds to wait, right after the form, without an unlock action', async () => {
    bff.routes['POST /v1/sessions'] = () => errorAnswer(429, 'too_many_attempts', { seconds: 30 });
    const el = await mount();
    await signInWith(el, 'alice_01', 'Str0ng!pw');
    await waitUntil(() => status(el) !== '');
    expect(status(el)).to.equal('Too many attempts. Try again in 30 seconds.');
    expect(
      $(el, '[part~="status"]').previousElementSibling!.classList.contains('actions'),
      'status right after the actions',
    ).to.equal(true);
    expect(el.shadowRoot!.querySelector('[data-unlock]')).to.equal(null);
  });

  it('takes the seconds from Retry-After when the body has none (a proxy in front of the BFF)', async () => {
    bff.routes['POST /v1/sessions'] = () => ({
      status: 429,
      body: '<html>slow down</html>',
      headers: { 'retry-after': '12' },
    });
    const el = await mount('zh-CN');
    await signInWith(el, 'alice_01', 'Str0ng!pw');
    await waitUntil(() => status(el) !== '');
    expect(status(el)).to.equal('尝试次数过多，请 12 秒后重试。');
  });
});

describe('<jd-login> unlock in both locales', () => {
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff({
      'POST /v1/sessions': () => errorAnswer(429, 'account_locked', { minutes: 15 }),
      'POST /v1/sessions/unlock/code': () => UNLOCK_CODE_SENT,
      'POST /v1/sessions/unlock': () => ({ status: 200, body: { unlocked: true } }),
    });
  });
  afterEach(() => bff.restore());

  const TEXT = {
    en: {
      action: 'Unlock with a verification code',
      title: 'Unlock your account',
      channels: ['SMS', 'Voice call', 'Email'],
      send: 'Send code',
      sent: 'If this account is locked, a code was sent to its security phone or email.',
      submit: 'Unlock',
      back: 'Back to sign-in',
      unlocked: 'Account unlocked. Sign in again.',
    },
    'zh-CN': {
      action: '通过验证码解锁',
      title: '解锁账号',
      channels: ['短信', '语音电话', '邮箱'],
      send: '获取验证码',
      sent: '如果该账号已被锁定，验证码已发送至其安全手机或安全邮箱。',
      submit: '解锁',
      back: '返回登录',
      unlocked: '账号已解锁，请重新登录。',
    },
  } as const;

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`renders every text of the unlock (${locale})`, async () => {
      const text = TEXT[locale];
      const el = await mount(locale);
      await signInWith(el, 'alice_01', 'Wr0ng!pw');
      await waitUntil(() => el.shadowRoot!.querySelector('[data-unlock]'));
      expect($(el, '[data-unlock]').textContent.trim()).to.equal(text.action);
      click(el, '[data-unlock]');
      await waitUntil(() => el.shadowRoot!.querySelector('[part~="unlock"]'));
      expect($(el, '#jd-unlock-title').textContent).to.equal(text.title);
      expect($$(el, '[part~="unlock"] .choice').map((l) => l.textContent.trim())).to.deep.equal(text.channels);
      expect($(el, '#jd-unlock-send').textContent.trim()).to.equal(text.send);
      expect($(el, '[part~="unlock"] button[type="submit"]').textContent).to.equal(text.submit);
      expect($(el, '[part~="unlock"] [part~="cancel"]').textContent).to.equal(text.back);
      click(el, '#jd-unlock-send');
      await waitUntil(() => note(el) !== '');
      expect(note(el)).to.equal(text.sent);
      await typeInto(el, '#jd-unlock-code', '123456');
      click(el, '[part~="unlock"] button[type="submit"]');
      // the sign-in step again, its status saying so (the send's status went with the unlock step)
      await waitUntil(() => status(el) === text.unlocked);
    });
  }
});
