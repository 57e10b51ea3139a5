/**
 * Virtual MFA against the REAL BFF (widget/test/real-bff-plugin.mjs; another origin, so token
 * mode): a user registered through the API binds MFA in <jd-security-settings> (step-up by a code
 * from the dev outbox, then the QR step — the test plays the authenticator app, computing the TOTP
 * from the key the element shows), then signs in through <jd-login> with password + MFA code, the
 * second time after a "reload" in the middle of the sign-in.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin, JdSecuritySettings } from '../src/index.ts';
import { tokenStorageKey } from '../src/client.ts';
import { $, $$, typeInto } from './fake-bff.ts';
import { latestCode, loadBff, PASSWORD, randomPhone, registerUser, type BffInfo } from './real-bff.ts';
import { totp } from './totp.ts';

let bff: BffInfo;

const has = (el: HTMLElement, selector: string) => () => !!el.shadowRoot!.querySelector(selector);

async function submit(el: JdSecuritySettings | JdLogin, selector = 'button[type="submit"]'): Promise<void> {
  $<HTMLButtonElement>(el, selector).click();
  await el.updateComplete;
}

describe('virtual MFA against the real BFF', function () {
  this.timeout(60_000);

  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());

  it('binds MFA in the security settings, then signs in with password + TOTP', async () => {
    const phone = randomPhone();
    const { accountName } = await registerUser(bff, phone);

    // ---- bind ----
    const settings = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(settings, '[data-row="mfa"] [data-action="bind"]'), 'no Bind action', { timeout: 10000 });
    $<HTMLButtonElement>(settings, '[data-row="mfa"] [data-action="bind"]').click();
    await waitUntil(has(settings, 'dialog input[name="method"][value="phone"]'), 'no step-up', { timeout: 10000 });
    await submit(settings, 'dialog button[type="submit"]');
    await waitUntil(has(settings, 'dialog #jd-code'), 'no step-up code field', { timeout: 10000 });
    await typeInto(settings, '#jd-code', await latestCode(phone));
    await submit(settings, 'dialog button[type="submit"]');
    await waitUntil(has(settings, 'dialog img[part~="qr"]'), 'no QR code', { timeout: 10000 });
    const src = $<HTMLImageElement>(settings, 'dialog img[part~="qr"]').getAttribute('src')!;
    expect(decodeURIComponent(src)).to.match(/^data:image\/svg\+xml;charset=utf-8,<svg/);
    expect(settings.shadowRoot!.querySelector('svg')).to.equal(null);
    const secret = $(settings, 'dialog [part~="secret"] code').textContent.replace(/\s+/g, '');
    expect(secret).to.match(/^[A-Z2-7]{16,}$/);
    expect($<HTMLAnchorElement>(settings, 'dialog a[href^="otpauth://totp/"]').href).to.contain(`secret=${secret}`);

    await typeInto(settings, '#jd-code', await totp(secret));
    const changed = oneEvent(settings, 'jd-security-change');
    await submit(settings, 'dialog button[type="submit"]');
    const detail = (await changed).detail;
    expect(detail.what).to.equal('mfa');
    expect(detail.overview.mfa).to.include({ bound: true, recoveryCodesLeft: 10 });
    await waitUntil(has(settings, 'dialog [part~="recovery-codes"]'), 'no recovery codes', { timeout: 10000 });
    expect($$(settings, 'dialog [part~="recovery-codes"] li')).to.have.length(10);
    $<HTMLInputElement>(settings, 'dialog input[name="ack"]').click();
    await settings.updateComplete;
    await submit(settings, 'dialog button[type="submit"]');
    await waitUntil(() => !$<HTMLDialogElement>(settings, 'dialog').open, 'the dialog did not close');
    expect($(settings, '[data-row="mfa"]').textContent).to.contain('Bound').and.contain('10 recovery codes left');

    // ---- sign in again, in a new tab: password, then the MFA step ----
    // a new tab: this page's elements go (with them the page's shared session), the stored token too
    settings.remove();
    sessionStorage.clear();
    const login = await fixture<JdLogin>(
      html`<jd-login publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-login>`,
    );
    await waitUntil(has(login, '#jd-identifier'), 'no login form', { timeout: 10000 });
    await typeInto(login, '#jd-identifier', accountName);
    await typeInto(login, '#jd-password', PASSWORD);
    await submit(login);
    await waitUntil(has(login, '#jd-mfa-code'), 'no MFA step', { timeout: 10000 });

    // a reload now (the page's elements go, the stored pending session stays): straight back to the MFA step
    login.remove();
    const reloaded = await fixture<JdLogin>(
      html`<jd-login publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-login>`,
    );
    await waitUntil(has(reloaded, '#jd-mfa-code'), 'the reload did not show the MFA step', { timeout: 10000 });
    const pendingToken = sessionStorage.getItem(tokenStorageKey(bff.publishableKey));
    expect(pendingToken).to.be.a('string');

    // the binding accepted the code of this 30-s step; the app's next one is within the accepted drift
    await typeInto(reloaded, '#jd-mfa-code', await totp(secret, Date.now() + 30_000));
    const loggedIn = oneEvent(reloaded, 'jd-login');
    await submit(reloaded);
    const ev = await loggedIn;
    expect(ev.detail.account.accountName).to.equal(accountName);
    expect(ev.detail.session.mfaPending).to.not.equal(true);
    const fullToken = sessionStorage.getItem(tokenStorageKey(bff.publishableKey));
    expect(fullToken, 'the session was rotated').to.be.a('string').and.not.equal(pendingToken);
    await reloaded.updateComplete;
    expect($(reloaded, '[part~="signed-in"]').textContent).to.equal(`Signed in as ${accountName}`);
  });
});
