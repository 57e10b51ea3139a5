import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import type { SecurityOverview } from '../../shared/src/api.ts';
import { $, $$, FakeBff, STEP_UP_OK, contact, errorAnswer, securityOverview, typeInto, signedIn } from './fake-bff.ts';

let bff: FakeBff;

async function mount(locale = 'en', loginUrl = ''): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale} login-url=${loginUrl}></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="rows"], .is-info, [role="alert"]'), 'did not render');
  return el;
}

function serveOverview(o: SecurityOverview): void {
  bff.routes['GET /v1/security'] = () => ({ status: 200, body: o });
}

function rowText(el: JdSecuritySettings, row: string): string {
  return $(el, `[data-row="${row}"]`).textContent.replace(/\s+/g, ' ').trim();
}

function action(el: JdSecuritySettings, row: string, name: string): HTMLButtonElement {
  return $<HTMLButtonElement>(el, `[data-row="${row}"] [data-action="${name}"]`);
}

function dialog(el: JdSecuritySettings): HTMLDialogElement {
  return $<HTMLDialogElement>(el, 'dialog');
}

async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

describe('<jd-security-settings>', () => {
  beforeEach(() => {
    bff = new FakeBff();
    // one session per page (src/session.ts): the element follows the page's GET /v1/session
    bff.routes['GET /v1/session'] = () => ({ status: 200, body: { ...signedIn(), signedIn: true } });
    serveOverview(securityOverview());
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('shows each setting with its masked value and text badges (en)', async () => {
    const el = await mount('en');
    expect(bff.find('GET', '/v1/security')).to.have.length(1);
    expect(rowText(el, 'security-phone'))
      .to.contain('138****8000')
      .and.contain('Verified')
      .and.contain('Can verify identity')
      .and.contain('Can sign in');
    expect(rowText(el, 'security-email')).to.contain('a***@example.com').and.contain('Unverified');
    expect(rowText(el, 'security-email')).not.to.contain('Can sign in');
    expect(rowText(el, 'contact-phone')).to.contain('Same as the security phone');
    expect(rowText(el, 'contact-email')).to.contain('Same as the security email');
    expect(rowText(el, 'mfa')).to.contain('Not bound');
    expect(action(el, 'security-email', 'verify').textContent).to.contain('Verify');
    expect(action(el, 'contact-phone', 'set').textContent).to.contain('Set');
    expect($$(el, '[data-row="contact-phone"] [data-action="use_security"]')).to.have.length(0);
    expect($(el, '[part~="badge-warn"]').textContent).to.equal('Unverified');
    // every action names its row for screen readers
    expect(action(el, 'password', 'change').getAttribute('aria-describedby')).to.equal('jd-row-password');
    const rows = $$(el, 'tr[part~="event"]');
    expect(rows.map((r) => r.dataset['type'])).to.deep.equal(['sign_in', 'step_up_failed']);
    expect(rows[0].textContent).to.contain('Signed in').and.contain('succeeded');
    expect(rows[1].textContent).to.contain('Identity verification failed').and.contain('failed');
    expect(rows[0].querySelector('time')!.getAttribute('datetime')).to.equal('2025-03-01T08:00:00.000Z');
  });

  it('shows the same settings in Chinese, with a separate contact and a bound MFA', async () => {
    serveOverview(
      securityOverview({
        contactPhone: contact('phone', '139****9000', { canVerifyIdentity: false, canSignIn: false }),
        securityEmail: contact('email', 'a***@example.com'),
        mfa: { bound: true, boundAt: '2026-11-20T08:00:00.000Z', recoveryCodesLeft: 10 },
      }),
    );
    const el = await mount('zh-CN');
    expect($(el, 'h2').textContent).to.equal('安全设置');
    expect(rowText(el, 'security-phone'))
      .to.contain('安全手机')
      .and.contain('已验证')
      .and.contain('可用于身份验证')
      .and.contain('可用于登录');
    expect(rowText(el, 'security-email')).to.contain('已验证');
    expect(rowText(el, 'contact-phone'))
      .to.contain('139****9000')
      .and.contain('修改')
      .and.contain('恢复为同安全联系方式');
    expect(rowText(el, 'contact-email')).to.contain('同安全邮箱');
    expect(rowText(el, 'mfa')).to.contain('已绑定');
    expect($(el, 'tr[part~="event"]').textContent).to.contain('登录').and.contain('成功');
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the page and an open dialog with errors`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      action(el, 'contact-phone', 'set').click();
      await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
      await submitDialog(el);
      expect($(el, '#jd-phone').getAttribute('aria-invalid')).to.equal('true');
      await expect(el).to.be.accessible();
    });
  }

  it('changes the security phone: step-up by phone, new phone, code, done', async () => {
    const newOverview = securityOverview({ securityPhone: contact('phone', '139****9000', { canSignIn: false }) });
    bff.routes['POST /v1/security/step-up/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd1', method: 'phone', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/step-up/verify'] = () => ({
      status: 200,
      body: { stepUp: { active: true, expiresAt: '2025-03-01T08:10:00.000Z' } },
    });
    bff.routes['POST /v1/security/contacts/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd2', sentTo: '139****9000', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/contacts/confirm'] = () => ({ status: 200, body: newOverview });
    const el = await mount();
    const trigger = action(el, 'security-phone', 'change');
    trigger.click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), 'dialog did not open');
    expect(dialog(el).getAttribute('aria-labelledby')).to.equal('jd-dialog-title');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Security phone');
    // 1. choose the method: phone (preselected), by voice call
    const radio = $<HTMLInputElement>(el, 'dialog input[name="method"][value="phone"]');
    expect(radio.checked).to.equal(true);
    // focus goes to the dialog step's heading (docs/elements.md)
    expect(el.shadowRoot!.activeElement?.id).to.equal('jd-dialog-title');
    expect($(el, 'dialog').textContent).to.contain('Code to the security phone 138****8000');
    $<HTMLInputElement>(el, 'dialog input[name="channel"][value="voice"]').click();
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'), 'no step-up code field');
    expect(bff.find('POST', '/v1/security/step-up/start')[0].body).to.deep.equal({
      method: 'phone',
      channel: 'voice',
    });
    expect($(el, 'dialog [part~="status"]').textContent).to.contain('A code was sent to 138****8000');
    expect($<HTMLButtonElement>(el, 'dialog [part~="resend"]').disabled).to.equal(true);
    expect($(el, 'dialog [part~="resend"]').textContent).to.match(/Resend in \d+ s/);
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'jd-dialog-title', 'focus not on the step heading');
    // 2. the step-up code
    await typeInto(el, '#jd-code', '123456');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-phone'), 'no new-phone field');
    expect(bff.find('POST', '/v1/security/step-up/verify')[0].body).to.deep.equal({ method: 'phone', code: '123456' });
    // 3. the new phone, a code to it
    await typeInto(el, '#jd-region', 'HK');
    await typeInto(el, '#jd-phone', '5123 4567');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'), 'no new-phone code field');
    expect(bff.find('POST', '/v1/security/contacts/start')[0].body).to.deep.equal({
      kind: 'phone',
      role: 'security',
      phone: { region: 'HK', number: '51234567' },
      channel: 'voice', // the channel chosen for the step-up code is kept
    });
    expect($<HTMLInputElement>(el, '#jd-code').value).to.equal('');
    // 4. confirm
    await typeInto(el, '#jd-code', '654321');
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    const detail = (await changed).detail;
    expect(detail.what).to.equal('security_phone');
    expect(detail.overview.securityPhone.value).to.equal('139****9000');
    expect(bff.find('POST', '/v1/security/contacts/confirm')[0].body).to.deep.equal({
      kind: 'phone',
      role: 'security',
      phone: { region: 'HK', number: '51234567' },
      code: '654321',
    });
    await waitUntil(() => !dialog(el).open, 'dialog did not close');
    await el.updateComplete;
    expect(rowText(el, 'security-phone')).to.contain('139****9000').and.not.contain('Can sign in');
    expect($(el, '[part~="success"]').textContent).to.contain('Your change has been saved.');
    await waitUntil(() => el.shadowRoot!.activeElement === trigger, 'focus did not return to the Change button');
  });

  it('goes to the step-up step when the server answers step_up_required', async () => {
    serveOverview(securityOverview({ stepUp: { active: true, expiresAt: '2025-03-01T08:10:00.000Z' } }));
    bff.routes['POST /v1/security/contacts/start'] = () => errorAnswer(403, 'step_up_required');
    const el = await mount();
    action(el, 'security-phone', 'change').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    // the grant is active: straight to the new phone
    await typeInto(el, '#jd-phone', '13900139000');
    const err = oneEvent(el, 'jd-error');
    await submitDialog(el);
    expect((await err).detail.code).to.equal('step_up_required');
    await waitUntil(() => el.shadowRoot!.querySelector('dialog input[name="method"]'), 'no method step');
    expect($(el, 'dialog [part~="status"]').textContent).to.contain('verify your identity first');
  });

  it('shows the support channels when no verification method is available', async () => {
    serveOverview(securityOverview({ stepUpMethods: [] }));
    const el = await mount();
    action(el, 'security-phone', 'change').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    const text = $(el, 'dialog').textContent;
    expect(text).to.contain('No verification method is available');
    expect(text).to.contain('Hotline: 400-615-1212').and.contain('Email: support@example.com');
    expect($<HTMLAnchorElement>(el, 'dialog a[part~="link"]').getAttribute('href')).to.equal(
      'https://help.example/ticket',
    );
    expect($$(el, 'dialog button[type="submit"]')).to.have.length(0);
    expect(el.shadowRoot!.activeElement?.id).to.equal('jd-dialog-title');
  });

  it('closes the dialog with Escape and returns focus to the button that opened it', async () => {
    const el = await mount();
    const trigger = action(el, 'contact-email', 'set');
    trigger.click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    expect(el.shadowRoot!.activeElement?.id).to.equal('jd-dialog-title');
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !dialog(el).open, 'Escape did not close the dialog');
    await waitUntil(() => el.shadowRoot!.activeElement === trigger, 'focus did not return');
  });

  it('sets a contact phone without step-up, and "Same as security" resets it with DELETE', async () => {
    const withContact = securityOverview({
      contactPhone: contact('phone', '139****9000', { canVerifyIdentity: false, canSignIn: false }),
    });
    bff.routes['POST /v1/security/contacts/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd', sentTo: '139****9000', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/contacts/confirm'] = () => ({ status: 200, body: withContact });
    bff.routes['DELETE /v1/security/contacts/phone'] = () => ({ status: 200, body: securityOverview() });
    const el = await mount();
    action(el, 'contact-phone', 'set').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    expect($$(el, 'dialog input[name="method"]')).to.have.length(0);
    await typeInto(el, '#jd-phone', '139 0013 9000');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'));
    expect((bff.find('POST', '/v1/security/contacts/start')[0].body as { role: string }).role).to.equal('contact');
    await typeInto(el, '#jd-code', '111111');
    await submitDialog(el);
    await waitUntil(() => !dialog(el).open);
    await el.updateComplete;
    expect(rowText(el, 'contact-phone')).to.contain('139****9000');

    const changed = oneEvent(el, 'jd-security-change');
    action(el, 'contact-phone', 'use_security').click();
    const detail = (await changed).detail;
    expect(detail.what).to.equal('contact_phone');
    expect(bff.find('DELETE', '/v1/security/contacts/phone')).to.have.length(1);
    await el.updateComplete;
    expect(rowText(el, 'contact-phone')).to.contain('Same as the security phone');
  });

  it('shows a code error from the server at the code field', async () => {
    bff.routes['POST /v1/security/contacts/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd', sentTo: 'b***@example.com', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/contacts/confirm'] = () => errorAnswer(400, 'code_invalid', { remaining: 3 });
    const el = await mount();
    action(el, 'contact-email', 'set').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    await typeInto(el, '#jd-email', 'bob@example.com');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'));
    expect(bff.find('POST', '/v1/security/contacts/start')[0].body).to.deep.equal({
      kind: 'email',
      role: 'contact',
      email: 'bob@example.com',
    });
    await typeInto(el, '#jd-code', '000000');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-code-error'));
    expect($(el, '#jd-code').getAttribute('aria-describedby')).to.equal('jd-code-error');
    expect($(el, '#jd-code-error').textContent).to.contain('incorrect');
    expect(dialog(el).open).to.equal(true);
  });

  it('"Verify" on an unverified email resends the link', async () => {
    bff.routes['POST /v1/security/email/verification'] = () => ({
      status: 202,
      body: { deliveryId: 'd', sentTo: 'a***@example.com' },
    });
    const el = await mount();
    action(el, 'security-email', 'verify').click();
    await waitUntil(() => bff.find('POST', '/v1/security/email/verification').length === 1);
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="success"]'));
    expect($(el, '[part~="success"]').textContent).to.contain(
      'A verification link was sent to a***@example.com. Open it within 2 hours.',
    );
  });

  // docs/product.md#10-changing-identity-verification-methods: a first security email, verified from the adder's own inbox, would
  // itself pass the next step-up, so adding one needs a step-up by a method the account has.
  it('adding a first security email asks for step-up first', async () => {
    serveOverview(securityOverview({ securityEmail: null }));
    bff.routes['POST /v1/security/step-up/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd1', method: 'phone', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/step-up/verify'] = () => STEP_UP_OK;
    bff.routes['POST /v1/security/email'] = () => ({
      status: 202,
      body: { deliveryId: 'd', sentTo: 'c***@example.com' },
    });
    const el = await mount();
    expect(rowText(el, 'security-email')).to.contain('Not set');
    expect(rowText(el, 'contact-email')).to.contain('Not set');
    action(el, 'security-email', 'add').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    // 1. the method choice, not the email field
    expect($(el, '#jd-dialog-title').textContent).to.equal('Security email');
    expect($<HTMLInputElement>(el, 'dialog input[name="method"][value="phone"]').checked).to.equal(true);
    expect($$(el, 'dialog #jd-email')).to.have.length(0);
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'), 'no step-up code field');
    expect(bff.find('POST', '/v1/security/step-up/start')[0].body).to.deep.equal({ method: 'phone', channel: 'sms' });
    await typeInto(el, '#jd-code', '123456');
    await submitDialog(el);
    // 2. then the new email, sent a link
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-email'), 'no email field after step-up');
    expect(bff.find('POST', '/v1/security/email')).to.have.length(0);
    await typeInto(el, '#jd-email', 'carol@example.com');
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('security_email');
    expect(bff.find('POST', '/v1/security/email')[0].body).to.deep.equal({ email: 'carol@example.com' });
    expect($(el, 'dialog [part~="status"]').textContent).to.contain('Open it within 2 hours');
  });

  it('changing an unverified security email asks for step-up first too', async () => {
    const el = await mount();
    action(el, 'security-email', 'change').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    expect($<HTMLInputElement>(el, 'dialog input[name="method"][value="phone"]').checked).to.equal(true);
    expect($$(el, 'dialog #jd-email')).to.have.length(0);
  });

  it('an account with no verification method at all adds its first security email without step-up', async () => {
    serveOverview(securityOverview({ securityEmail: null, stepUpMethods: [] }));
    const el = await mount();
    action(el, 'security-email', 'add').click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-email'), 'no email field');
    expect($$(el, 'dialog input[name="method"]')).to.have.length(0);
  });

  it('when the grant expired mid-dialog, goes back to the step-up with the reason beside it, then adds the email', async () => {
    // the page still believes in an older grant; the BFF re-checks it and it has expired
    serveOverview(
      securityOverview({ securityEmail: null, stepUp: { active: true, expiresAt: '2025-03-01T08:10:00.000Z' } }),
    );
    let granted = false;
    bff.routes['POST /v1/security/step-up/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd1', method: 'phone', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/step-up/verify'] = () => ((granted = true), STEP_UP_OK);
    bff.routes['POST /v1/security/email'] = () =>
      granted
        ? { status: 202, body: { deliveryId: 'd', sentTo: 'c***@example.com' } }
        : errorAnswer(403, 'step_up_required');
    const el = await mount();
    action(el, 'security-email', 'add').click();
    await waitUntil(
      () => el.shadowRoot!.querySelector('dialog #jd-email'),
      'the grant is active: straight to the email',
    );
    await typeInto(el, '#jd-email', 'carol@example.com');
    await submitDialog(el);
    await waitUntil(
      () => el.shadowRoot!.querySelector('dialog input[name="method"]'),
      'no method step after step_up_required',
    );
    // the reason is in the dialog, with the step it asks for; nothing at the page's foot
    expect($(el, 'dialog [part~="status"]').textContent).to.contain('For your security, verify your identity first.');
    expect($(el, 'dialog [part~="status"]').className).to.contain('is-error');
    expect($$(el, '[part~="status"]').filter((s) => !s.closest('dialog') && s.textContent.trim())).to.have.length(0);
    expect(dialog(el).open).to.equal(true);
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'), 'no step-up code field');
    await typeInto(el, '#jd-code', '123456');
    await submitDialog(el);
    // back at the email, still filled in: one more Confirm adds it
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-email'), 'no email field after step-up');
    expect($<HTMLInputElement>(el, '#jd-email').value).to.equal('carol@example.com');
    // the step-up's "code sent" is not carried into the next step
    expect($$(el, 'dialog [part~="status"]')).to.have.length(0);
    await submitDialog(el);
    await waitUntil(
      () =>
        (el.shadowRoot!.querySelector('dialog [part~="status"]')?.textContent ?? '').includes('Open it within 2 hours'),
      'the link was not sent',
    );
    expect(bff.find('POST', '/v1/security/email')).to.have.length(2);
  });

  it('changes the password: step-up first, then the live checklist and validation', async () => {
    bff.routes['POST /v1/security/step-up/start'] = () => ({
      status: 202,
      body: { deliveryId: 'd', method: 'phone', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
    });
    bff.routes['POST /v1/security/step-up/verify'] = () => ({
      status: 200,
      body: { stepUp: { active: true, expiresAt: '2025-03-01T08:10:00.000Z' } },
    });
    let answer = errorAnswer(400, 'password_incorrect');
    bff.routes['POST /v1/security/password'] = () => answer;
    const el = await mount();
    action(el, 'password', 'change').click();
    await waitUntil(() => dialog(el).open && dialog(el).querySelector('form'), "the dialog's step did not render");
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'));
    await typeInto(el, '#jd-code', '12345');
    await submitDialog(el);
    expect($(el, '#jd-code-error').textContent).to.contain('6 digits');
    expect(bff.find('POST', '/v1/security/step-up/verify')).to.have.length(0);
    await typeInto(el, '#jd-code', '123456');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-newPassword'));

    await typeInto(el, '#jd-newPassword', 'abc');
    expect($(el, 'li[data-rule="digit"]').hasAttribute('data-met')).to.equal(false);
    expect($(el, '#jd-newPassword').getAttribute('aria-describedby')).to.contain('jd-newPassword-rules');
    await submitDialog(el);
    expect($(el, '#jd-currentPassword-error').textContent).to.contain('required');
    expect($(el, '#jd-newPassword-error').textContent).to.contain('at least 7');
    expect(el.shadowRoot!.activeElement?.id).to.equal('jd-currentPassword');
    expect(bff.find('POST', '/v1/security/password')).to.have.length(0);

    await typeInto(el, '#jd-currentPassword', 'Old!pass1');
    await typeInto(el, '#jd-newPassword', 'N3w!secret');
    expect($(el, 'li[data-rule="digit"]').hasAttribute('data-met')).to.equal(true);
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-currentPassword-error'));
    expect($(el, '#jd-currentPassword-error').textContent).to.contain('current password is incorrect');

    answer = { status: 200, body: { signedOutSessions: 2 } };
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('password');
    expect(bff.find('POST', '/v1/security/password').at(-1)!.body).to.deep.equal({
      currentPassword: 'Old!pass1',
      newPassword: 'N3w!secret',
    });
    await waitUntil(() => !dialog(el).open);
    expect($(el, '[part~="success"]').textContent).to.contain('Other sessions signed out: 2');
  });

  it('says "sign in" (with the login link) and fires nothing when not signed in', async () => {
    bff.routes['GET /v1/security'] = () => errorAnswer(401, 'not_signed_in');
    let errors = 0;
    const onError = () => errors++;
    document.addEventListener('jd-error', onError);
    try {
      const el = await mount('en', '/login');
      expect($(el, '[part~="status"]').textContent).to.contain('Sign in to manage your security settings.');
      expect($<HTMLAnchorElement>(el, 'a[part~="link"]').getAttribute('href')).to.equal('/login');
      expect($$(el, '[part~="rows"]')).to.have.length(0);
      expect(errors).to.equal(0);
    } finally {
      document.removeEventListener('jd-error', onError);
    }
  });
});
