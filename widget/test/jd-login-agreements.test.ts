/**
 * <jd-login>'s updated-agreements step (docs/product.md#16-agreements): when the tenant published agreement versions the
 * account has not accepted, the full sign-in answer names them (`agreementsToAccept`) and the
 * element asks for them — every one checked, POST /v1/consents — before it fires `jd-login`.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import type { SignedIn } from '../../shared/src/api.ts';
import type { Agreement } from '../../shared/src/tenant.ts';
import { $, $$, FakeBff, errorAnswer, mfaPending, signedIn, typeInto } from './fake-bff.ts';

const UPDATED: Agreement[] = [
  {
    key: 'privacy',
    version: '3.0',
    title: { 'zh-CN': '隐私政策', en: 'Privacy Policy' },
    url: { 'zh-CN': '/legal/privacy?lang=zh', en: 'https://acme.test/legal/privacy' },
  },
  {
    key: 'service',
    version: '2.0',
    title: { 'zh-CN': '服务协议', en: 'Service Agreement' },
    url: { 'zh-CN': 'javascript:alert(1)', en: 'javascript:alert(1)' },
  },
];

/** A full sign-in answer that asks for the updated agreements. */
const asking = (agreements = UPDATED): SignedIn => ({ ...signedIn('alice_01'), agreementsToAccept: agreements });

let bff: FakeBff;

async function mount(locale = 'en'): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

/** Signs in with the password and waits for the agreements step. */
async function toAgreements(el: JdLogin): Promise<void> {
  await typeInto(el, '#jd-identifier', 'alice_01');
  await typeInto(el, '#jd-password', 'Str0ng!pw');
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
  await waitUntil(() => el.shadowRoot!.querySelector('#jd-agreements-title'), 'no agreements step');
}

async function check(el: JdLogin, i: number): Promise<void> {
  $<HTMLInputElement>(el, `#jd-agreement-${i}`).click();
  await el.updateComplete;
}

async function accept(el: JdLogin): Promise<void> {
  $<HTMLButtonElement>(el, 'form[part~="agreements"] button[type="submit"]').click();
  await el.updateComplete;
}

const status = (el: JdLogin) => $(el, '[aria-live="polite"]').textContent.trim();

describe('<jd-login> updated agreements', () => {
  let logins: CustomEvent[];
  const onLogin = (e: Event) => logins.push(e as CustomEvent);

  beforeEach(() => {
    bff = new FakeBff({
      'POST /v1/sessions': () => ({ status: 200, body: asking() }),
      'POST /v1/consents': () => ({ status: 200, body: { agreementsToAccept: [] } }),
      'DELETE /v1/session': () => ({ status: 204 }),
    });
    sessionStorage.clear();
    logins = [];
    document.addEventListener('jd-login', onLogin);
  });
  afterEach(() => {
    bff.restore();
    document.removeEventListener('jd-login', onLogin);
  });

  it('asks after a password sign-in, with each agreement as a safe link and a labelled checkbox, focus on the heading', async () => {
    const el = await mount();
    await toAgreements(el);
    expect(logins, 'no jd-login before the agreements are accepted').to.have.length(0);
    const heading = $(el, '#jd-agreements-title');
    expect(heading.textContent).to.equal('Updated agreements');
    await waitUntil(() => el.shadowRoot!.activeElement === heading, 'focus did not move to the step heading');
    expect($(el, '#jd-agreements-intro').textContent).to.contain('Please read and accept them');
    expect($$(el, '#jd-password, [part~="signed-in"]')).to.have.length(0);

    const boxes = $$<HTMLInputElement>(el, 'input[type="checkbox"]');
    expect(boxes).to.have.length(2);
    expect(boxes.every((b) => !b.checked)).to.equal(true);
    // each checkbox is labelled by its agreement's text (label[for])
    expect($(el, 'label[for="jd-agreement-0"]').textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'I have read and agree to the Privacy Policy',
    );
    expect($(el, 'label[for="jd-agreement-1"]').textContent.replace(/\s+/g, ' ').trim()).to.equal(
      'I have read and agree to the Service Agreement',
    );
    // an https URL is a link; a javascript: URL is only text (safeUrl, as at registration)
    const links = $$<HTMLAnchorElement>(el, 'form[part~="agreements"] a[part~="link"]');
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['https://acme.test/legal/privacy']);
    expect(links[0].rel).to.equal('noopener noreferrer');
    expect(el.shadowRoot!.innerHTML).not.to.contain('javascript:');
    // no registration link while asking
    expect($$(el, '[part~="footer"] [part~="link"]')).to.have.length(0);
  });

  it('posts exactly the versions asked for and fires jd-login once they are accepted', async () => {
    const el = await mount();
    await toAgreements(el);
    await check(el, 0);
    await check(el, 1);
    const loggedIn = oneEvent(el, 'jd-login');
    await accept(el);
    const ev = await loggedIn;
    expect(ev.detail).to.deep.equal({ account: signedIn('alice_01').account, session: signedIn('alice_01').session });
    const [req] = bff.find('POST', '/v1/consents');
    expect(req.body).to.deep.equal({
      agreements: [
        { key: 'privacy', version: '3.0' },
        { key: 'service', version: '2.0' },
      ],
    });
    expect(req.credentials).to.equal('include');
    await el.updateComplete;
    expect($(el, '[part~="signed-in"]').textContent).to.equal('Signed in as alice_01');
    expect($$(el, 'form[part~="agreements"]')).to.have.length(0);
    expect(logins).to.have.length(1);
  });

  it('refuses to go on with an unchecked agreement: error at the checkboxes, announced, and no request', async () => {
    const el = await mount();
    await toAgreements(el);
    await check(el, 1);
    await accept(el);
    expect(bff.find('POST', '/v1/consents')).to.have.length(0);
    expect(logins).to.have.length(0);
    const error = $(el, '#jd-agreements-error');
    expect(error.textContent.trim()).to.equal('Please read and accept the agreements.');
    expect(status(el)).to.equal('Please read and accept the agreements.');
    const first = $<HTMLInputElement>(el, '#jd-agreement-0');
    expect(first.getAttribute('aria-invalid')).to.equal('true');
    expect(first.getAttribute('aria-describedby')).to.equal('jd-agreements-error');
    expect($(el, '#jd-agreement-1').getAttribute('aria-invalid')).to.equal('false');
    await waitUntil(() => el.shadowRoot!.activeElement === first, 'focus did not move to the unchecked agreement');
    // checking the last one clears the error; then it goes through
    await check(el, 0);
    expect($$(el, '#jd-agreements-error')).to.have.length(0);
    await accept(el);
    await waitUntil(() => logins.length === 1, 'no jd-login after accepting');
  });

  it('asks again for what the answer says is still missing', async () => {
    bff.routes['POST /v1/consents'] = () => ({
      status: 200,
      body: { agreementsToAccept: [{ ...UPDATED[0], version: '3.1' }] },
    });
    const el = await mount();
    await toAgreements(el);
    await check(el, 0);
    await check(el, 1);
    await accept(el);
    await waitUntil(() => $$(el, 'input[type="checkbox"]').length === 1, 'not asked again');
    expect($<HTMLInputElement>(el, '#jd-agreement-0').checked).to.equal(false);
    expect(logins).to.have.length(0);
    bff.routes['POST /v1/consents'] = () => ({ status: 200, body: { agreementsToAccept: [] } });
    await check(el, 0);
    await accept(el);
    await waitUntil(() => logins.length === 1, 'no jd-login');
    expect(bff.find('POST', '/v1/consents')[1].body).to.deep.equal({
      agreements: [{ key: 'privacy', version: '3.1' }],
    });
  });

  it('shows a 400 from the server (a version no longer current) and stays on the step', async () => {
    bff.routes['POST /v1/consents'] = () =>
      errorAnswer(400, 'agreements_required', undefined, [{ path: 'agreements', code: 'agreements_required' }]);
    const errors: CustomEvent[] = [];
    const el = await mount();
    el.addEventListener('jd-error', (e) => errors.push(e as CustomEvent));
    await toAgreements(el);
    await check(el, 0);
    await check(el, 1);
    await accept(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-agreements-error'), 'the server error is not shown');
    expect($(el, '#jd-agreements-error').textContent.trim()).to.equal('Please read and accept the agreements.');
    expect(status(el)).to.equal('Please read and accept the agreements.');
    expect(errors.map((e) => e.detail.code)).to.deep.equal(['agreements_required']);
    expect(logins).to.have.length(0);
    expect($$(el, 'form[part~="agreements"]')).to.have.length(1);
    expect($<HTMLButtonElement>(el, 'form[part~="agreements"] button[type="submit"]').disabled).to.equal(false);
  });

  it('an expired session while asking goes back to the password form with the reason', async () => {
    bff.routes['POST /v1/consents'] = () => errorAnswer(401, 'not_signed_in');
    const el = await mount();
    await toAgreements(el);
    await check(el, 0);
    await check(el, 1);
    await accept(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-password'), 'not back to the form');
    expect($$(el, 'form[part~="agreements"]')).to.have.length(0);
    expect(status(el)).to.equal('You are not signed in.');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the password',
    );
    expect(logins).to.have.length(0);
  });

  it('"Sign out" ends the session and shows the form again: jd-agreements-required, then jd-logout, never jd-login', async () => {
    const logouts: Event[] = [];
    const asked: CustomEvent[] = [];
    const el = await mount();
    el.addEventListener('jd-logout', (e) => logouts.push(e));
    el.addEventListener('jd-agreements-required', (e) => asked.push(e));
    await toAgreements(el);
    // the page is told the sign-in waits for agreements (the demo hides its tabs then)
    expect(asked).to.have.length(1);
    expect(asked[0].bubbles && asked[0].composed).to.equal(true);
    expect(asked[0].detail).to.deep.equal({ agreements: UPDATED });
    expect(logouts).to.have.length(0);
    $<HTMLButtonElement>(el, 'form[part~="agreements"] button[part~="sign-out"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-identifier'), 'not back to the form');
    expect(bff.find('DELETE', '/v1/session')).to.have.length(1);
    expect(bff.find('POST', '/v1/consents')).to.have.length(0);
    expect(status(el)).to.equal('You have signed out.');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not return to the form',
    );
    expect($<HTMLInputElement>(el, '#jd-password').value, 'the password is not kept').to.equal('');
    expect(logins).to.have.length(0);
    // the session the step belonged to ended: a page that hid its sign-in choices shows them again
    expect(logouts).to.have.length(1);
  });

  it('asks after the MFA step too (the pending answer never carries agreements)', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: mfaPending() });
    bff.routes['POST /v1/sessions/mfa'] = () => ({ status: 200, body: asking([UPDATED[1]]) });
    const el = await mount();
    await typeInto(el, '#jd-identifier', 'alice_01');
    await typeInto(el, '#jd-password', 'Str0ng!pw');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code'), 'no MFA step');
    await typeInto(el, '#jd-mfa-code', '123456');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-agreements-title'), 'no agreements step after MFA');
    expect($$(el, '#jd-mfa-code')).to.have.length(0);
    expect(logins).to.have.length(0);
    await check(el, 0);
    await accept(el);
    await waitUntil(() => logins.length === 1, 'no jd-login');
    expect(bff.find('POST', '/v1/consents')[0].body).to.deep.equal({
      agreements: [{ key: 'service', version: '2.0' }],
    });
  });

  it('without agreementsToAccept the sign-in goes straight through', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: signedIn('alice_01') });
    const el = await mount();
    await typeInto(el, '#jd-identifier', 'alice_01');
    await typeInto(el, '#jd-password', 'Str0ng!pw');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => logins.length === 1, 'no jd-login');
    expect($$(el, '#jd-agreements-title')).to.have.length(0);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the step, and its error`, async () => {
      const el = await mount(locale);
      await toAgreements(el);
      if (locale === 'zh-CN') {
        expect($(el, '#jd-agreements-title').textContent).to.equal('协议更新');
        expect($(el, 'form[part~="agreements"] button[type="submit"]').textContent).to.equal('同意并继续');
        expect($(el, 'label[for="jd-agreement-0"]').textContent.trim()).to.equal('我已阅读并同意《隐私政策》');
      }
      await expect(el).to.be.accessible();
      await accept(el);
      expect($$(el, '#jd-agreements-error')).to.have.length(1);
      await expect(el).to.be.accessible();
    });
  }
});
