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
      expect($(el, '[aria-live="polite"]').classList.contains('is-error')).to.equal(true);
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
    async function mount(locale: string): Promise<JdRegister> {
      const el = await fixture<JdRegister>(
        html`<jd-register publishable-key="pk_test_1" locale=${locale}></jd-register>`,
      );
      await waitUntil(() => el.shadowRoot!.querySelector('form'), 'form did not render');
      return el;
    }

    async function fill(el: JdRegister): Promise<void> {
      await typeInto(el, '#jd-account-name', 'alice_01');
      await typeInto(el, '#jd-password', 'Str0ng!pw');
      await typeInto(el, '#jd-phone', '138 0013 8000');
      await typeInto(el, '#jd-code', '123456');
      await typeInto(el, '#jd-referral', 'SALES42');
      await typeInto(el, '#jd-email', 'alice@example.com');
      for (const box of $$<HTMLInputElement>(el, 'input[type="checkbox"]')) box.click();
      await el.updateComplete;
    }

    const TYPED = {
      '#jd-account-name': 'alice_01',
      '#jd-password': 'Str0ng!pw',
      '#jd-phone': '138 0013 8000',
      '#jd-code': '123456',
      '#jd-referral': 'SALES42',
      '#jd-email': 'alice@example.com',
    };

    it('says so under the form, keeps every field and agreement, and registers on the second try', async () => {
      bff.routes['POST /v1/accounts'] = unavailableOnce({ status: 201, body: signedIn('alice_01') });
      const el = await mount('en');
      await fill(el);
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await waitUntil(() => statusText(el).includes(en['error.service_unavailable']), 'the message is shown');
      expect($$(el, '[aria-invalid="true"]')).to.have.length(0);
      for (const [selector, typed] of Object.entries(TYPED)) expect(value(el, selector), selector).to.equal(typed);
      expect($$<HTMLInputElement>(el, 'input[type="checkbox"]').every((box) => box.checked)).to.equal(true);

      const submit = $<HTMLButtonElement>(el, 'button[type="submit"]');
      expect(submit.disabled).to.equal(false);
      const registered = oneEvent(el, 'jd-register');
      submit.click();
      await registered;
      const posts = bff.find('POST', '/v1/accounts');
      expect(posts).to.have.length(2);
      expect(posts[1].body).to.deep.equal(posts[0].body);
      expect(posts[1].body).to.include({ accountName: 'alice_01', password: 'Str0ng!pw', code: '123456' });
    });

    it('says so in Chinese', async () => {
      bff.routes['POST /v1/accounts'] = () => UNAVAILABLE;
      const el = await mount('zh-CN');
      await fill(el);
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await waitUntil(() => statusText(el).includes(zhCN['error.service_unavailable']), 'the message is shown');
      for (const [selector, typed] of Object.entries(TYPED)) expect(value(el, selector), selector).to.equal(typed);
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
      await waitUntil(() => el.shadowRoot!.querySelector('#jd-send-code-error'), 'the message is shown');
      expect($(el, '#jd-send-code-error').textContent).to.contain(en['error.service_unavailable']);
      expect(send.getAttribute('aria-describedby')).to.equal('jd-send-code-error');
      expect(value(el, '#jd-phone')).to.equal('138 0013 8000');
      // no cooldown was started by the failure: the button is usable at once
      expect(send.disabled).to.equal(false);
      send.click();
      await waitUntil(() => statusText(el).includes('138****8000'), 'the second send is answered');
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
