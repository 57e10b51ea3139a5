/**
 * <jd-login>'s "Log in with {provider}" (docs/product.md#25-sign-in-with-an-upstream-account): the
 * buttons from the tenant config, the start URL they navigate to, and coming back — the handle in
 * the URL fragment taken once and removed, resumed: signed in, the MFA step, or "Complete your
 * account" (the phone and its code, then signed in); an error said right above the buttons.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import { FEDERATION_ERROR_PARAM, FEDERATION_HANDLE_PARAM } from '../../shared/src/federation.ts';
import type { FederationActivation } from '../../shared/src/api.ts';
import * as federation from '../src/parts/federation.ts';
import { $, $$, FakeBff, TEST_CONFIG, errorAnswer, mfaPending, signedIn, typeInto } from './fake-bff.ts';

const CONFIG = {
  ...TEST_CONFIG,
  federation: {
    providers: [
      {
        id: 'jd',
        kind: 'oidc' as const,
        displayName: { 'zh-CN': '京东云', en: 'JD Cloud' },
        iconUrl: 'https://idp.example/jd.png',
      },
      { id: 'wx', kind: 'wechat' as const, displayName: { 'zh-CN': '微信', en: 'WeChat' } },
    ],
  },
};

const ACTIVATION: FederationActivation = {
  provider: 'jd',
  providerName: { 'zh-CN': '京东云', en: 'JD Cloud' },
  ticket: 'ticket_0123456789abcdef',
  expiresAt: '2099-01-01T00:00:00.000Z',
  phone: { region: 'CN', number: '13800138000' },
  email: 'li@example.com',
  name: 'Li Lei',
};

let bff: FakeBff;
let navigated: string[];
const originalAssign = federation.federationNavigation.assign;
let seq = 0;
/** A handle never used before in this page (the module remembers what it took). */
const handle = () => `handle_${Date.now()}_${++seq}_abcdefghijkl`;

async function mount(locale = 'en'): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

const root = (el: JdLogin) => el.shadowRoot!;
const click = (el: JdLogin, selector: string) => $<HTMLElement>(el, selector).click();
const statusOf = (el: JdLogin, action: string) =>
  root(el).querySelector(`[data-action="${action}"]`)?.textContent ?? '';
const fieldError = (el: JdLogin, field: string) => root(el).querySelector(`[data-field="${field}"]`)?.textContent ?? '';
const title = (el: JdLogin) => root(el).querySelector('.step-title')?.textContent ?? '';
const federationStatus = (el: JdLogin) => root(el).querySelector('[data-federation-status]')?.textContent.trim() ?? '';

describe('<jd-login> sign-in with an upstream provider', () => {
  beforeEach(() => {
    sessionStorage.clear();
    navigated = [];
    federation.federationNavigation.assign = (url) => void navigated.push(url);
    history.replaceState(null, '', location.pathname + location.search);
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: CONFIG }),
      'POST /v1/federation/resume': () => ({ status: 200, body: signedIn('alice_01') }),
      'POST /v1/verification-codes': () => ({
        status: 201,
        body: { sentTo: '138****8000', channel: 'sms', expiresIn: 600, resendAfter: 60 },
      }),
      'POST /v1/federation/activate': (req) =>
        (req.body as { code: string }).code === '123456'
          ? { status: 201, body: { ...signedIn('alice_01'), account: { ...signedIn().account, accountName: null } } }
          : errorAnswer(400, 'code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]),
    });
  });
  afterEach(() => {
    bff.restore();
    federation.federationNavigation.assign = originalAssign;
    history.replaceState(null, '', location.pathname + location.search);
  });

  it('uses the same fragment keys as the BFF', () => {
    expect(federation.FEDERATION_HANDLE_PARAM).to.equal(FEDERATION_HANDLE_PARAM);
    expect(federation.FEDERATION_ERROR_PARAM).to.equal(FEDERATION_ERROR_PARAM);
  });

  it('shows a button per provider under the form, named in the element locale, not for a sub-user', async () => {
    bff.routes['GET /v1/config'] = () => ({ status: 200, body: TEST_CONFIG });
    const none = await mount();
    expect(root(none).querySelector('[part~="federation"]'), 'no providers: no row').to.equal(null);

    bff.routes['GET /v1/config'] = () => ({ status: 200, body: CONFIG });
    const el = await mount();
    const row = $(el, '[part="federation"]');
    expect(row.previousElementSibling?.matches('form'), 'below the form').to.equal(true);
    expect($(el, '.divider').textContent.trim()).to.equal('or');
    const buttons = $$<HTMLButtonElement>(el, '[part~="federation-button"]');
    expect(buttons.map((b) => b.textContent.trim())).to.deep.equal(['Log in with JD Cloud', 'Log in with WeChat']);
    expect(buttons[0].getAttribute('part')).to.equal('button federation-button');
    const icon = buttons[0].querySelector('img')!;
    expect(icon.getAttribute('alt')).to.equal('');
    expect(icon.getAttribute('src')).to.equal('https://idp.example/jd.png');
    expect(buttons[1].querySelector('img')).to.equal(null);

    click(el, '[data-sub]');
    await waitUntil(() => root(el).querySelector('#jd-sub-user'));
    expect(root(el).querySelector('[part~="federation"]'), 'sub-user: no row').to.equal(null);

    const zh = await mount('zh-CN');
    expect($$(zh, '[part~="federation-button"]').map((b) => b.textContent.trim())).to.deep.equal([
      '使用京东云登录',
      '使用微信登录',
    ]);
    expect($(zh, '.divider').textContent.trim()).to.equal('或');
  });

  it('fits 390 px: the buttons wrap a long name instead of overflowing', async () => {
    bff.routes['GET /v1/config'] = () => ({
      status: 200,
      body: {
        ...CONFIG,
        federation: {
          providers: [
            {
              id: 'long',
              kind: 'oidc' as const,
              displayName: {
                'zh-CN': '一个名字非常非常长的身份提供商',
                en: 'AVeryVeryLongIdentityProviderNameWithoutSpaces',
              },
            },
          ],
        },
      },
    });
    const box = await fixture<HTMLDivElement>(
      html`<div style="width:390px"><jd-login publishable-key="pk_test_1" locale="en"></jd-login></div>`,
    );
    const el = box.querySelector('jd-login')!;
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="federation-button"]'), 'no buttons');
    const button = $(el, '[part~="federation-button"]');
    expect(el.scrollWidth).to.be.at.most(390);
    expect(button.getBoundingClientRect().right).to.be.at.most(el.getBoundingClientRect().right);
  });

  it('a button sends the page to the start URL: key, this page without its fragment, mode and locale', async () => {
    history.replaceState(null, '', `${location.pathname}${location.search}#section-2`);
    const el = await mount();
    click(el, '[data-provider="jd"]');
    expect(navigated).to.have.length(1);
    const url = new URL(navigated[0]);
    expect(url.origin).to.equal(location.origin);
    expect(url.pathname).to.equal('/v1/federation/jd/start');
    expect(url.searchParams.get('key')).to.equal('pk_test_1');
    expect(url.searchParams.get('return_to')).to.equal(`${location.origin}${location.pathname}${location.search}`);
    expect(url.searchParams.get('mode')).to.equal('cookie');
    expect(url.searchParams.get('locale')).to.equal('en');

    // another origin's BFF: a token session, and the BFF's origin
    const other = await fixture<JdLogin>(
      html`<jd-login publishable-key="pk_test_2" api-base="https://bff.example/" locale="zh-CN"></jd-login>`,
    );
    await waitUntil(() => other.shadowRoot!.querySelector('[data-provider="wx"]'), 'no buttons');
    click(other, '[data-provider="wx"]');
    const second = new URL(navigated[1]);
    expect(second.href.startsWith('https://bff.example/v1/federation/wx/start?')).to.equal(true);
    expect(second.searchParams.get('mode')).to.equal('token');
    expect(second.searchParams.get('locale')).to.equal('zh-CN');
    expect(second.searchParams.get('key')).to.equal('pk_test_2');
  });

  it('takes the handle from the fragment at once (the rest kept), resumes it once and signs in', async () => {
    const h = handle();
    history.replaceState(null, '', `${location.pathname}${location.search}#tab=2&${FEDERATION_HANDLE_PARAM}=${h}`);
    const logins: unknown[] = [];
    document.addEventListener('jd-login', (e) => logins.push((e as CustomEvent).detail));
    const box = await fixture<HTMLDivElement>(
      html`<div>
        <jd-login publishable-key="pk_test_1" locale="en"></jd-login>
        <jd-login publishable-key="pk_test_1" locale="en"></jd-login>
      </div>`,
    );
    const [a, b] = [...box.querySelectorAll('jd-login')];
    await waitUntil(() => logins.length > 0, 'no jd-login');
    expect(location.hash).to.equal('#tab=2');
    const resumes = bff.find('POST', '/v1/federation/resume');
    expect(resumes, 'one element resumes').to.have.length(1);
    expect(resumes[0].body).to.deep.equal({ handle: h });
    await waitUntil(
      () => a.shadowRoot!.querySelector('[part~="signed-in"]') && b.shadowRoot!.querySelector('[part~="signed-in"]'),
    );
    expect(logins).to.have.length(1);
  });

  it('with MFA bound: the MFA step comes next', async () => {
    bff.routes['POST /v1/federation/resume'] = () => ({ status: 200, body: mfaPending('alice_01') });
    history.replaceState(null, '', `#${FEDERATION_HANDLE_PARAM}=${handle()}`);
    let login: unknown;
    const el = await mount();
    el.addEventListener('jd-login', (e) => (login = (e as CustomEvent).detail));
    await waitUntil(() => root(el).querySelector('#jd-mfa-title'), 'no MFA step');
    expect(login, 'not signed in before the MFA code').to.equal(undefined);
    expect(location.hash).to.equal('');
  });

  it('a first sign-in completes the account: prefilled phone, a code sent, errors at their fields, then signed in', async () => {
    bff.routes['POST /v1/federation/resume'] = () => ({ status: 200, body: { activation: ACTIVATION } });
    history.replaceState(null, '', `#${FEDERATION_HANDLE_PARAM}=${handle()}`);
    const el = await mount();
    let login: { account: { accountName: string | null } } | undefined;
    el.addEventListener('jd-login', (e) => (login = (e as CustomEvent).detail));
    await waitUntil(() => title(el) === 'Complete your account', 'no activation step');
    expect($(el, '[part~="activation"] .step-lead').textContent).to.equal('Signed in with JD Cloud as Li Lei.');
    expect($<HTMLSelectElement>(el, '#jd-activation-region').value).to.equal('CN');
    expect($<HTMLInputElement>(el, '#jd-activation-phone').value).to.equal('13800138000');
    expect($<HTMLInputElement>(el, '#jd-activation-email').value).to.equal('li@example.com');

    // Send code: purpose register, the note right after the button
    click(el, 'input[name="channel"][value="voice"]');
    click(el, '#jd-activation-send');
    await waitUntil(() => statusOf(el, 'sendCode') !== '', 'no sent note');
    expect(bff.find('POST', '/v1/verification-codes')[0].body).to.deep.equal({
      phone: { region: 'CN', number: '13800138000' },
      purpose: 'register',
      channel: 'voice',
    });
    const send = $<HTMLButtonElement>(el, '#jd-activation-send');
    expect(send.parentElement!.nextElementSibling === $(el, '[data-action="sendCode"]')).to.equal(true);

    // checked before any request: the agreements and the code
    click(el, '[part~="activation"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'agreements') !== '', 'no agreements error');
    expect(fieldError(el, 'phoneCode')).to.not.equal('');
    expect(bff.find('POST', '/v1/federation/activate')).to.have.length(0);

    click(el, '#jd-agreements');
    await typeInto(el, '#jd-activation-code', '000000');
    await typeInto(el, '#jd-activation-referral', 'REF_1');
    click(el, '[part~="activation"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'phoneCode') !== '', 'no code error');
    expect(fieldError(el, 'phoneCode')).to.equal('The verification code is incorrect.');
    expect($(el, '#jd-activation-code').getAttribute('aria-describedby')).to.contain('jd-activation-code-error');

    // an email error from the BFF goes under the email
    bff.routes['POST /v1/federation/activate'] = () =>
      errorAnswer(400, 'email_invalid', undefined, [{ path: 'email', code: 'email_invalid' }]);
    await typeInto(el, '#jd-activation-code', '123456');
    click(el, '[part~="activation"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'email') !== '', 'no email error');
    expect(fieldError(el, 'phoneCode')).to.equal('');

    bff.routes['POST /v1/federation/activate'] = () => ({
      status: 201,
      body: { ...signedIn('alice_01'), account: { ...signedIn().account, accountName: null } },
    });
    click(el, '[part~="activation"] button[type="submit"]');
    await waitUntil(() => login, 'no jd-login');
    const body = bff.find('POST', '/v1/federation/activate').at(-1)!.body;
    expect(body).to.deep.equal({
      ticket: ACTIVATION.ticket,
      phone: { region: 'CN', number: '13800138000' },
      code: '123456',
      agreements: [
        { key: 'registration', version: '1.0' },
        { key: 'privacy', version: '2.1' },
      ],
      email: 'li@example.com',
      referralCode: 'REF_1',
    });
    expect(login!.account.accountName).to.equal(null);
    // no account name yet: the greeting names the masked phone
    await waitUntil(() => root(el).querySelector('[part~="signed-in"]'), 'not signed in');
    expect($(el, '[part~="signed-in"]').textContent).to.equal('Signed in as 138****8000');
  });

  it('an expired activation leaves "Start again", which returns to the sign-in form', async () => {
    bff.routes['POST /v1/federation/resume'] = () => ({ status: 200, body: { activation: ACTIVATION } });
    bff.routes['POST /v1/federation/activate'] = () => errorAnswer(400, 'federation_expired');
    history.replaceState(null, '', `#${FEDERATION_HANDLE_PARAM}=${handle()}`);
    const el = await mount();
    await waitUntil(() => title(el) === 'Complete your account', 'no activation step');
    click(el, '#jd-agreements');
    await typeInto(el, '#jd-activation-code', '123456');
    click(el, '[part~="activation"] button[type="submit"]');
    await waitUntil(() => root(el).querySelector('[part~="start-again"][part~="button"]'), 'no Start again');
    expect(statusOf(el, 'activate')).to.equal('This sign-in has expired. Please start again.');
    click(el, '[part~="start-again"]');
    await waitUntil(() => root(el).querySelector('#jd-password'), 'not back');
    expect(title(el)).to.equal('Sign in');
  });

  it('an error in the fragment, or from the resume, is said right above the buttons', async () => {
    sessionStorage.setItem('jd-federation:provider', 'wx');
    history.replaceState(null, '', `#${FEDERATION_ERROR_PARAM}=federation_failed&x=1`);
    const el = await mount();
    await waitUntil(() => federationStatus(el) !== '', 'no error');
    expect(federationStatus(el)).to.equal('The sign-in with WeChat did not complete. Please try again.');
    expect(location.hash).to.equal('#x=1');
    expect(bff.find('POST', '/v1/federation/resume')).to.have.length(0);
    const live = $(el, '[data-federation-status]');
    expect(live.getAttribute('aria-live')).to.equal('polite');
    expect(live.nextElementSibling?.matches('[part~="federation-button"]')).to.equal(true);

    bff.routes['POST /v1/federation/resume'] = () => errorAnswer(400, 'federation_expired');
    history.replaceState(null, '', `#${FEDERATION_HANDLE_PARAM}=${handle()}`);
    const again = await mount('zh-CN');
    await waitUntil(() => federationStatus(again) !== '', 'no resume error');
    expect(federationStatus(again)).to.equal('本次登录已过期，请重新开始。');
  });
});
