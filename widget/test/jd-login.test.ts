import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import { defaultSessionMode, tokenStorageKey, type JdLogin } from '../src/index.ts';
import { $, FakeBff, errorAnswer, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

async function mount(locale = 'en', sessionMode = ''): Promise<JdLogin> {
  const el = await fixture<JdLogin>(
    html`<jd-login publishable-key="pk_test_1" locale=${locale} session-mode=${sessionMode}></jd-login>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form, [part~="signed-in"]'), 'login did not render');
  return el;
}

async function signInWith(el: JdLogin, identifier: string, password: string): Promise<void> {
  await typeInto(el, '#jd-identifier', identifier);
  await typeInto(el, '#jd-password', password);
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
}

describe('<jd-login>', () => {
  beforeEach(() => {
    bff = new FakeBff();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('asks for the session on connect and shows the form when not signed in', async () => {
    const el = await mount();
    expect(bff.find('GET', '/v1/session')).to.have.length(1);
    expect($(el, '#jd-identifier').getAttribute('autocomplete')).to.equal('username');
    expect($(el, '#jd-password').getAttribute('autocomplete')).to.equal('current-password');
    expect($(el, 'label[for="jd-identifier"]').textContent).to.equal('Account name, phone or email');
  });

  it('refuses empty fields without calling the BFF', async () => {
    const el = await mount();
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await el.updateComplete;
    expect(bff.find('POST', '/v1/sessions')).to.have.length(0);
    expect($(el, '#jd-identifier').getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-identifier-error').textContent).to.contain('This field is required.');
    await waitUntil(() => el.shadowRoot!.activeElement === $(el, '#jd-identifier'));
  });

  it('shows the multiple-accounts message at the identifier when the server answers with that code', async () => {
    bff.routes['POST /v1/sessions'] = () => errorAnswer(401, 'identifier_multiple_accounts');
    const el = await mount();
    await signInWith(el, '13800138000', 'Str0ng!pw');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-identifier-error'));
    const input = $(el, '#jd-identifier');
    expect($(el, '#jd-identifier-error').textContent).to.contain(
      'This mobile phone number/email has been associated with multiple accounts and cannot be used for login; please use the account name.',
    );
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.equal('jd-identifier-error');
  });

  it('shows the multiple-accounts message in Chinese too', async () => {
    bff.routes['POST /v1/sessions'] = () => errorAnswer(401, 'identifier_multiple_accounts');
    const el = await mount('zh-CN');
    expect($(el, 'h2').textContent).to.equal('登录');
    await signInWith(el, '13800138000', 'Str0ng!pw');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-identifier-error'));
    expect($(el, '#jd-identifier-error').textContent).to.contain('该手机号/邮箱已关联多个账号');
  });

  it('announces invalid credentials and fires jd-error', async () => {
    bff.routes['POST /v1/sessions'] = () => errorAnswer(401, 'invalid_credentials');
    const el = await mount();
    const errorEvent = oneEvent(el, 'jd-error');
    await signInWith(el, 'alice_01', 'wrong-pw1');
    expect((await errorEvent).detail).to.deep.equal({
      code: 'invalid_credentials',
      message: 'Account or password incorrect.',
    });
    await el.updateComplete;
    expect($(el, '[aria-live="polite"]').textContent).to.contain('Account or password incorrect.');
  });

  it('signs in and fires jd-login with the account and session', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: signedIn('alice_01') });
    const el = await mount();
    const loggedIn = oneEvent(el, 'jd-login');
    await signInWith(el, ' alice_01 ', 'Str0ng!pw');
    const ev = await loggedIn;
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(ev.detail).to.deep.equal(signedIn('alice_01'));
    const [req] = bff.find('POST', '/v1/sessions');
    expect(req.body).to.deep.equal({ identifier: 'alice_01', password: 'Str0ng!pw' });
    expect(req.credentials).to.equal('include');
    await el.updateComplete;
    expect($(el, '[part~="signed-in"]').textContent).to.equal('Signed in as alice_01');
  });

  it('shows who is signed in and signs out', async () => {
    bff.routes['GET /v1/session'] = () => ({ status: 200, body: signedIn('bob_1234') });
    bff.routes['DELETE /v1/session'] = () => ({ status: 204 });
    const el = await mount();
    expect($(el, '[part~="signed-in"]').textContent).to.equal('Signed in as bob_1234');
    expect(el.shadowRoot!.querySelector('form')).to.equal(null);
    const loggedOut = oneEvent(el, 'jd-logout');
    $<HTMLButtonElement>(el, '[part~="sign-out"]').click();
    await loggedOut;
    expect(bff.find('DELETE', '/v1/session')).to.have.length(1);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('form')).to.exist;
    expect($(el, '[aria-live="polite"]').textContent).to.contain('You have signed out.');
  });

  it('in token mode stores the bearer token, sends it, and clears it on sign-out', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: signedIn('alice_01', 'tok_abc') });
    bff.routes['DELETE /v1/session'] = () => ({ status: 204 });
    const el = await mount('en', 'token');
    expect(bff.find('GET', '/v1/session'), 'no token yet, nothing to ask').to.have.length(0);
    const loggedIn = oneEvent(el, 'jd-login');
    await signInWith(el, 'alice_01', 'Str0ng!pw');
    await loggedIn;
    const [post] = bff.find('POST', '/v1/sessions');
    expect(post.headers['x-jd-session-mode']).to.equal('token');
    expect(post.credentials).to.equal('omit');
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1'))).to.equal('tok_abc');

    await el.updateComplete;
    $<HTMLButtonElement>(el, '[part~="sign-out"]').click();
    await oneEvent(el, 'jd-logout');
    const [del] = bff.find('DELETE', '/v1/session');
    expect(del.headers['authorization']).to.equal('Bearer tok_abc');
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1'))).to.equal(null);
  });

  it('in token mode restores the session from the stored token and drops it on 401', async () => {
    sessionStorage.setItem(tokenStorageKey('pk_test_1'), 'tok_old');
    bff.routes['GET /v1/session'] = (req) =>
      req.headers['authorization'] === 'Bearer tok_old' ? errorAnswer(401, 'not_signed_in') : { status: 500 };
    const el = await mount('en', 'token');
    expect(bff.find('GET', '/v1/session')[0].headers['authorization']).to.equal('Bearer tok_old');
    expect(sessionStorage.getItem(tokenStorageKey('pk_test_1'))).to.equal(null);
    expect(el.shadowRoot!.querySelector('form')).to.exist;

    // one session per page: an element added after the page's last one left asks the BFF afresh
    el.remove();
    sessionStorage.setItem(tokenStorageKey('pk_test_1'), 'tok_good');
    bff.routes['GET /v1/session'] = () => ({ status: 200, body: signedIn('carol_99') });
    const again = await mount('en', 'token');
    expect($(again, '[part~="signed-in"]').textContent).to.equal('Signed in as carol_99');
  });

  it('defaults to token mode for a BFF on another origin and cookies on the same origin', () => {
    expect(defaultSessionMode('')).to.equal('cookie');
    expect(defaultSessionMode(location.origin)).to.equal('cookie');
    expect(defaultSessionMode('/api')).to.equal('cookie');
    expect(defaultSessionMode('https://auth.example.com')).to.equal('token');
  });

  it('talks to a BFF on another origin through api-base, in token mode by default', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: signedIn('alice_01', 'tok_x') });
    const el = await fixture<JdLogin>(
      html`<jd-login publishable-key="pk_x" api-base="https://auth.example.test/" locale="en"></jd-login>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('form'));
    expect(bff.find('GET', '/v1/config')[0].origin).to.equal('https://auth.example.test');
    await signInWith(el, 'alice_01', 'Str0ng!pw');
    await waitUntil(() => sessionStorage.getItem(tokenStorageKey('pk_x')) === 'tok_x');
    expect(bff.find('POST', '/v1/sessions')[0].headers['x-jd-session-mode']).to.equal('token');
    expect(el.hasAttribute('session-mode'), 'unset attributes are not reflected').to.equal(false);
  });

  it('reports a network failure as network_error', async () => {
    bff.routes['POST /v1/sessions'] = () => {
      throw new TypeError('Failed to fetch');
    };
    const el = await mount();
    const errorEvent = oneEvent(el, 'jd-error');
    await signInWith(el, 'alice_01', 'Str0ng!pw');
    expect((await errorEvent).detail.code).to.equal('network_error');
  });

  it('fires jd-navigate to registration', async () => {
    const el = await mount();
    const nav = oneEvent(el, 'jd-navigate');
    $<HTMLButtonElement>(el, '[part~="footer"] [part~="link"]').click();
    expect((await nav).detail).to.deep.equal({ to: 'register' });
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: form, errors and signed-in state`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();

      bff.routes['GET /v1/session'] = () => ({ status: 200, body: signedIn('dave_007') });
      const signedInEl = await mount(locale);
      await expect(signedInEl).to.be.accessible();
    });
  }
});
