/**
 * dist/jd-register-login.js (made by `tsx widget/build.ts` before WTR runs): the two elements'
 * entry, its shared chunks and its locale's catalogue chunk, loaded on demand and pruned to the messages its sources use
 * (widget/prune-messages.ts). Drives the states of both elements, in both locales, and checks no
 * text went missing. Each test file runs in its own page, so the source modules are not loaded here.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { FakeBff, TEST_CONFIG, TEST_MFA_SETUP, errorAnswer, mfaPending, typeInto } from './fake-bff.ts';

const BUNDLE = new URL('../../dist/jd-register-login.js', import.meta.url).href;

type Host = HTMLElement & { updateComplete: Promise<unknown> };

/** Every text a user may see (the shadow root's text and the labels of its controls) is there. */
function expectAllText(el: Host): void {
  const root = el.shadowRoot!;
  const text = root.textContent;
  expect(text, 'an undefined message').to.not.match(/undefined|\[object Object\]/);
  for (const label of root.querySelectorAll('label, button, legend, h2, p, li')) {
    // an icon-only button (the password's show/hide) is named by its aria-label
    expect(
      label.textContent.trim() || (label.getAttribute('aria-label') ?? ''),
      `empty <${label.localName} ${label.getAttribute('part') ?? label.id}>`,
    ).to.not.equal('');
  }
}

const click = (el: Host, selector: string) => el.shadowRoot!.querySelector<HTMLElement>(selector)!.click();
const has = (el: Host, selector: string) => () => !!el.shadowRoot!.querySelector(selector);

describe('dist/jd-register-login.js', () => {
  let bff: FakeBff;
  let mod: Record<string, unknown>;
  before(async () => {
    mod = (await import(/* @vite-ignore */ BUNDLE)) as Record<string, unknown>;
  });
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, supportChannels: { hotline: '400 615 1212' } } }),
      'POST /v1/sessions/mfa/setup': () => ({ status: 200, body: TEST_MFA_SETUP }),
    });
  });
  afterEach(() => bff.restore());

  it('defines only <jd-register> and <jd-login>', () => {
    expect(Object.keys(mod)).to.include.members(['JdRegister', 'JdLogin', 'JdClient']);
    expect(customElements.get('jd-register')).to.equal(mod['JdRegister']);
    expect(customElements.get('jd-login')).to.equal(mod['JdLogin']);
    expect(customElements.get('jd-security-settings')).to.equal(undefined);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`has every text of the registration form and its errors (${locale})`, async () => {
      const reg = await fixture<Host>(html`<jd-register publishable-key="pk_test_1" locale=${locale}></jd-register>`);
      await waitUntil(has(reg, 'form'));
      expectAllText(reg);
      click(reg, 'button[type="submit"]');
      await waitUntil(has(reg, '[aria-invalid="true"]'));
      expectAllText(reg);
    });

    it(`has every text of sign-in, the MFA step, the lost-device application and the sub-user binding (${locale})`, async () => {
      bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: mfaPending() });
      bff.routes['GET /v1/mfa-recovery'] = () => ({
        status: 200,
        body: { realNameVerified: true, type: 'enterprise', pendingApplication: false },
      });
      bff.routes['POST /v1/mfa-recovery/applications'] = () =>
        errorAnswer(400, 'file_too_large', { mb: 2 }, [{ path: 'idPhoto', code: 'file_too_large', params: { mb: 2 } }]);
      const login = await fixture<Host>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
      await waitUntil(has(login, 'form'));
      expectAllText(login);
      click(login, 'button[type="submit"]');
      await waitUntil(has(login, '[aria-invalid="true"]'));
      expectAllText(login);
      await typeInto(login, '#jd-identifier', 'alice_01');
      await typeInto(login, '#jd-password', 'Str0ng!pw');
      click(login, 'button[type="submit"]');
      await waitUntil(has(login, '[data-mfa="lost"]'));
      expectAllText(login);
      click(login, '[data-mfa="recovery"]');
      await waitUntil(has(login, '#jd-recovery-code'));
      expectAllText(login);
      click(login, '[data-mfa="lost"]');
      await waitUntil(has(login, '#jd-app-licence'));
      expectAllText(login);
      click(login, '[part~="lost"] button[type="submit"]');
      await waitUntil(has(login, '#jd-app-licence-error'));
      expectAllText(login);

      // a sub-user binding a device, told its old one was disassociated
      bff.routes['POST /v1/sessions'] = () => ({
        status: 200,
        body: {
          ...mfaPending('acme'),
          account: { ...mfaPending('acme').account, subUser: { id: 's', name: 'ops' } },
          mfaSetupRequired: true,
          notices: ['mfa_reset_by_primary'],
        },
      });
      const sub = await fixture<Host>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
      await waitUntil(has(sub, 'form'));
      click(sub, 'button[data-sub]');
      await waitUntil(has(sub, '#jd-sub-user'));
      expectAllText(sub);
      await typeInto(sub, '#jd-identifier', 'acme');
      await typeInto(sub, '#jd-sub-user', 'ops');
      await typeInto(sub, '#jd-password', 'Str0ng!pw');
      click(sub, 'button[type="submit"]');
      await waitUntil(has(sub, 'img[part~="qr"]'));
      expect(sub.shadowRoot!.querySelector('[part~="notice"]')!.textContent.trim()).to.not.equal('');
      expectAllText(sub);
    });
  }
});
