/**
 * The BFF answers 503 service_unavailable (with Retry-After) while its database is unreachable.
 * <jd-login> and <jd-register> must say so where that form's errors appear, keep what the user
 * typed, and let the same form be sent again — the outage is brief, the retry is the user's.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin, JdRegister } from '../src/index.ts';
import { en } from '../../shared/src/i18n/en.ts';
import { zhCN } from '../../shared/src/i18n/zh-CN.ts';
import { $, $$, FakeBff, errorAnswer, signedIn, typeInto, type FakeAnswer } from './fake-bff.ts';

let bff: FakeBff;

/** What the BFF sends when the database is unreachable. */
const UNAVAILABLE: FakeAnswer = {
  ...errorAnswer(503, 'service_unavailable', { seconds: 5 }),
  headers: { 'retry-after': '5' },
};

/** Answers 503 first, then `then` (a retry after the outage). */
function unavailableOnce(then: FakeAnswer): () => FakeAnswer {
  let calls = 0;
  return () => (++calls === 1 ? UNAVAILABLE : then);
}

const statusText = (el: HTMLElement) => $(el, '[aria-live="polite"]').textContent ?? '';
const value = (el: HTMLElement, selector: string) => $<HTMLInputElement>(el, selector).value;

describe('a 503 service_unavailable', () => {
  beforeEach(() => {
    bff = new FakeBff();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  describe('<jd-login>', () => {
    async function mount(locale: string): Promise<JdLogin> {
      const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
      await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
      return el;
    }

    it('says so under the form, keeps the identifier and password, and signs in on the second try', async () => {
      bff.routes['POST /v1/sessions'] = unavailableOnce({ status: 200, body: signedIn('alice_01') });
      const el = await mount('en');
      await typeInto(el, '#jd-identifier', 'alice_01');
      await typeInto(el, '#jd-password', 'Str0ng!pw');
      const failed = oneEvent(el, 'jd-error');
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      expect((await failed).detail).to.deep.equal({
        code: 'service_unavailable',
        message: en['error.service_unavailable'],
      });
      await waitUntil(() => statusText(el).includes(en['error.service_unavailable']), 'the message is shown');
      // right after the form's button, as an error
      const shown = $(el, '.status[data-action="signIn"]');
      expect(shown.textContent).to.contain(en['error.service_unavailable']);
      expect(shown.classList.contains('is-error')).to.equal(true);
      expect(shown.previousElementSibling!.matches('.actions')).to.equal(true);
      // not a field's fault: no field is marked
      expect($$(el, '[aria-invalid="true"]')).to.have.length(0);
      expect(value(el, '#jd-identifier')).to.equal('alice_01');
      expect(value(el, '#jd-password')).to.equal('Str0ng!pw');

      const submit = $<HTMLButtonElement>(el, 'button[type="submit"]');
      expect(submit.disabled).to.equal(false);
      const signed = oneEvent(el, 'jd-login');
      submit.click();
      await signed;
      const posts = bff.find('POST', '/v1/sessions');
      expect(posts).to.have.length(2);
      expect(posts[1].body).to.deep.equal({ identifier: 'alice_01', password: 'Str0ng!pw' });
    });

    it('says so in Chinese', async () => {
      bff.routes['POST /v1/sessions'] = () => UNAVAILABLE;
      const el = await mount('zh-CN');
      await typeInto(el, '#jd-identifier', '13800138000');
      await typeInto(el, '#jd-password', 'Str0ng!pw');
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await waitUntil(() => statusText(el).includes(zhCN['error.service_unavailable']), 'the message is shown');
      expect(value(el, '#jd-identifier')).to.equal('13800138000');
      expect(value(el, '#jd-password')).to.equal('Str0ng!pw');
    });
  });

  describe('<jd-register>', () => {
    // undefined while a step's module loads (the loading line is not a section.step)
    const step = (el: JdRegister) => el.shadowRoot!.querySelector<HTMLElement>('section.step')?.dataset['step'];
    const submitStep = (el: JdRegister) => $<HTMLButtonElement>(el, 'section.step button[type="submit"]').click();
    const shownAt = (el: JdRegister, action: string) =>
      el.shadowRoot!.querySelector(`.status[data-action="${action}"]`)?.textContent ?? '';

    async function mount(locale: string): Promise<JdRegister> {
      const el = await fixture<JdRegister>(
        html`<jd-register publishable-key="pk_test_1" locale=${locale}></jd-register>`,
      );
      await waitUntil(() => el.shadowRoot!.querySelector('section.step'), 'step did not render');
      return el;
    }

    /** Steps 1 and 2 passed, step 3 filled: the Register button is next. */
    async function fillToService(el: JdRegister): Promise<void> {
      await typeInto(el, '#jd-phone', '138 0013 8000');
      await typeInto(el, '#jd-code', '123456');
      $<HTMLInputElement>(el, '#jd-agreements').click();
      await el.updateComplete;
      submitStep(el);
      await waitUntil(() => step(el) === 'account', 'step 2');
      await typeInto(el, '#jd-account-name', 'alice_01');
      await typeInto(el, '#jd-password', 'Str0ng!pw');
      submitStep(el);
      await waitUntil(() => step(el) === 'service', 'step 3');
      await typeInto(el, '#jd-referral', 'SALES42');
      await typeInto(el, '#jd-email', 'alice@example.com');
    }

    beforeEach(() => {
      bff.routes['POST /v1/verification-codes/check'] = () => ({
        status: 200,
        body: { valid: true, phoneInUse: false },
      });
    });

    it("says so after the Register button, keeps every step's values, and registers on the second try", async () => {
      bff.routes['POST /v1/accounts'] = unavailableOnce({ status: 201, body: signedIn('alice_01') });
      const el = await mount('en');
      await fillToService(el);
      submitStep(el);
      await waitUntil(() => shownAt(el, 'submit').includes(en['error.service_unavailable']), 'the message is shown');
      expect($(el, '.status[data-action="submit"]').classList.contains('is-error')).to.equal(true);
      // not a field's fault: no field is marked, the step stays
      expect($$(el, '[aria-invalid="true"]')).to.have.length(0);
      expect(step(el)).to.equal('service');
      expect(value(el, '#jd-referral')).to.equal('SALES42');
      expect(value(el, '#jd-email')).to.equal('alice@example.com');

      const submit = $<HTMLButtonElement>(el, 'section.step button[type="submit"]');
      expect(submit.disabled).to.equal(false);
      const registered = oneEvent(el, 'jd-register');
      submit.click();
      await registered;
      const posts = bff.find('POST', '/v1/accounts');
      expect(posts).to.have.length(2);
      expect(posts[1].body).to.deep.equal(posts[0].body);
      expect(posts[1].body).to.include({
        accountName: 'alice_01',
        password: 'Str0ng!pw',
        code: '123456',
        referralCode: 'SALES42',
        email: 'alice@example.com',
      });
    });

    it('says so in Chinese, and Back still finds step 2 as typed', async () => {
      bff.routes['POST /v1/accounts'] = () => UNAVAILABLE;
      const el = await mount('zh-CN');
      await fillToService(el);
      submitStep(el);
      await waitUntil(() => shownAt(el, 'submit').includes(zhCN['error.service_unavailable']), 'the message is shown');
      $<HTMLButtonElement>(el, 'section.step button[part~="back"]').click();
      await waitUntil(() => step(el) === 'account', 'back to step 2');
      expect(value(el, '#jd-account-name')).to.equal('alice_01');
      expect(value(el, '#jd-password')).to.equal('Str0ng!pw');
    });

    it('on Next of step 1 (the code check): says so after Next and stays, keeping phone and code', async () => {
      bff.routes['POST /v1/verification-codes/check'] = unavailableOnce({
        status: 200,
        body: { valid: true, phoneInUse: false },
      });
      const el = await mount('en');
      await typeInto(el, '#jd-phone', '138 0013 8000');
      await typeInto(el, '#jd-code', '123456');
      $<HTMLInputElement>(el, '#jd-agreements').click();
      await el.updateComplete;
      submitStep(el);
      await waitUntil(() => shownAt(el, 'next').includes(en['error.service_unavailable']), 'the message is shown');
      expect(step(el)).to.equal('phone');
      expect(value(el, '#jd-phone')).to.equal('138 0013 8000');
      expect(value(el, '#jd-code')).to.equal('123456');
      submitStep(el);
      await waitUntil(() => step(el) === 'account', 'step 2 on the second try');
    });

    it('on "Send code": says so next to the button, keeps the phone, and sends again on the next click', async () => {
      bff.routes['POST /v1/verification-codes'] = unavailableOnce({
        status: 202,
        body: { channel: 'sms', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
      });
      const el = await mount('en');
      await typeInto(el, '#jd-phone', '138 0013 8000');
      const send = $<HTMLButtonElement>(el, '#jd-send-code');
      send.click();
      await waitUntil(() => shownAt(el, 'send').includes(en['error.service_unavailable']), 'the message is shown');
      // right under the code row that holds the button
      expect($(el, '.status[data-action="send"]').previousElementSibling).to.equal($(el, '.code-row'));
      expect(value(el, '#jd-phone')).to.equal('138 0013 8000');
      // no cooldown was started by the failure: the button is usable at once
      expect(send.disabled).to.equal(false);
      send.click();
      await waitUntil(() => shownAt(el, 'send').includes('138****8000'), 'the second send is answered');
      const sends = bff.find('POST', '/v1/verification-codes');
      expect(sends).to.have.length(2);
      expect(sends[1].body).to.deep.equal({
        phone: { region: 'CN', number: '13800138000' },
        purpose: 'register',
        channel: 'sms',
      });
    });
  });
});
