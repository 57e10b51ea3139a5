/**
 * Sub-users' virtual MFA in <jd-security-settings> (docs/product.md#13-sub-users):
 * - a primary account creates a sub-user with "MFA required", sees each sub-user's MFA state,
 *   toggles "MFA required" and, after confirming, disassociates a sub-user's device;
 * - a signed-in sub-user sees only its own MFA row and binds a device after re-entering its
 *   password (no step-up, no recovery codes); once bound, only the primary can disassociate it.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import type { SubUserMfaStatus, SubUserView } from '../../shared/src/api.ts';
import { en } from '../../shared/src/i18n/en.ts';
import {
  $,
  $$,
  FakeBff,
  TEST_MFA_SETUP,
  errorAnswer,
  securityOverview,
  subUserView,
  typeInto,
  signedIn,
} from './fake-bff.ts';

let bff: FakeBff;
let subs: SubUserView[];
let changes: CustomEvent[];
const onChange = (e: Event) => changes.push(e as CustomEvent);

async function mount(locale = 'en'): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale}></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="rows"]'), 'did not render');
  return el;
}

const has = (el: JdSecuritySettings, selector: string) => () => !!el.shadowRoot!.querySelector(selector);
const dialog = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog');
const dialogStatus = (el: JdSecuritySettings) =>
  el.shadowRoot!.querySelector('dialog [part~="status"]')?.textContent ?? '';
const text = (el: Element) => el.textContent.replace(/\s+/g, ' ').trim();
const rowText = (el: JdSecuritySettings, name: string) => text($(el, `[data-sub="${name}"]`));
const rowAction = <T extends HTMLElement = HTMLButtonElement>(el: JdSecuritySettings, name: string, action: string) =>
  el.shadowRoot!.querySelector<T>(`[data-sub="${name}"] [data-action="${action}"]`);
const required = (el: JdSecuritySettings, name: string) => rowAction<HTMLInputElement>(el, name, 'mfa-required')!;

async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

/** Serves the list from `subs`, and PUT/POST answers that change it as the BFF does. */
function primaryRoutes(): void {
  bff.routes['GET /v1/security'] = () => ({ status: 200, body: securityOverview() });
  bff.routes['GET /v1/sub-users'] = () => ({ status: 200, body: { subUsers: subs } });
  for (const s of subs) {
    bff.routes[`PUT /v1/sub-users/${s.id}/mfa-required`] = (req) => {
      subs = subs.map((x) => (x.id === s.id ? { ...x, mfaRequired: (req.body as { required: boolean }).required } : x));
      return { status: 200, body: subs.find((x) => x.id === s.id) };
    };
    bff.routes[`POST /v1/sub-users/${s.id}/mfa/disassociate`] = () => {
      subs = subs.map((x) => (x.id === s.id ? { ...x, mfaBound: false } : x));
      return { status: 200, body: subs.find((x) => x.id === s.id) };
    };
  }
}

describe("<jd-security-settings> sub-users' MFA (primary account)", () => {
  beforeEach(() => {
    subs = [subUserView('auditor', { mfaRequired: true, mfaBound: true }), subUserView('dev_ops')];
    bff = new FakeBff();
    // one session per page (src/session.ts): the element follows the page's GET /v1/session
    bff.routes['GET /v1/session'] = () => ({ status: 200, body: { ...signedIn(), signedIn: true } });
    primaryRoutes();
    sessionStorage.clear();
    changes = [];
    document.addEventListener('jd-security-change', onChange);
  });
  afterEach(() => {
    bff.restore();
    document.removeEventListener('jd-security-change', onChange);
  });

  it("shows each sub-user's MFA state: bound or not, required or not; disassociation only for a bound device", async () => {
    const el = await mount();
    expect(rowText(el, 'auditor')).to.contain('MFA bound').and.contain('MFA required').and.contain('Disassociate MFA');
    expect(rowText(el, 'dev_ops')).to.contain('MFA not bound').and.not.contain('Disassociate');
    expect($$(el, '[data-sub="auditor"] [part~="badge-ok"]').map((b) => b.textContent)).to.deep.equal([
      'Enabled',
      'MFA bound',
    ]);
    expect($$(el, '[data-sub="dev_ops"] [part~="badge-warn"]').map((b) => b.textContent)).to.deep.equal([
      'MFA not bound',
    ]);
    expect(required(el, 'auditor').checked).to.equal(true);
    expect(required(el, 'dev_ops').checked).to.equal(false);
    expect(rowAction(el, 'dev_ops', 'disassociate')).to.equal(null);
    // the checkbox is named by its label and tied to its sub-user like the row's buttons
    expect(required(el, 'auditor').closest('label')!.textContent).to.equal('MFA required');
    expect(required(el, 'auditor').getAttribute('aria-describedby')).to.equal(`jd-row-sub-${subs[0].id}`);
    expect(rowAction(el, 'auditor', 'disassociate')!.getAttribute('aria-describedby')).to.equal(
      `jd-row-sub-${subs[0].id}`,
    );
  });

  it('creates a sub-user with "MFA required" checked', async () => {
    bff.routes['POST /v1/sub-users'] = (req) => {
      const b = req.body as { name: string; mfaRequired: boolean };
      const created = subUserView(b.name, { mfaRequired: b.mfaRequired });
      subs = [...subs, created];
      return { status: 201, body: created };
    };
    const el = await mount();
    $<HTMLButtonElement>(el, '[part~="sub-users"] [data-action="create"]').click();
    await waitUntil(has(el, 'dialog #jd-name'), 'no create form');
    const box = $<HTMLInputElement>(el, 'dialog input[type="checkbox"][name="mfa"]');
    expect(box.checked, 'off by default').to.equal(false);
    expect(box.closest('label')!.textContent).to.equal('MFA required');
    await typeInto(el, '#jd-name', 'oncall');
    await typeInto(el, '#jd-newPassword', 'Sub#Pass2026');
    box.click();
    await el.updateComplete;
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('sub_users');
    expect(bff.find('POST', '/v1/sub-users')[0].body).to.deep.equal({
      name: 'oncall',
      password: 'Sub#Pass2026',
      mfaRequired: true,
    });
    await waitUntil(has(el, '[data-sub="oncall"]'), 'not listed');
    expect(required(el, 'oncall').checked).to.equal(true);
    expect(rowText(el, 'oncall')).to.contain('MFA not bound');
  });

  it('toggles "MFA required" on and off; a refused change puts the box back and says why', async () => {
    const el = await mount();
    const id = subs[1].id;
    const changed = oneEvent(el, 'jd-security-change');
    required(el, 'dev_ops').click();
    expect((await changed).detail.what).to.equal('sub_users');
    expect(bff.find('PUT', `/v1/sub-users/${id}/mfa-required`)[0].body).to.deep.equal({ required: true });
    await waitUntil(() => subs[1].mfaRequired && required(el, 'dev_ops').checked, 'not required');
    expect($(el, '[aria-live="polite"]').textContent).to.contain('saved');
    required(el, 'dev_ops').click();
    await waitUntil(() => bff.find('PUT', `/v1/sub-users/${id}/mfa-required`).length === 2);
    expect(bff.find('PUT', `/v1/sub-users/${id}/mfa-required`)[1].body).to.deep.equal({ required: false });
    await waitUntil(() => changes.length === 2 && !required(el, 'dev_ops').checked, 'still required');

    bff.routes[`PUT /v1/sub-users/${id}/mfa-required`] = () => errorAnswer(404, 'sub_user_not_found');
    required(el, 'dev_ops').click();
    await waitUntil(() => $(el, '[aria-live="polite"]').textContent.includes('No such sub-user.'), 'no error');
    expect(required(el, 'dev_ops').checked, 'back to what the server has').to.equal(false);
    expect(changes).to.have.length(2);
  });

  it("disassociates a sub-user's device only after a confirmation that says what follows", async () => {
    const el = await mount();
    const id = subs[0].id;
    const trigger = rowAction(el, 'auditor', 'disassociate')!;
    trigger.click();
    await waitUntil(() => dialog(el).open && has(el, 'dialog button[type="submit"]')(), 'no confirmation');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Disassociate MFA');
    expect(text($(el, 'dialog p'))).to.equal(
      "Disassociate auditor's MFA device? The sub-user is told at the next sign-in and must bind again if MFA is required.",
    );
    // cancel: nothing happens, focus goes back
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    await waitUntil(() => !dialog(el).open);
    expect(bff.find('POST', `/v1/sub-users/${id}/mfa/disassociate`)).to.have.length(0);
    await waitUntil(() => el.shadowRoot!.activeElement === trigger, 'focus did not return');

    trigger.click();
    await waitUntil(() => has(el, 'dialog button[type="submit"]')());
    expect($(el, 'dialog button[type="submit"]').textContent.trim()).to.equal('Disassociate MFA');
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('sub_users');
    expect(bff.find('POST', `/v1/sub-users/${id}/mfa/disassociate`)[0].body).to.deep.equal({});
    await waitUntil(() => !dialog(el).open, 'dialog did not close');
    await waitUntil(() => rowText(el, 'auditor').includes('MFA not bound'), 'row not updated');
    expect(rowAction(el, 'auditor', 'disassociate')).to.equal(null);
    expect(required(el, 'auditor').checked, '"MFA required" stays').to.equal(true);
    // the button is gone: focus lands on the row's next control, not on the page
    await waitUntil(() => !!el.shadowRoot!.activeElement?.closest('[data-sub="auditor"]'), 'focus lost');
  });

  it('shows a failed disassociation in the dialog', async () => {
    bff.routes[`POST /v1/sub-users/${subs[0].id}/mfa/disassociate`] = () => errorAnswer(400, 'mfa_not_bound');
    const el = await mount();
    rowAction(el, 'auditor', 'disassociate')!.click();
    await waitUntil(() => has(el, 'dialog button[type="submit"]')());
    await submitDialog(el);
    await waitUntil(() => dialogStatus(el).includes('No virtual MFA device is bound.'), 'no error');
    expect(dialog(el).open).to.equal(true);
    expect(changes).to.have.length(0);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: rows with MFA states, the create form and the disassociation`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '[part~="sub-users"] [data-action="create"]').click();
      await waitUntil(has(el, 'dialog input[name="mfa"]'));
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, 'dialog [data-close]').click();
      await waitUntil(() => !dialog(el).open);
      rowAction(el, 'auditor', 'disassociate')!.click();
      await waitUntil(() => has(el, 'dialog button[type="submit"]')());
      if (locale === 'zh-CN') expect($(el, '#jd-dialog-title').textContent).to.equal('解除 MFA');
      await expect(el).to.be.accessible();
    });
  }
});

describe("<jd-security-settings> a sub-user's own MFA", () => {
  let own: SubUserMfaStatus;

  beforeEach(() => {
    own = { bound: false, boundAt: null, required: false };
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn('alice_01/ops'), signedIn: true } }),
      'GET /v1/security': () => errorAnswer(403, 'sub_user_forbidden'),
      'GET /v1/sub-users': () => errorAnswer(403, 'sub_user_forbidden'),
      'GET /v1/sub-user/mfa': () => ({ status: 200, body: own }),
      'POST /v1/sub-user/mfa/setup': (req) =>
        (req.body as { password: string }).password === 'Sub#Pass2026'
          ? { status: 200, body: TEST_MFA_SETUP }
          : errorAnswer(400, 'invalid_input', undefined, [
              { path: 'password', code: 'password_incorrect', message: 'x' },
            ]),
      'POST /v1/sub-user/mfa/confirm': (req) => {
        if ((req.body as { code: string }).code !== '654321') return errorAnswer(400, 'mfa_code_invalid');
        own = { ...own, bound: true, boundAt: '2025-03-01T08:05:00.000Z' };
        return { status: 200, body: own };
      },
    });
    sessionStorage.clear();
    changes = [];
    document.addEventListener('jd-security-change', onChange);
  });
  afterEach(() => {
    bff.restore();
    document.removeEventListener('jd-security-change', onChange);
  });

  const mfaRow = (el: JdSecuritySettings) => text($(el, '[data-row="mfa"]'));

  it('binds after the password: wrong password at its field, the QR code and key, a wrong then a right code; no recovery codes', async () => {
    const el = await mount();
    expect(mfaRow(el)).to.contain('Virtual MFA').and.contain('Not bound').and.not.contain('MFA required');
    const bind = $<HTMLButtonElement>(el, '[data-row="mfa"] [data-action="bind"]');
    bind.click();
    await waitUntil(() => dialog(el).open && has(el, 'dialog #jd-currentPassword')(), 'no password step');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Virtual MFA');
    expect(bff.find('POST', '/v1/security/step-up/start'), 'no step-up: a sub-user has no contacts').to.have.length(0);
    const pw = $<HTMLInputElement>(el, '#jd-currentPassword');
    // focus goes to the dialog step's heading (docs/elements.md)
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'jd-dialog-title', 'focus not on the heading');
    expect($(el, 'label[for="jd-currentPassword"]').textContent).to.equal('Password');
    expect(pw.type).to.equal('password');
    expect(pw.getAttribute('autocomplete')).to.equal('current-password');
    expect($(el, `#${pw.getAttribute('aria-describedby')}`).textContent).to.equal('Enter your password to continue.');

    // empty: refused here; wrong: the BFF's answer at the field
    await submitDialog(el);
    expect(pw.getAttribute('aria-invalid')).to.equal('true');
    expect(bff.find('POST', '/v1/sub-user/mfa/setup')).to.have.length(0);
    await typeInto(el, '#jd-currentPassword', 'Wrong#2026');
    await submitDialog(el);
    await waitUntil(has(el, '#jd-currentPassword-error'), 'no error at the password');
    expect($(el, '#jd-currentPassword-error').textContent).to.equal('The current password is incorrect.');
    expect(pw.getAttribute('aria-describedby')).to.contain('jd-currentPassword-error');
    await waitUntil(() => el.shadowRoot!.activeElement === pw, 'focus not on the invalid password');
    // the error is under its field; no generic box besides it (docs/elements.md)
    expect(dialogStatus(el)).to.equal('');

    await typeInto(el, '#jd-currentPassword', 'Sub#Pass2026');
    await submitDialog(el);
    await waitUntil(has(el, 'dialog img[part~="qr"]'), 'no QR code');
    expect(bff.find('POST', '/v1/sub-user/mfa/setup')[1].body).to.deep.equal({ password: 'Sub#Pass2026' });
    // the same rendering as the primary's binding: an <img> of the SVG, the key in groups, the app link
    expect(decodeURIComponent($(el, 'dialog img[part~="qr"]').getAttribute('src')!)).to.equal(
      `data:image/svg+xml;charset=utf-8,${TEST_MFA_SETUP.qrSvg}`,
    );
    expect(el.shadowRoot!.querySelector('svg, script')).to.equal(null);
    expect($(el, 'dialog [part~="secret"]').textContent).to.contain('Key: JBSW Y3DP EHPK 3PXP JBSW Y3DP');
    expect($<HTMLAnchorElement>(el, 'dialog a[href^="otpauth:"]').getAttribute('href')).to.equal(
      TEST_MFA_SETUP.otpauthUri,
    );
    const code = $<HTMLInputElement>(el, '#jd-code');
    expect($(el, 'label[for="jd-code"]').textContent).to.equal('MFA code');
    expect(code.getAttribute('autocomplete')).to.equal('one-time-code');
    await waitUntil(() => el.shadowRoot!.activeElement?.id === 'jd-dialog-title', 'focus not on the QR step heading');

    await typeInto(el, '#jd-code', '111111');
    await submitDialog(el);
    await waitUntil(has(el, '#jd-code-error'), 'no error at the code');
    expect($(el, '#jd-code-error').textContent).to.equal(en['error.mfa_code_invalid']);

    await typeInto(el, '#jd-code', '654321');
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    const detail = (await changed).detail;
    expect(detail).to.deep.equal({ what: 'mfa', overview: undefined });
    expect(bff.find('POST', '/v1/sub-user/mfa/confirm')[1].body).to.deep.equal({ code: '654321' });
    await waitUntil(() => !dialog(el).open, 'dialog did not close');
    expect($$(el, '[part~="recovery-codes"]'), 'sub-users have no recovery codes').to.have.length(0);
    expect($(el, '[aria-live="polite"]').textContent).to.equal(
      'MFA bound. Sub-users have no recovery codes: if you lose the device, ask your primary account to disassociate it.',
    );
    expect(mfaRow(el))
      .to.contain('Bound')
      .and.contain('Since')
      .and.contain('2025')
      .and.contain('only the primary account can disassociate it');
    expect($$(el, '[data-row="mfa"] button'), 'no unbind for a sub-user').to.have.length(0);
    // "Bind" is gone: focus goes to the row's text rather than to the page
    await waitUntil(() => !!el.shadowRoot!.activeElement?.closest('[data-row="mfa"]'), 'focus lost');
  });

  it('shows a bound device: since when, "MFA required", and no button (only the primary disassociates)', async () => {
    own = { bound: true, boundAt: '2025-02-01T08:00:00.000Z', required: true };
    const el = await mount();
    expect(mfaRow(el))
      .to.contain('Bound')
      .and.contain('MFA required')
      .and.contain('Since')
      .and.contain('only the primary account can disassociate it');
    expect($$(el, '[data-row="mfa"] button')).to.have.length(0);
    expect(bff.find('GET', '/v1/sub-user/mfa')).to.have.length(1);
  });

  it('cancels the binding at the QR step: nothing bound, focus back on Bind', async () => {
    const el = await mount();
    const bind = $<HTMLButtonElement>(el, '[data-row="mfa"] [data-action="bind"]');
    bind.click();
    await waitUntil(has(el, 'dialog #jd-currentPassword'));
    await typeInto(el, '#jd-currentPassword', 'Sub#Pass2026');
    await submitDialog(el);
    await waitUntil(has(el, 'dialog img[part~="qr"]'));
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    await waitUntil(() => !dialog(el).open);
    await waitUntil(() => el.shadowRoot!.activeElement === bind, 'focus did not return');
    expect(mfaRow(el)).to.contain('Not bound');
    expect(changes).to.have.length(0);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the own MFA row, the password step with its error, the QR step, the bound row`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '[data-row="mfa"] [data-action="bind"]').click();
      await waitUntil(has(el, 'dialog #jd-currentPassword'));
      await typeInto(el, '#jd-currentPassword', 'Wrong#2026');
      await submitDialog(el);
      await waitUntil(has(el, '#jd-currentPassword-error'));
      await expect(el).to.be.accessible();
      await typeInto(el, '#jd-currentPassword', 'Sub#Pass2026');
      await submitDialog(el);
      await waitUntil(has(el, 'dialog img[part~="qr"]'));
      await expect(el).to.be.accessible();
      await typeInto(el, '#jd-code', '654321');
      await submitDialog(el);
      await waitUntil(() => !dialog(el).open);
      if (locale === 'zh-CN') expect($(el, '[aria-live="polite"]').textContent).to.contain('子用户没有恢复码');
      await expect(el).to.be.accessible();
    });
  }
});
