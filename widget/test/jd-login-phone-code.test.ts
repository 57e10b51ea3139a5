/**
 * <jd-login>'s "Sign in with a verification code" (docs/product.md#22-sign-in-with-a-phone-code):
 * offered when the tenant config names regions for it (not to a sub-user); the region and phone,
 * the channel, "Send code" (the BFF answers alike for any phone), the code and "Sign in" — then as
 * the password's sign-in: signed in, or the MFA step.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import {
  $,
  $$,
  FakeBff,
  TEST_CONFIG,
  UNLOCK_CODE_SENT,
  errorAnswer,
  mfaPending,
  signedIn,
  typeInto,
} from './fake-bff.ts';

let bff: FakeBff;

async function mount(): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale="en"></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

const root = (el: JdLogin) => el.shadowRoot!;
const click = (el: JdLogin, selector: string) => $<HTMLElement>(el, selector).click();
const statusOf = (el: JdLogin, action: string) =>
  root(el).querySelector(`[data-action="${action}"]`)?.textContent ?? '';
const fieldError = (el: JdLogin, field: string) => root(el).querySelector(`[data-field="${field}"]`)?.textContent ?? '';
const title = (el: JdLogin) => root(el).querySelector('.step-title')?.textContent ?? '';
const submitCode = (el: JdLogin) => click(el, '[part~="phone-code"] button[type="submit"]');

/** The phone-code step, the phone typed and a code sent. */
async function toCode(el: JdLogin): Promise<void> {
  click(el, '[data-phone-code]');
  await waitUntil(() => root(el).querySelector('#jd-phone-code-number'), 'no phone-code step');
  await typeInto(el, '#jd-phone-code-number', '138 0013 8000');
  click(el, '#jd-phone-code-send');
  await waitUntil(() => statusOf(el, 'sendCode') !== '', 'no sent note');
}

describe('<jd-login> sign-in with a phone code', () => {
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, phoneCodeSignIn: { regions: ['CN'] } } }),
      'POST /v1/sessions/phone-code/code': (req) =>
        (req.body as { phone: { region: string } }).phone.region === 'CN'
          ? UNLOCK_CODE_SENT
          : errorAnswer(400, 'phone_code_sign_in_unavailable', undefined, [
              { path: 'phone', code: 'phone_code_sign_in_unavailable' },
            ]),
      'POST /v1/sessions/phone-code': (req) =>
        (req.body as { code: string }).code === '123456'
          ? { status: 200, body: signedIn('alice_01') }
          : errorAnswer(400, 'code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]),
    });
  });
  afterEach(() => bff.restore());

  it('is offered only when the tenant names regions for it, and not to a sub-user', async () => {
    bff.routes['GET /v1/config'] = () => ({ status: 200, body: TEST_CONFIG });
    const none = await mount();
    expect(root(none).querySelector('[data-phone-code]'), 'no config: no link').to.equal(null);
    bff.routes['GET /v1/config'] = () => ({ status: 200, body: { ...TEST_CONFIG, phoneCodeSignIn: { regions: [] } } });
    const empty = await mount();
    expect(root(empty).querySelector('[data-phone-code]'), 'no regions: no link').to.equal(null);
    bff.routes['GET /v1/config'] = () => ({
      status: 200,
      body: { ...TEST_CONFIG, phoneCodeSignIn: { regions: ['CN'] } },
    });
    const el = await mount();
    const link = $<HTMLButtonElement>(el, '[data-phone-code]');
    expect(link.textContent.trim()).to.equal('Sign in with a verification code');
    expect(link.getAttribute('part')).to.equal('link phone-code');
    click(el, '[data-sub]');
    await waitUntil(() => root(el).querySelector('#jd-sub-user'));
    expect(root(el).querySelector('[data-phone-code]'), 'sub-user: no link').to.equal(null);
  });

  it('sends a code to the phone, counts down, says a wrong code at its field, and signs in', async () => {
    const el = await mount();
    let login: unknown;
    el.addEventListener('jd-login', (e) => (login = (e as CustomEvent).detail));
    click(el, '[data-phone-code]');
    await waitUntil(() => title(el) === 'Sign in with a verification code', 'no phone-code step');
    await waitUntil(() => root(el).activeElement?.id === 'jd-phone-code-title', 'focus did not move to the step');
    // only the regions named for it
    expect($$<HTMLOptionElement>(el, '#jd-phone-code-region option').map((o) => o.value)).to.deep.equal(['CN']);
    expect($$<HTMLInputElement>(el, 'input[name="channel"]').map((r) => r.value)).to.deep.equal(['sms', 'voice']);
    // the phone is checked before any request
    click(el, '#jd-phone-code-send');
    await waitUntil(() => fieldError(el, 'phone.number') !== '', 'no phone error');
    await typeInto(el, '#jd-phone-code-number', '12345');
    click(el, '#jd-phone-code-send');
    await waitUntil(() => fieldError(el, 'phone.number') === 'Enter a valid mobile phone number.');
    expect(bff.find('POST', '/v1/sessions/phone-code/code')).to.have.length(0);

    await typeInto(el, '#jd-phone-code-number', '138 0013 8000');
    click(el, 'input[name="channel"][value="voice"]');
    click(el, '#jd-phone-code-send');
    await waitUntil(() => statusOf(el, 'sendCode') !== '', 'no sent note');
    expect(statusOf(el, 'sendCode')).to.equal('If this phone can sign in, a code was sent to it.');
    expect(bff.find('POST', '/v1/sessions/phone-code/code')[0].body).to.deep.equal({
      phone: { region: 'CN', number: '13800138000' },
      channel: 'voice',
    });
    // the note follows the send row, and the button counts down
    const send = $<HTMLButtonElement>(el, '#jd-phone-code-send');
    expect(send.parentElement!.nextElementSibling === $(el, '[data-action="sendCode"]')).to.equal(true);
    expect(send.disabled).to.equal(true);
    expect(send.textContent.trim()).to.match(/^Resend in \d+ s$/);

    // a wrong code is said at the code field, and the step stays
    await typeInto(el, '#jd-phone-code', '000000');
    submitCode(el);
    await waitUntil(() => fieldError(el, 'phoneCode') !== '', 'no code error');
    expect(fieldError(el, 'phoneCode')).to.equal('The verification code is incorrect.');
    expect(title(el)).to.equal('Sign in with a verification code');
    await typeInto(el, '#jd-phone-code', '123456');
    submitCode(el);
    await waitUntil(() => login, 'no jd-login');
    expect(bff.find('POST', '/v1/sessions/phone-code')[1].body).to.deep.equal({
      phone: { region: 'CN', number: '13800138000' },
      code: '123456',
    });
    await waitUntil(() => root(el).querySelector('[part~="signed-in"]'), 'not signed in');
  });

  it('with MFA bound: the MFA step comes next', async () => {
    bff.routes['POST /v1/sessions/phone-code'] = () => ({ status: 200, body: mfaPending('alice_01') });
    const el = await mount();
    let login: unknown;
    el.addEventListener('jd-login', (e) => (login = (e as CustomEvent).detail));
    await toCode(el);
    await typeInto(el, '#jd-phone-code', '123456');
    submitCode(el);
    await waitUntil(() => root(el).querySelector('#jd-mfa-title'), 'no MFA step');
    expect(login, 'not signed in before the MFA code').to.equal(undefined);
  });

  it('a region the tenant does not allow is said at the phone; too many attempts count the button down', async () => {
    bff.routes['GET /v1/config'] = () => ({
      status: 200,
      body: { ...TEST_CONFIG, phoneCodeSignIn: { regions: ['CN', 'HK'] } },
    });
    const el = await mount();
    click(el, '[data-phone-code]');
    await waitUntil(() => root(el).querySelector('#jd-phone-code-region'), 'no phone-code step');
    await typeInto(el, '#jd-phone-code-region', 'HK');
    await typeInto(el, '#jd-phone-code-number', '51234567');
    click(el, '#jd-phone-code-send');
    await waitUntil(() => fieldError(el, 'phone.number') !== '', 'no unavailable error');
    expect(fieldError(el, 'phone.number')).to.contain('not available for this phone number');
    expect($(el, '#jd-phone-code-number').getAttribute('aria-invalid')).to.equal('true');
    expect(bff.find('POST', '/v1/sessions/phone-code/code')[0].body).to.deep.equal({
      phone: { region: 'HK', number: '51234567' },
      channel: 'sms',
    });

    bff.routes['POST /v1/sessions/phone-code/code'] = () => errorAnswer(429, 'too_many_attempts', { seconds: 42 });
    await typeInto(el, '#jd-phone-code-region', 'CN');
    await typeInto(el, '#jd-phone-code-number', '13800138000');
    click(el, '#jd-phone-code-send');
    await waitUntil(() => statusOf(el, 'sendCode') !== '', 'no throttle message');
    expect(statusOf(el, 'sendCode')).to.contain('42');
    const send = $<HTMLButtonElement>(el, '#jd-phone-code-send');
    expect(send.disabled).to.equal(true);
    expect(send.textContent.trim()).to.match(/^Resend in 4\d s$/);
  });

  it('"Sign in with a password" returns to the sign-in form', async () => {
    const el = await mount();
    click(el, '[data-phone-code]');
    await waitUntil(() => root(el).querySelector('[data-password]'), 'no phone-code step');
    expect($(el, '[data-password]').textContent.trim()).to.equal('Sign in with a password');
    click(el, '[data-password]');
    await waitUntil(() => root(el).querySelector('#jd-password'), 'not back');
    expect(title(el)).to.equal('Sign in');
  });
});
