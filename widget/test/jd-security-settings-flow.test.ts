/**
 * The dialog controller's transitions (src/elements/jd-security-settings.ts, src/flow.ts),
 * including the races that broke before: a dialog closing while another opens, a status of one
 * identity surviving into another, a stale answer applying after its dialog closed. And the page
 * following the one session of the page (src/session.ts).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import type { SessionStore } from '../src/session.ts';
import type { SignedIn } from '../../shared/src/api.ts';
import { en } from '../../shared/src/i18n/en.ts';
import { zhCN } from '../../shared/src/i18n/zh-CN.ts';
import { $, $$, FakeBff, contact, securityOverview, signedIn, type FakeAnswer } from './fake-bff.ts';

let bff: FakeBff;

const store = (el: JdSecuritySettings) => (el as unknown as { store: SessionStore }).store;
const dialog = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog');
const has = (el: JdSecuritySettings, selector: string) => () => !!el.shadowRoot!.querySelector(selector);
const action = (el: JdSecuritySettings, row: string, name: string) =>
  $<HTMLButtonElement>(el, `[data-row="${row}"] [data-action="${name}"]`);
const texts = (el: JdSecuritySettings, selector: string) =>
  $$(el, selector).map((e) => e.textContent.replace(/\s+/g, ' ').trim());

function another(id: string, name: string): SignedIn {
  const s = signedIn(name);
  return { ...s, account: { ...s.account, id } };
}

async function mount(locale = 'en'): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale}></jd-security-settings>`,
  );
  await waitUntil(has(el, '[part~="rows"], .is-info'), 'did not render');
  return el;
}

/** An answer the test releases when it wants. */
function held(): { handler: () => Promise<FakeAnswer>; release: (a: FakeAnswer) => void } {
  let release!: (a: FakeAnswer) => void;
  const p = new Promise<FakeAnswer>((r) => (release = r));
  return { handler: () => p, release };
}

describe('<jd-security-settings> dialog flow', () => {
  beforeEach(() => {
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn(), signedIn: true } }),
      'GET /v1/security': () => ({ status: 200, body: securityOverview() }),
    });
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('loads the overview as soon as another element signs in, with no GET /v1/session of its own', async () => {
    bff.routes['GET /v1/session'] = () => ({ status: 200, body: { signedIn: false } });
    const el = await mount();
    expect($(el, '.is-info').textContent).to.contain(en['security.sign_in_required']);
    expect(bff.find('GET', '/v1/security')).to.have.length(0);
    // e.g. <jd-login> on the same page signs in: it sets the page's store
    store(el).set(signedIn());
    await waitUntil(has(el, '[part~="rows"]'), 'the overview did not load');
    expect(bff.find('GET', '/v1/session')).to.have.length(1);
  });

  it("drops a primary's 'saved' and closes its dialog when another identity signs in", async () => {
    bff.routes['GET /v1/security'] = () => ({
      status: 200,
      body: securityOverview({ contactPhone: contact('phone', '139****1111') }),
    });
    bff.routes['DELETE /v1/security/contacts/phone'] = () => ({ status: 200, body: securityOverview() });
    const el = await mount();
    action(el, 'contact-phone', 'use_security').click();
    await waitUntil(has(el, '[data-row="contact-phone"] [part~="success"]'), 'no saved in the row');
    // the status sits in the row that caused it, nowhere else
    expect(texts(el, '[part~="success"]')).to.deep.equal([en['security.saved']]);
    action(el, 'password', 'change').click();
    await waitUntil(() => dialog(el).open, 'dialog did not open');
    // a sub-user signs in on the same page
    bff.routes['GET /v1/security'] = () => ({
      status: 403,
      body: { error: { code: 'sub_user_forbidden', message: 'x' } },
    });
    bff.routes['GET /v1/sub-users'] = () => ({
      status: 403,
      body: { error: { code: 'sub_user_forbidden', message: 'x' } },
    });
    bff.routes['GET /v1/sub-user/mfa'] = () => ({
      status: 200,
      body: { bound: false, boundAt: null, required: false },
    });
    store(el).set(another('acc_sub', 'alice_01/ops'));
    await waitUntil(() => !dialog(el)?.open, 'the dialog stayed open');
    await waitUntil(has(el, '[data-row="mfa"] [data-action="bind"]'), "the sub-user's view did not load");
    expect(texts(el, '[part~="success"]')).to.deep.equal([]);
    expect(el.shadowRoot!.textContent).not.to.contain(en['security.saved']);
  });

  it('closes the dialog and shows "sign in" when the page signs out', async () => {
    const el = await mount();
    action(el, 'password', 'change').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    store(el).set(null);
    await waitUntil(has(el, '.is-info'), 'no sign-in message');
    expect(el.shadowRoot!.querySelector('dialog')).to.equal(null);
    expect(el.shadowRoot!.querySelector('[part~="rows"]')).to.equal(null);
  });

  it('drops an answer that comes after its dialog closed', async () => {
    const start = held();
    bff.routes['POST /v1/security/contacts/start'] = start.handler;
    const el = await mount();
    action(el, 'contact-phone', 'set').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    // the contact change is a step module: its step renders once it is loaded
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-phone'), 'no phone step');
    const input = $<HTMLInputElement>(el, '#jd-phone');
    input.value = '13900139000';
    input.dispatchEvent(new Event('input'));
    $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
    await waitUntil(() => bff.find('POST', '/v1/security/contacts/start').length === 1);
    expect($(el, 'dialog button[type="submit"]').getAttribute('aria-busy')).to.equal('true');
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    await waitUntil(() => !dialog(el).open);
    start.release({ status: 202, body: { deliveryId: 'd', sentTo: '139****9000', expiresIn: 600, resendAfter: 60 } });
    await new Promise((r) => setTimeout(r, 50));
    await el.updateComplete;
    expect(dialog(el).open).to.equal(false);
    expect(el.shadowRoot!.querySelector('dialog #jd-code'), 'the code step of a closed dialog').to.equal(null);
    expect(el.shadowRoot!.textContent).not.to.contain('139****9000');
    // opened again: it starts afresh
    action(el, 'contact-phone', 'set').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    expect($<HTMLInputElement>(el, '#jd-phone').value).to.equal('');
  });

  it('a dialog closing while another opens does not close the new one', async () => {
    const el = await mount();
    action(el, 'contact-phone', 'set').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    // Cancel, and before the close event arrives, the next row's dialog
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    action(el, 'contact-email', 'set').click();
    await new Promise((r) => setTimeout(r, 50));
    await el.updateComplete;
    expect(dialog(el).open).to.equal(true);
    expect(el.shadowRoot!.querySelector('dialog #jd-email'), 'the email dialog').to.exist;
  });

  for (const [locale, m] of [
    ['en', en],
    ['zh-CN', zhCN],
  ] as const) {
    it(`offers "I can't use any of these" under the methods, leading to support (${locale})`, async () => {
      const el = await mount(locale);
      action(el, 'password', 'change').click();
      await waitUntil(has(el, 'dialog input[name="method"]'), 'no method step');
      const cannot = $<HTMLButtonElement>(el, 'dialog [data-action="cannot-use"]');
      expect(cannot.textContent.trim()).to.equal(m['security.cannot_use']);
      cannot.click();
      await waitUntil(has(el, 'dialog [part~="support"]'), 'no support channels');
      expect($(el, 'dialog').textContent).to.contain(m['security.cannot_use_lead']).and.contain('400-615-1212');
      expect(el.shadowRoot!.activeElement?.id).to.equal('jd-dialog-title');
    });

    it(`suggests adding an email when the account has none (${locale})`, async () => {
      bff.routes['GET /v1/security'] = () => ({ status: 200, body: securityOverview({ securityEmail: null }) });
      const el = await mount(locale);
      const callout = $(el, '[data-callout="add-email"]');
      expect(callout.textContent).to.contain(m['security.add_email_hint']);
      callout.querySelector<HTMLButtonElement>('[data-action="add-email"]')!.click();
      await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), 'no dialog');
      expect($(el, '#jd-dialog-title').textContent).to.equal(m['security.security_email']);
    });
  }
});
