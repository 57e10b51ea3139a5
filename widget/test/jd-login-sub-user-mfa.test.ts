/**
 * <jd-login> and a sub-user's virtual MFA (docs/product.md#13-sub-users): a sub-user whose
 * primary account requires MFA and who has no device binds one at sign-in (QR code, key, first
 * code); a sub-user with a device enters its code, has no recovery codes, and for a lost device is
 * sent to its primary account's owner — never to the real-name application.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import type { SignedIn } from '../../shared/src/api.ts';
import { $, $$, FakeBff, TEST_MFA_SETUP, errorAnswer, mfaPending, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

function subSignedIn(): SignedIn {
  const s = signedIn('acme_corp');
  return { ...s, account: { ...s.account, subUser: { id: 'sub_1', name: 'auditor' } } };
}

/** POST /v1/sessions for a sub-user: a device to enter the code of, or (setup) one to bind first. */
function subPending(over: Partial<SignedIn> = {}): SignedIn {
  const s = mfaPending('acme_corp');
  return { ...s, account: { ...s.account, subUser: { id: 'sub_1', name: 'auditor' } }, ...over };
}

async function mount(locale = 'en'): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

async function signInAsSubUser(el: JdLogin): Promise<void> {
  $<HTMLButtonElement>(el, 'button[data-sub]').click();
  await waitUntil(() => el.shadowRoot!.querySelector('#jd-sub-user'));
  await typeInto(el, '#jd-identifier', 'acme_corp');
  await typeInto(el, '#jd-sub-user', 'auditor');
  await typeInto(el, '#jd-password', 'Sub#Pass2026');
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
}

const focused = (el: JdLogin) => el.shadowRoot!.activeElement;

describe('<jd-login> sub-user MFA', () => {
  beforeEach(() => {
    bff = new FakeBff({
      'POST /v1/sessions/mfa/setup': () => ({ status: 200, body: TEST_MFA_SETUP }),
      'POST /v1/sessions/mfa': () => ({ status: 200, body: subSignedIn() }),
      'GET /v1/mfa-recovery': () => ({
        status: 200,
        body: { realNameVerified: true, type: 'personal', pendingApplication: false },
      }),
    });
    sessionStorage.clear();
    delete (window as { __pwned?: boolean }).__pwned;
  });
  afterEach(() => bff.restore());

  it('binds a device when the primary account requires MFA: QR code, key, first code, then signed in', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subPending({ mfaSetupRequired: true }) });
    const el = await mount();
    const logins: CustomEvent[] = [];
    el.addEventListener('jd-login', (e) => logins.push(e as CustomEvent));
    await signInAsSubUser(el);
    await waitUntil(() => el.shadowRoot!.querySelector('img[part~="qr"]'), 'no QR code');
    expect(bff.find('POST', '/v1/sessions/mfa/setup')[0].body).to.deep.equal({});
    expect(logins, 'not signed in before the device is bound').to.have.length(0);

    expect(el.shadowRoot!.textContent).to.contain('requires virtual MFA for this sub-user');
    // the QR code is the server's SVG as an image: never parsed into the page, its script never runs
    const img = $<HTMLImageElement>(el, 'img[part~="qr"]');
    expect(decodeURIComponent(img.getAttribute('src')!)).to.equal(
      `data:image/svg+xml;charset=utf-8,${TEST_MFA_SETUP.qrSvg}`,
    );
    expect(img.alt).to.equal('QR code for your authenticator app');
    expect(el.shadowRoot!.querySelector('svg')).to.equal(null);
    expect((window as { __pwned?: boolean }).__pwned).to.equal(undefined);
    expect($(el, '[part~="secret"]').textContent).to.equal('Key: JBSW Y3DP EHPK 3PXP JBSW Y3DP');
    expect($<HTMLAnchorElement>(el, 'a[href^="otpauth://"]').getAttribute('href')).to.equal(TEST_MFA_SETUP.otpauthUri);
    const input = $<HTMLInputElement>(el, '#jd-mfa-code');
    expect(input.getAttribute('autocomplete')).to.equal('one-time-code');
    expect(input.getAttribute('inputmode')).to.equal('numeric');
    expect($(el, 'label[for="jd-mfa-code"]').textContent).to.equal('MFA code');
    // no recovery codes, no lost-device path while binding; no notice without one
    expect($$(el, '[data-mfa]')).to.have.length(0);
    expect($$(el, '[part~="notice"]')).to.have.length(0);
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.step-title') === true);

    await typeInto(el, '#jd-mfa-code', '12a');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await el.updateComplete;
    expect($(el, '#jd-mfa-code-error').textContent).to.contain('6 digits');
    expect(bff.find('POST', '/v1/sessions/mfa')).to.have.length(0);

    await typeInto(el, '#jd-mfa-code', '123456');
    const loggedIn = oneEvent(el, 'jd-login');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    const ev = await loggedIn;
    expect(ev.detail.account.subUser).to.deep.equal({ id: 'sub_1', name: 'auditor' });
    expect(bff.find('POST', '/v1/sessions/mfa')[0].body).to.deep.equal({ code: '123456' });
    await el.updateComplete;
    expect($(el, '[part~="signed-in"]').textContent.trim()).to.equal('Signed in as auditor (sub-user of acme_corp)');
  });

  it('tells the sub-user when the primary account disassociated its device', async () => {
    bff.routes['POST /v1/sessions'] = () => ({
      status: 200,
      body: subPending({ mfaSetupRequired: true, notices: ['mfa_reset_by_primary'] }),
    });
    const el = await mount();
    await signInAsSubUser(el);
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="notice"]'), 'no notice');
    const notice = $(el, '[part~="notice"]');
    expect(notice.textContent).to.equal('Your primary account has disassociated your previous MFA device.');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the notice',
    );

    const zh = await mount('zh-CN');
    await signInAsSubUser(zh);
    await waitUntil(() => zh.shadowRoot!.querySelector('[part~="notice"]'));
    expect($(zh, '[part~="notice"]').textContent).to.equal('主账号已解除您之前的 MFA 设备绑定。');
  });

  it('shows a wrong first code at the field', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subPending({ mfaSetupRequired: true }) });
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'mfa_code_invalid', { remaining: 4 });
    const el = await mount();
    await signInAsSubUser(el);
    await waitUntil(() => el.shadowRoot!.querySelector('img[part~="qr"]'));
    await typeInto(el, '#jd-mfa-code', '000000');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code-error'));
    expect($(el, '#jd-mfa-code-error').textContent).to.contain('The MFA code is incorrect.');
    await waitUntil(() => focused(el)?.id === 'jd-mfa-code');
    expect($$(el, 'img[part~="qr"]'), 'the QR code stays for another try').to.have.length(1);
  });

  it('goes back to the password form when the pending sign-in is gone before the setup', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subPending({ mfaSetupRequired: true }) });
    bff.routes['POST /v1/sessions/mfa/setup'] = () => errorAnswer(401, 'not_signed_in');
    const el = await mount();
    await signInAsSubUser(el);
    await waitUntil(() => $(el, '[aria-live="polite"]').textContent.includes('not signed in'), 'no reason given');
    expect(bff.find('POST', '/v1/sessions/mfa/setup')).to.have.length(1);
    expect($$(el, '#jd-mfa-code, img[part~="qr"]')).to.have.length(0);
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the password',
    );
  });

  it('a sub-user with a device: no recovery-code link, and a lost device is for the primary account', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subPending() });
    const el = await mount();
    await signInAsSubUser(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code'), 'no MFA step');
    expect($$(el, '[data-mfa="recovery"]')).to.have.length(0);
    expect($$(el, 'img[part~="qr"]')).to.have.length(0);
    $<HTMLButtonElement>(el, '[data-mfa="lost"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="lost"] p'));
    const p = $(el, '[part~="lost"] p');
    expect(p.textContent).to.equal(
      'Sub-users cannot disassociate MFA themselves. Ask the owner of your primary account to disassociate your MFA device; then sign in again and bind a new one.',
    );
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the help',
    );
    expect(bff.find('GET', '/v1/mfa-recovery'), 'no application path for a sub-user').to.have.length(0);
    expect($$(el, '[part~="lost"] form, [part~="support"]')).to.have.length(0);

    const zh = await mount('zh-CN');
    await signInAsSubUser(zh);
    await waitUntil(() => zh.shadowRoot!.querySelector('[data-mfa="lost"]'));
    $<HTMLButtonElement>(zh, '[data-mfa="lost"]').click();
    await waitUntil(() => zh.shadowRoot!.querySelector('[part~="lost"] p'));
    expect($(zh, '[part~="lost"] p').textContent).to.contain('请联系主账号所有者解除您的 MFA 设备绑定');
  });

  it('a primary account still gets its recovery-code link', async () => {
    bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: mfaPending('alice_01') });
    const el = await mount();
    await typeInto(el, '#jd-identifier', 'alice_01');
    await typeInto(el, '#jd-password', 'Str0ng!pw');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code'));
    expect($$(el, '[data-mfa="recovery"]')).to.have.length(1);
  });

  it('after a reload a sub-user learns it has no recovery codes from the server, and the link goes', async () => {
    sessionStorage.clear();
    bff.routes['GET /v1/session'] = () => errorAnswer(401, 'mfa_required');
    bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'recovery_codes_unavailable');
    const el = await mount();
    $<HTMLButtonElement>(el, '[data-mfa="recovery"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-recovery-code'));
    await typeInto(el, '#jd-recovery-code', 'abcd-efgh');
    $<HTMLButtonElement>(el, 'button[type="submit"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-recovery-code-error'));
    expect($(el, '#jd-recovery-code-error').textContent).to.contain('Sub-users have no recovery codes');
    $<HTMLButtonElement>(el, '[data-mfa="code"]').click();
    await el.updateComplete;
    expect($$(el, '[data-mfa="recovery"]')).to.have.length(0);
    $<HTMLButtonElement>(el, '[data-mfa="lost"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="lost"] p'));
    expect($(el, '[part~="lost"] p').textContent).to.contain('Sub-users cannot disassociate MFA');
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the binding step with its notice and error, the sub-user's lost-device help`, async () => {
      bff.routes['POST /v1/sessions'] = () => ({
        status: 200,
        body: subPending({ mfaSetupRequired: true, notices: ['mfa_reset_by_primary'] }),
      });
      bff.routes['POST /v1/sessions/mfa'] = () => errorAnswer(400, 'mfa_code_invalid', { remaining: 4 });
      const el = await mount(locale);
      await signInAsSubUser(el);
      await waitUntil(() => el.shadowRoot!.querySelector('img[part~="qr"]'));
      await expect(el).to.be.accessible();
      await typeInto(el, '#jd-mfa-code', '000000');
      $<HTMLButtonElement>(el, 'button[type="submit"]').click();
      await waitUntil(() => el.shadowRoot!.querySelector('#jd-mfa-code-error'));
      await expect(el).to.be.accessible();

      bff.routes['POST /v1/sessions'] = () => ({ status: 200, body: subPending() });
      const other = await mount(locale);
      await signInAsSubUser(other);
      await waitUntil(() => other.shadowRoot!.querySelector('[data-mfa="lost"]'));
      $<HTMLButtonElement>(other, '[data-mfa="lost"]').click();
      await waitUntil(() => other.shadowRoot!.querySelector('[part~="lost"] p'));
      await expect(other).to.be.accessible();
    });
  }
});
