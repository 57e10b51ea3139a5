/**
 * Sub-users against the REAL BFF (token mode, another origin): a primary account creates a
 * sub-user through <jd-security-settings>, then the sub-user signs in through <jd-login>; its
 * session is told that sub-users manage nothing in the security settings.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin, JdSecuritySettings } from '../src/index.ts';
import { $, typeInto } from './fake-bff.ts';
import { loadBff, randomPhone, registerUser, type BffInfo } from './real-bff.ts';

let bff: BffInfo;

const has = (el: HTMLElement, selector: string) => () => !!el.shadowRoot!.querySelector(selector);

describe('sub-users against the real BFF', function () {
  this.timeout(60_000);

  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());

  it('creates a sub-user in the settings, then signs in as it', async () => {
    const primary = `wtr_${Math.random().toString(36).slice(2, 10)}`;
    await registerUser(bff, randomPhone(), primary);
    const settings = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(settings, '[part~="sub-users"]'), 'no sub-users section', { timeout: 10000 });
    expect($(settings, '[part~="sub-users"]').textContent).to.contain('No sub-users yet.');
    $<HTMLButtonElement>(settings, '[part~="sub-users"] [data-action="create"]').click();
    await waitUntil(has(settings, 'dialog #jd-name'));
    await typeInto(settings, '#jd-name', 'auditor');
    await typeInto(settings, '#jd-newPassword', 'Sub#Pass2026');
    $<HTMLButtonElement>(settings, 'dialog button[type="submit"]').click();
    await waitUntil(has(settings, '[data-sub="auditor"]'), 'the sub-user is not listed', { timeout: 10000 });
    expect($(settings, '[data-sub="auditor"]').textContent).to.contain('Enabled');

    // the sub-user signs in on a fresh page state (no primary session)
    // a new tab: this page's elements go (with them the page's shared session), the stored token too
    settings.remove();
    sessionStorage.clear();
    const login = await fixture<JdLogin>(
      html`<jd-login publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-login>`,
    );
    await waitUntil(has(login, 'form'), 'no login form', { timeout: 10000 });
    $<HTMLButtonElement>(login, 'button[data-sub]').click();
    await waitUntil(has(login, '#jd-sub-user'));
    await typeInto(login, '#jd-identifier', primary);
    await typeInto(login, '#jd-sub-user', 'auditor');
    await typeInto(login, '#jd-password', 'Sub#Pass2026');
    $<HTMLButtonElement>(login, 'button[type="submit"]').click();
    await waitUntil(has(login, '[part~="signed-in"]'), 'the sub-user did not sign in', { timeout: 10000 });
    expect($(login, '[part~="signed-in"]').textContent).to.equal(`Signed in as auditor (sub-user of ${primary})`);

    // its session may not manage anything in the settings
    const sub = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(sub, '.is-info'), 'no message for the sub-user', { timeout: 10000 });
    expect($(sub, '.is-info').textContent).to.contain('Sub-users manage no security settings here');
  });
});
