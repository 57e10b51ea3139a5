/**
 * <jd-login>'s sub-user sign-in (docs/product.md#13-sub-users): the primary account's name
 * or id, the sub-user's name and its password; the signed-in state says whose sub-user it is.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import type { SignedIn } from '../../shared/src/api.ts';
import { $, $$, FakeBff, errorAnswer, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

async function mount(locale = 'en'): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form, [part~="signed-in"]'), 'login did not render');
  return el;
}

function subSignedIn(): SignedIn {
  const s = signedIn('acme_corp');
  return { ...s, account: { ...s.account, subUser: { id: 'sub_1', name: 'auditor' } } };
}

async function toSubForm(el: JdLogin): Promise<void> {
  $<HTMLButtonElement>(el, 'button[data-sub]').click();
  await waitUntil(() => el.shadowRoot!.querySelector('#jd-sub-user'), 'no sub-user form');
}

describe('<jd-login> sub-user sign-in', () => {
  beforeEach(() => {
    bff = new FakeBff();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('switches to three fields and back', async () => {
    const el = await mount();
    expect($(el, 'button[data-sub]').textContent.trim()).to.equal('Sign in as a sub-user');
    expect($$(el, '#jd-sub-user')).to.have.length(0);
    await toSubForm(el);
    expect($(el, 'label[for="jd-identifier"]').textContent).to.equal('Primary account name or ID');
    expect($(el, 'label[for="jd-sub-user"]').textContent).to.equal('Sub-user name');
    expect($(el, '#jd-sub-user').getAttribute('autocomplete')).to.equal('username');
    expect($(el, '#jd-password').getAttribute('autocomplete')).to.equal('current-password');
    expect(el.shadowRoot!.activeElement).to.equal($(el, '#jd-identifier'));
    expect($$(el, 'form input')).to.have.length(3);
    $<HTMLButtonElement>(el, 'button[data-sub]').click();
    await el.updateComplete;
    expect($$(el, '#jd-sub-user')).to.have.length(0);
    expect($(el, 'label[for="jd-identifier"]').textContent).to.equal('Account name, phone or email');
  });

  it('requires the sub-user name, then sends subUser and shows whose sub-user is signed in', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subSignedIn() });
    const el = await mount();
    await toSubForm(el);
    await typeInto(el, '#jd-identifier', 'acme_corp');
    await typeInto(el, '#jd-password', 'Sub#Pass2026');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await el.updateComplete;
    expect($(el, '#jd-sub-user').getAttribute('aria-invalid')).to.equal('true');
    expect(bff.find('POST', '/v1/sessions')).to.have.length(0);
    await typeInto(el, '#jd-sub-user', ' auditor ');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="signed-in"]'), 'not signed in');
    expect(bff.find('POST', '/v1/sessions')[0].body).to.deep.equal({
      identifier: 'acme_corp',
      password: 'Sub#Pass2026',
      subUser: 'auditor',
    });
    expect($(el, '[part~="signed-in"]').textContent.trim()).to.equal('Signed in as auditor (sub-user of acme_corp)');
  });

  it('the plain form sends no subUser', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: signedIn() });
    const el = await mount();
    await typeInto(el, '#jd-identifier', 'alice_01');
    await typeInto(el, '#jd-password', 'Str0ng!pw');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="signed-in"]'));
    expect(bff.find('POST', '/v1/sessions')[0].body).to.deep.equal({ identifier: 'alice_01', password: 'Str0ng!pw' });
  });

  it('says when the sub-user is disabled', async () => {
    bff.routes['POST /v1/sessions'] = () => errorAnswer(403, 'sub_user_disabled');
    const el = await mount();
    await toSubForm(el);
    await typeInto(el, '#jd-identifier', 'acme_corp');
    await typeInto(el, '#jd-sub-user', 'auditor');
    await typeInto(el, '#jd-password', 'Sub#Pass2026');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => $(el, '[aria-live="polite"]').textContent.includes('disabled'));
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the sub-user form with errors and the signed-in state`, async () => {
      bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subSignedIn() });
      const el = await mount(locale);
      await toSubForm(el);
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await el.updateComplete;
      await expect(el).to.be.accessible();
      await typeInto(el, '#jd-identifier', 'acme_corp');
      await typeInto(el, '#jd-sub-user', 'auditor');
      await typeInto(el, '#jd-password', 'Sub#Pass2026');
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await waitUntil(() => el.shadowRoot!.querySelector('[part~="signed-in"]'));
      if (locale === 'zh-CN')
        expect($(el, '[part~="signed-in"]').textContent.trim()).to.equal('已登录：auditor（acme_corp 的子用户）');
      await expect(el).to.be.accessible();
    });
  }
});
