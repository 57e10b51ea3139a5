/**
 * <jd-security-settings>'s virtual MFA row (docs/product.md#11-virtual-mfa): bind by QR code and a first
 * code (recovery codes shown once), unbind, regenerate the recovery codes — each after step-up,
 * which may itself use the MFA code.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import type { SecurityOverview } from '../../shared/src/api.ts';
import {
  $,
  $$,
  FakeBff,
  STEP_UP_OK,
  TEST_MFA_SETUP,
  TEST_RECOVERY_CODES,
  errorAnswer,
  securityOverview,
  typeInto,
  signedIn,
} from './fake-bff.ts';

let bff: FakeBff;

const BOUND = { bound: true, boundAt: '2025-02-01T08:00:00.000Z', recoveryCodesLeft: 7 };
const GRANTED = { active: true, expiresAt: '2025-03-01T08:10:00.000Z' };

async function mount(locale = 'en'): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale}></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="rows"]'), 'did not render');
  return el;
}

function serveOverview(o: SecurityOverview): void {
  bff.routes['GET /v1/security'] = () => ({ status: 200, body: o });
}

const rowText = (el: JdSecuritySettings) => $(el, '[data-row="mfa"]').textContent.replace(/\s+/g, ' ').trim();
const action = (el: JdSecuritySettings, name: string) =>
  $<HTMLButtonElement>(el, `[data-row="mfa"] [data-action="${name}"]`);
const dialog = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog');
const has = (el: JdSecuritySettings, selector: string) => () => !!el.shadowRoot!.querySelector(selector);
const dialogStatus = (el: JdSecuritySettings) =>
  el.shadowRoot!.querySelector('dialog [part~="status"]')?.textContent ?? '';

async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

/** The step-up by a code to the security phone: start (sends it), then the code. */
async function stepUpByPhone(el: JdSecuritySettings): Promise<void> {
  await waitUntil(has(el, 'dialog input[name="method"]'), 'no method step');
  await submitDialog(el);
  await waitUntil(has(el, 'dialog #jd-code'), 'no step-up code');
  await typeInto(el, '#jd-code', '123456');
  await submitDialog(el);
}

describe('<jd-security-settings> virtual MFA', () => {
  beforeEach(() => {
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn(), signedIn: true } }),
      'POST /v1/security/step-up/start': () => ({
        status: 202,
        body: { deliveryId: 'd1', method: 'phone', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
      }),
      'POST /v1/security/step-up/verify': () => STEP_UP_OK,
    });
    serveOverview(securityOverview());
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('binds: step-up, QR code as an image with the key to type in, a first code, the recovery codes once', async () => {
    bff.routes['POST /v1/security/mfa/setup'] = () => ({ status: 200, body: TEST_MFA_SETUP });
    bff.routes['POST /v1/security/mfa/confirm'] = () => {
      serveOverview(
        securityOverview({ mfa: { bound: true, boundAt: '2025-03-01T08:05:00.000Z', recoveryCodesLeft: 10 } }),
      );
      return { status: 200, body: { recoveryCodes: TEST_RECOVERY_CODES } };
    };
    const el = await mount();
    expect(rowText(el)).to.contain('Not bound');
    const trigger = action(el, 'bind');
    expect(trigger.textContent.trim()).to.equal('Bind');
    trigger.click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    expect($(el, '#jd-dialog-title').textContent).to.equal('Virtual MFA');
    expect(bff.find('POST', '/v1/security/mfa/setup'), 'no setup before step-up').to.have.length(0);
    await stepUpByPhone(el);

    // the QR code: an <img> with the SVG as a data URL, never SVG markup in the document
    await waitUntil(has(el, 'dialog img[part~="qr"]'), 'no QR code');
    expect(bff.find('POST', '/v1/security/mfa/setup')[0].body).to.deep.equal({});
    const img = $<HTMLImageElement>(el, 'dialog img[part~="qr"]');
    const prefix = 'data:image/svg+xml;charset=utf-8,';
    expect(img.getAttribute('src')!.startsWith(prefix)).to.equal(true);
    expect(decodeURIComponent(img.getAttribute('src')!.slice(prefix.length))).to.equal(TEST_MFA_SETUP.qrSvg);
    expect(img.getAttribute('alt')).to.equal('QR code for your authenticator app');
    expect(el.shadowRoot!.querySelector('svg, script'), 'no inline SVG').to.equal(null);
    expect((window as { __pwned?: boolean }).__pwned).to.equal(undefined);
    expect($(el, 'dialog [part~="secret"]').textContent).to.contain('Key: JBSW Y3DP EHPK 3PXP JBSW Y3DP');
    expect($<HTMLAnchorElement>(el, 'dialog a[href^="otpauth:"]').getAttribute('href')).to.equal(
      TEST_MFA_SETUP.otpauthUri,
    );
    const code = $<HTMLInputElement>(el, '#jd-code');
    expect($(el, 'label[for="jd-code"]').textContent).to.equal('MFA code');
    expect(code.getAttribute('autocomplete')).to.equal('one-time-code');
    expect(code.getAttribute('inputmode')).to.equal('numeric');
    expect($$(el, 'dialog [part~="resend"]'), 'nothing to resend: the code is in the app').to.have.length(0);

    // a current code → the recovery codes, the page refreshed and told (typed with real keys: a
    // user activation, without which Chromium does not let a dialog refuse Escape)
    code.focus();
    await sendKeys({ type: '654321' });
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    const detail = (await changed).detail;
    expect(detail.what).to.equal('mfa');
    expect(detail.overview.mfa.bound).to.equal(true);
    expect(bff.find('POST', '/v1/security/mfa/confirm')[0].body).to.deep.equal({ code: '654321' });
    expect(bff.find('GET', '/v1/security')).to.have.length(2);
    await waitUntil(has(el, 'dialog [part~="recovery-codes"]'));
    expect($$(el, 'dialog [part~="recovery-codes"] li').map((li) => li.textContent.trim())).to.deep.equal(
      TEST_RECOVERY_CODES,
    );
    expect($$(el, 'dialog img'), 'the QR code is gone').to.have.length(0);
    // two columns, then Copy and Download in the dialog's actions
    expect($(el, 'dialog ol.codes')).to.exist;
    // Download: a .txt through a Blob link
    let blob: Blob | undefined;
    let name = '';
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back, never called unbound
    const create = URL.createObjectURL;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back, never called unbound
    const click = HTMLAnchorElement.prototype.click;
    URL.createObjectURL = (b: Blob | MediaSource) => ((blob = b as Blob), 'blob:test');
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      name = this.download;
    };
    try {
      $<HTMLButtonElement>(el, 'dialog .actions [data-download]').click();
    } finally {
      URL.createObjectURL = create;
      HTMLAnchorElement.prototype.click = click;
    }
    expect(name).to.equal('recovery-codes.txt');
    expect(blob!.type).to.equal('text/plain');
    expect(await blob!.text()).to.equal(`${TEST_RECOVERY_CODES.join('\n')}\n`);
    expect(rowText(el)).to.contain('Bound').and.contain('10 recovery codes left');

    // Done only after "I have saved them"; Escape does not skip it
    const done = $<HTMLButtonElement>(el, 'dialog button[type="submit"]');
    expect(done.textContent.trim()).to.equal('Done');
    expect(done.disabled).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(dialog(el).open, 'Escape closed the unsaved codes').to.equal(true);
    $<HTMLInputElement>(el, 'dialog input[name="ack"]').click();
    await el.updateComplete;
    expect(done.disabled).to.equal(false);
    await submitDialog(el);
    await waitUntil(() => !dialog(el).open, 'Done did not close');
    await waitUntil(has(el, '[part~="success"]'), 'no success message');
    expect($(el, '[part~="success"]').textContent).to.contain('Your change has been saved.');
    await waitUntil(
      () => el.shadowRoot!.activeElement?.getAttribute('data-action') === 'unbind',
      'focus did not return to the row',
    );
    expect(action(el, 'unbind')).to.exist;
  });

  it('copies the recovery codes to the clipboard', async () => {
    serveOverview(securityOverview({ mfa: BOUND, stepUp: GRANTED }));
    bff.routes['POST /v1/security/mfa/recovery-codes'] = () => ({
      status: 200,
      body: { recoveryCodes: TEST_RECOVERY_CODES },
    });
    let copied = '';
    const clipboard = navigator.clipboard;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on the clipboard, never called
    const original = clipboard.writeText;
    clipboard.writeText = async (text: string) => void (copied = text);
    try {
      const el = await mount();
      action(el, 'regenerate').click();
      await waitUntil(has(el, 'dialog [part~="recovery-codes"]'), 'no codes');
      await waitUntil(() => el.shadowRoot!.activeElement?.id === 'jd-dialog-title', 'focus not on the heading');
      $<HTMLButtonElement>(el, 'dialog [data-copy]').click();
      await waitUntil(() => dialogStatus(el).includes('Copied.'));
      expect(copied).to.equal(TEST_RECOVERY_CODES.join('\n'));
    } finally {
      clipboard.writeText = original;
    }
  });

  it('goes to the step-up step when setup answers step_up_required, then continues the binding', async () => {
    serveOverview(securityOverview({ stepUp: GRANTED }));
    let granted = false;
    bff.routes['POST /v1/security/step-up/verify'] = () => ((granted = true), STEP_UP_OK);
    bff.routes['POST /v1/security/mfa/setup'] = () =>
      granted ? { status: 200, body: TEST_MFA_SETUP } : errorAnswer(403, 'step_up_required');
    const el = await mount();
    action(el, 'bind').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    await waitUntil(has(el, 'dialog input[name="method"]'), 'no method step after step_up_required');
    expect(dialogStatus(el)).to.contain('verify your identity first');
    await stepUpByPhone(el);
    await waitUntil(has(el, 'dialog img[part~="qr"]'), 'no QR code after step-up');
    expect(bff.find('POST', '/v1/security/mfa/setup')).to.have.length(2);
  });

  it('shows MFA code errors at the code field while binding', async () => {
    serveOverview(securityOverview({ stepUp: GRANTED }));
    bff.routes['POST /v1/security/mfa/setup'] = () => ({ status: 200, body: TEST_MFA_SETUP });
    bff.routes['POST /v1/security/mfa/confirm'] = () => errorAnswer(400, 'mfa_clock_drift', { seconds: 120 });
    const el = await mount();
    action(el, 'bind').click();
    await waitUntil(has(el, 'dialog #jd-code'));
    await typeInto(el, '#jd-code', '12');
    await submitDialog(el);
    expect($(el, '#jd-code-error').textContent).to.contain('6 digits');
    await typeInto(el, '#jd-code', '123456');
    await submitDialog(el);
    await waitUntil(has(el, '#jd-code-error'));
    expect($(el, '#jd-code-error').textContent).to.contain('120 s').and.contain('date and time');
    expect($(el, '#jd-code').getAttribute('aria-describedby')).to.equal('jd-code-error');
  });

  it('says so when the setup expired or MFA is already bound', async () => {
    serveOverview(securityOverview({ stepUp: GRANTED }));
    bff.routes['POST /v1/security/mfa/setup'] = () => errorAnswer(400, 'mfa_already_bound');
    const el = await mount();
    action(el, 'bind').click();
    await waitUntil(() => dialogStatus(el).includes('already bound'));
    expect($$(el, 'dialog button[type="submit"]')).to.have.length(0);
  });

  it('unbinds after step-up by the MFA code itself (no code is sent) and a confirmation', async () => {
    serveOverview(securityOverview({ mfa: BOUND, stepUpMethods: ['phone', 'totp'] }));
    bff.routes['DELETE /v1/security/mfa'] = () => ({ status: 200, body: securityOverview() });
    const el = await mount();
    expect(rowText(el))
      .to.contain('Bound')
      .and.contain('7 recovery codes left')
      .and.contain('Regenerate recovery codes');
    action(el, 'unbind').click();
    await waitUntil(has(el, 'dialog input[name="method"][value="totp"]'));
    expect($(el, 'dialog').textContent).to.contain('Code from your MFA app');
    $<HTMLInputElement>(el, 'dialog input[name="method"][value="totp"]').click();
    await waitUntil(has(el, 'dialog #jd-code'), 'the TOTP code is asked for directly');
    expect($(el, 'label[for="jd-code"]').textContent).to.equal('MFA code');
    expect($$(el, 'dialog [part~="resend"]')).to.have.length(0);
    await typeInto(el, '#jd-code', '246810');
    await submitDialog(el);
    await waitUntil(
      has(el, 'dialog [data-close]') && (() => $(el, 'dialog').textContent.includes('Unbind the virtual MFA device?')),
      'no confirmation',
    );
    expect(bff.find('POST', '/v1/security/step-up/start'), 'nothing is sent for TOTP').to.have.length(0);
    expect(bff.find('POST', '/v1/security/step-up/verify')[0].body).to.deep.equal({ method: 'totp', code: '246810' });
    expect(bff.find('DELETE', '/v1/security/mfa')).to.have.length(0);
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    const detail = (await changed).detail;
    expect(detail.what).to.equal('mfa');
    expect(detail.overview.mfa.bound).to.equal(false);
    expect(bff.find('DELETE', '/v1/security/mfa')).to.have.length(1);
    await waitUntil(() => !dialog(el).open);
    await el.updateComplete;
    expect(rowText(el)).to.contain('Not bound');
  });

  it('unbind: a step_up_required answer goes back to the step-up, then to the confirmation', async () => {
    serveOverview(securityOverview({ mfa: BOUND, stepUp: GRANTED }));
    let granted = false;
    bff.routes['POST /v1/security/step-up/verify'] = () => ((granted = true), STEP_UP_OK);
    bff.routes['DELETE /v1/security/mfa'] = () =>
      granted ? { status: 200, body: securityOverview() } : errorAnswer(403, 'step_up_required');
    const el = await mount();
    action(el, 'unbind').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    await waitUntil(() => $(el, 'dialog').textContent.includes('Unbind the virtual MFA device?'));
    await submitDialog(el);
    await stepUpByPhone(el);
    await waitUntil(
      () => $(el, 'dialog').textContent.includes('Unbind the virtual MFA device?'),
      'not back to the confirmation',
    );
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('mfa');
    expect(bff.find('DELETE', '/v1/security/mfa')).to.have.length(2);
  });

  it('regenerates the recovery codes after step-up, with step_up_required handled', async () => {
    serveOverview(securityOverview({ mfa: BOUND, stepUp: GRANTED }));
    let granted = false;
    bff.routes['POST /v1/security/step-up/verify'] = () => ((granted = true), STEP_UP_OK);
    bff.routes['POST /v1/security/mfa/recovery-codes'] = () => {
      if (!granted) return errorAnswer(403, 'step_up_required');
      serveOverview(securityOverview({ mfa: { ...BOUND, recoveryCodesLeft: 10 } }));
      return { status: 200, body: { recoveryCodes: TEST_RECOVERY_CODES } };
    };
    const el = await mount();
    action(el, 'regenerate').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    await stepUpByPhone(el);
    const changed = oneEvent(el, 'jd-security-change');
    await waitUntil(has(el, 'dialog [part~="recovery-codes"]'), 'no new codes');
    expect((await changed).detail.what).to.equal('mfa');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Regenerate recovery codes');
    expect($$(el, 'dialog [part~="recovery-codes"] li')).to.have.length(10);
    expect(bff.find('POST', '/v1/security/mfa/recovery-codes')).to.have.length(2);
    expect(rowText(el)).to.contain('10 recovery codes left');
    $<HTMLInputElement>(el, 'dialog input[name="ack"]').click();
    await el.updateComplete;
    await submitDialog(el);
    await waitUntil(() => !dialog(el).open);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: bound row, TOTP step-up, QR step and recovery codes`, async () => {
      serveOverview(securityOverview({ mfa: BOUND, stepUpMethods: ['totp'] }));
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      action(el, 'unbind').click();
      await waitUntil(has(el, 'dialog #jd-code'));
      await submitDialog(el);
      await expect(el).to.be.accessible();

      serveOverview(securityOverview({ stepUp: GRANTED }));
      bff.routes['POST /v1/security/mfa/setup'] = () => ({ status: 200, body: TEST_MFA_SETUP });
      bff.routes['POST /v1/security/mfa/confirm'] = () => ({
        status: 200,
        body: { recoveryCodes: TEST_RECOVERY_CODES },
      });
      const bind = await mount(locale);
      action(bind, 'bind').click();
      await waitUntil(has(bind, 'dialog img[part~="qr"]'));
      await expect(bind).to.be.accessible();
      await typeInto(bind, '#jd-code', '123456');
      await submitDialog(bind);
      await waitUntil(has(bind, 'dialog [part~="recovery-codes"]'));
      await expect(bind).to.be.accessible();
    });
  }
});
