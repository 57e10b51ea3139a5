/**
 * <jd-login>'s "Lost your device?" (docs/product.md#14-lost-mfa-device-applications): a real-name verified primary account
 * applies to disassociate its MFA device (personal: name, associated phone, ID number, photo
 * holding the ID card; enterprise: also the enterprise name and business licence); without
 * real-name verification it cannot, and the element says so with the tenant's support channels.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import type { MfaRecoveryEligibility } from '../../shared/src/api.ts';
import { $, $$, FakeBff, TEST_CONFIG, errorAnswer, mfaPending, typeInto, type FakeAnswer } from './fake-bff.ts';

let bff: FakeBff;

const SUPPORT = { ticketUrl: 'https://help.example/ticket', hotline: '400 615 1212', email: 'help@example.com' };
const APP_ID = '7d0c3a52-1f0e-4c8e-9a51-2b7c1f6d9e01';
/** the first bytes of a PNG, a JPEG, a PDF and a GIF: the element checks content, not names */
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52];
const JPEG = [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0];
const PDF = [...'%PDF-1.4\n%test'].map((c) => c.charCodeAt(0));
const GIF = [...'GIF89a not allowed'].map((c) => c.charCodeAt(0));

function eligibility(over: Partial<MfaRecoveryEligibility> = {}): FakeAnswer {
  return { status: 200, body: { realNameVerified: true, type: 'personal', pendingApplication: false, ...over } };
}

function file(bytes: number[], name: string, type: string, padTo = 0): File {
  const data = new Uint8Array(Math.max(bytes.length, padTo));
  data.set(bytes);
  return new File([data], name, { type });
}

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

async function mount(locale = 'en', sessionMode = ''): Promise<JdLogin> {
  const el = await fixture<JdLogin>(
    html`<jd-login publishable-key="pk_test_1" locale=${locale} session-mode=${sessionMode}></jd-login>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

/** Password, then the MFA step, then "Lost your device?"; waits until the eligibility answer shows. */
async function toLost(el: JdLogin): Promise<void> {
  await typeInto(el, '#jd-identifier', 'alice_01');
  await typeInto(el, '#jd-password', 'Str0ng!pw');
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
  await waitUntil(() => el.shadowRoot!.querySelector('[data-mfa="lost"]'), 'no MFA step');
  $<HTMLButtonElement>(el, '[data-mfa="lost"]').click();
  await waitUntil(
    () =>
      el.shadowRoot!.querySelector('[part~="lost"]') && !el.shadowRoot!.querySelector('[part~="lost"] .hint[tabindex]'),
    'the lost-device section did not load',
  );
}

/** Picks a file in a file input as the user would. */
async function pick(el: JdLogin, selector: string, f: File): Promise<void> {
  const input = $<HTMLInputElement>(el, selector);
  const dt = new DataTransfer();
  dt.items.add(f);
  input.files = dt.files;
  input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

async function fillPersonal(el: JdLogin): Promise<void> {
  await typeInto(el, '#jd-app-name', ' 张三 ');
  await typeInto(el, '#jd-app-phone', '138 0013 8000');
  await typeInto(el, '#jd-app-id-number', '11010119900307123X');
  await pick(el, '#jd-app-id-photo', file(PNG, 'me.png', 'image/png'));
}

const focused = (el: JdLogin) => el.shadowRoot!.activeElement;
const status = (el: JdLogin) =>
  `${el.shadowRoot!.querySelector('.step-lead')?.textContent ?? ''} ${$(el, '[aria-live="polite"]').textContent}`;
const submit = (el: JdLogin) => $<HTMLButtonElement>(el, '[part~="lost"] button[type="submit"]').click();
/** Submits a form the element will refuse (it first waits for files still being read). */
async function submitInvalid(el: JdLogin): Promise<void> {
  const before = el.shadowRoot!.querySelectorAll('[aria-invalid="true"]').length;
  submit(el);
  await waitUntil(
    () =>
      el.shadowRoot!.querySelectorAll('[aria-invalid="true"]').length > before ||
      $(el, '[aria-live="polite"]').textContent.includes('attention'),
    'the form was not refused',
  );
  await el.updateComplete;
}

describe('<jd-login> lost MFA device', () => {
  let submitted: CustomEvent[];
  const onSubmitted = (e: Event) => submitted.push(e as CustomEvent);

  beforeEach(() => {
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, supportChannels: SUPPORT } }),
      'POST /v1/sessions': () => ({ status: 200, body: mfaPending('alice_01', 'tok_pending') }),
      'GET /v1/mfa-recovery': () => eligibility(),
      'POST /v1/mfa-recovery/applications': () => ({ status: 201, body: { id: APP_ID, status: 'pending' } }),
      'DELETE /v1/session': () => ({ status: 204 }),
    });
    sessionStorage.clear();
    submitted = [];
    document.addEventListener('jd-mfa-application-submitted', onSubmitted);
  });
  afterEach(() => {
    bff.restore();
    document.removeEventListener('jd-mfa-application-submitted', onSubmitted);
  });

  it('without real-name verification says disassociation is impossible and shows the support channels', async () => {
    bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ realNameVerified: false, type: null });
    const el = await mount('en', 'token');
    await toLost(el);
    const [req] = bff.find('GET', '/v1/mfa-recovery');
    expect(req.headers['authorization'], 'asked with the pending session').to.equal('Bearer tok_pending');
    const text = $(el, '[part~="lost"]').textContent;
    expect(text).to.contain('MFA cannot be disassociated because this account is not real-name verified');
    expect(text).to.contain('Hotline: 400 615 1212').and.contain('Email: help@example.com');
    expect($<HTMLAnchorElement>(el, '[part~="lost"] a').getAttribute('href')).to.equal('https://help.example/ticket');
    expect($$(el, '[part~="lost"] form, [part~="lost"] input')).to.have.length(0);
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the explanation',
    );
    // back to the code
    $<HTMLButtonElement>(el, '[data-mfa="code"]').click();
    await waitUntil(
      () =>
        el.shadowRoot!.querySelector('#jd-mfa-code') && el.shadowRoot!.activeElement?.matches('.step-title') === true,
    );
  });

  it('in Chinese too', async () => {
    bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ realNameVerified: false, type: null });
    const el = await mount('zh-CN');
    await toLost(el);
    expect($(el, '[part~="lost"] p').textContent).to.equal('该账号未完成实名认证，无法解除 MFA 绑定，请联系客服。');
  });

  it('says so when an application is already under review', async () => {
    bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ pendingApplication: true });
    const el = await mount();
    await toLost(el);
    expect($(el, '[part~="lost"] p').textContent).to.contain('already under review');
    expect($$(el, '[part~="lost"] form')).to.have.length(0);
  });

  it('a personal account gets the form: name, associated phone, ID number, photo holding the ID card', async () => {
    const el = await mount();
    await toLost(el);
    const label = (id: string) => $(el, `label[for="${id}"]`).textContent;
    expect(label('jd-app-name')).to.equal('Name (as on the ID card)');
    expect(label('jd-app-region')).to.equal('Region');
    expect(label('jd-app-phone')).to.equal('Phone number associated with the account');
    expect(label('jd-app-id-number')).to.equal('ID card number');
    expect(label('jd-app-id-photo')).to.equal('Photo of you holding your ID card');
    expect($$(el, '#jd-app-enterprise, #jd-app-licence')).to.have.length(0);
    const photo = $<HTMLInputElement>(el, '#jd-app-id-photo');
    expect(photo.type).to.equal('file');
    expect(photo.accept).to.equal('image/jpeg,image/png');
    expect(photo.getAttribute('aria-describedby')).to.equal('jd-app-id-photo-hint');
    expect($(el, '#jd-app-id-photo-hint').textContent).to.equal('JPEG or PNG image, at most 2 MB.');
    expect($(el, '#jd-app-phone').getAttribute('autocomplete')).to.equal('tel');
    expect($$(el, '#jd-app-region option').map((o) => (o as HTMLOptionElement).value)).to.deep.equal(['CN', 'HK']);
    expect($(el, '[part~="lost"] p').textContent).to.contain('real-name verified');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the intro',
    );

    // nothing filled in: every field says so, focus on the first, no request
    await submitInvalid(el);
    for (const id of ['jd-app-name', 'jd-app-phone', 'jd-app-id-number', 'jd-app-id-photo']) {
      expect($(el, `#${id}`).getAttribute('aria-invalid'), id).to.equal('true');
      expect($(el, `#${id}-error`).textContent, id).to.equal('This field is required.');
    }
    expect(photo.getAttribute('aria-describedby')).to.equal('jd-app-id-photo-error jd-app-id-photo-hint');
    await waitUntil(() => focused(el)?.id === 'jd-app-name', 'focus did not move to the first error');
    // said at each field (no generic box); the live region reads the first
    expect(status(el)).to.contain('This field is required.');
    // a wrong phone and ID number are caught here too
    await typeInto(el, '#jd-app-phone', '12345');
    await typeInto(el, '#jd-app-id-number', '12-34');
    await submitInvalid(el);
    expect($(el, '#jd-app-phone-error').textContent).to.equal('Enter a valid mobile phone number.');
    expect($(el, '#jd-app-id-number-error').textContent).to.equal(
      'Enter the ID card number: 6 to 32 letters and digits.',
    );
    expect(bff.find('POST', '/v1/mfa-recovery/applications')).to.have.length(0);
  });

  it('submits a personal application, confirms it is queued for review and fires jd-mfa-application-submitted', async () => {
    const el = await mount();
    await toLost(el);
    await fillPersonal(el);
    const ev = oneEvent(el, 'jd-mfa-application-submitted');
    submit(el);
    const detail = (await ev).detail;
    expect(detail).to.deep.equal({ id: APP_ID });
    expect(submitted).to.have.length(1);
    expect(submitted[0].bubbles && submitted[0].composed).to.equal(true);
    const [req] = bff.find('POST', '/v1/mfa-recovery/applications');
    expect(req.body).to.deep.equal({
      type: 'personal',
      name: '张三',
      phone: { region: 'CN', number: '13800138000' },
      idNumber: '11010119900307123X',
      idPhoto: { data: b64(PNG) },
    });
    await waitUntil(() => el.shadowRoot!.querySelector('[part~="confirmation"]'));
    const confirmation = $(el, '[part~="confirmation"]');
    // a short reference people can read out, not the raw UUID
    expect(confirmation.textContent).to.contain('7D0C3A52').and.contain('queued for review').and.not.contain(APP_ID);
    await waitUntil(
      () => el.shadowRoot!.activeElement?.matches('.step-title') === true,
      'focus did not move to the confirmation step',
    );
    expect($$(el, '[part~="lost"] form')).to.have.length(0);
    // "Done" ends the pending sign-in
    $<HTMLButtonElement>(el, '[part~="lost"] [part~="cancel"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-identifier'));
    expect(bff.find('DELETE', '/v1/session')).to.have.length(1);
    expect($<HTMLInputElement>(el, '#jd-identifier').value).to.equal('alice_01');
  });

  it('an enterprise account also gives the enterprise name and business licence (a PDF is accepted for it)', async () => {
    bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ type: 'enterprise' });
    const el = await mount();
    await toLost(el);
    expect($(el, 'label[for="jd-app-enterprise"]').textContent).to.equal('Enterprise name');
    expect($(el, 'label[for="jd-app-licence"]').textContent).to.equal('Business licence');
    expect($<HTMLInputElement>(el, '#jd-app-licence').accept).to.equal('image/jpeg,image/png,application/pdf');
    expect($(el, '#jd-app-enterprise').getAttribute('autocomplete')).to.equal('organization');
    await fillPersonal(el);
    await submitInvalid(el);
    expect($(el, '#jd-app-enterprise-error').textContent).to.equal('This field is required.');
    expect($(el, '#jd-app-licence-error').textContent).to.equal('This field is required.');
    await waitUntil(() => focused(el)?.id === 'jd-app-enterprise');
    expect(bff.find('POST', '/v1/mfa-recovery/applications')).to.have.length(0);

    await typeInto(el, '#jd-app-enterprise', '京东云示例有限公司');
    await pick(el, '#jd-app-licence', file(PDF, 'licence.pdf', 'application/pdf'));
    expect($$(el, '#jd-app-licence-error')).to.have.length(0);
    const ev = oneEvent(el, 'jd-mfa-application-submitted');
    submit(el);
    await ev;
    expect(bff.find('POST', '/v1/mfa-recovery/applications')[0].body).to.deep.equal({
      type: 'enterprise',
      name: '张三',
      phone: { region: 'CN', number: '13800138000' },
      idNumber: '11010119900307123X',
      idPhoto: { data: b64(PNG) },
      enterpriseName: '京东云示例有限公司',
      businessLicence: { data: b64(PDF) },
    });
  });

  it('checks a picked file before any upload: wrong type (by content), PDF as the photo, too large', async () => {
    bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ type: 'enterprise' });
    const el = await mount();
    await toLost(el);
    const errorOf = async (selector: string) => {
      await waitUntil(() => el.shadowRoot!.querySelector(`${selector}-error`), `no error at ${selector}`);
      return $(el, `${selector}-error`).textContent;
    };
    // a GIF renamed to .png: refused by its content
    await pick(el, '#jd-app-id-photo', file(GIF, 'photo.png', 'image/png'));
    expect(await errorOf('#jd-app-id-photo')).to.equal(
      'Upload a JPEG or PNG image (a PDF is also accepted for the business licence).',
    );
    expect($(el, '#jd-app-id-photo').getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-app-id-photo').getAttribute('aria-describedby')).to.equal(
      'jd-app-id-photo-error jd-app-id-photo-hint',
    );
    expect(status(el), 'announced').to.contain('Upload a JPEG or PNG image');
    // a good file replaces it and clears the error
    await pick(el, '#jd-app-id-photo', file(JPEG, 'photo.jpg', 'image/jpeg'));
    await waitUntil(() => !el.shadowRoot!.querySelector('#jd-app-id-photo-error'), 'the error stayed');
    // a PDF is not a photo (picked at once: the JPEG's slower read must not overwrite this verdict)
    await pick(el, '#jd-app-id-photo', file(PDF, 'photo.pdf', 'application/pdf'));
    expect(await errorOf('#jd-app-id-photo')).to.contain('JPEG or PNG');
    // over the server's 2 MB
    await pick(el, '#jd-app-licence', file(JPEG, 'big.jpg', 'image/jpeg', 2 * 1024 * 1024 + 1));
    expect(await errorOf('#jd-app-licence')).to.equal('The file is too large (at most 2 MB).');
    // exactly 2 MB is fine
    await pick(el, '#jd-app-licence', file(JPEG, 'ok.jpg', 'image/jpeg', 2 * 1024 * 1024));
    await waitUntil(() => !el.shadowRoot!.querySelector('#jd-app-licence-error'), 'a 2 MB file was refused', {
      timeout: 5000,
    });

    // a refused file stays refused at submit (not "required")
    await typeInto(el, '#jd-app-name', '张三');
    await submitInvalid(el);
    expect($(el, '#jd-app-id-photo-error').textContent).to.contain('JPEG or PNG');
    expect($$(el, '#jd-app-licence-error'), 'the 2 MB licence was accepted').to.have.length(0);
    expect(bff.find('POST', '/v1/mfa-recovery/applications')).to.have.length(0);
  });

  it('says the file errors in Chinese', async () => {
    const el = await mount('zh-CN');
    await toLost(el);
    await pick(el, '#jd-app-id-photo', file(JPEG, 'big.jpg', 'image/jpeg', 3 * 1024 * 1024));
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-app-id-photo-error'));
    expect($(el, '#jd-app-id-photo-error').textContent).to.equal('文件过大（不超过 2 MB）。');
    expect($(el, '#jd-app-id-photo-hint').textContent).to.equal('JPEG 或 PNG 图片，不超过 2 MB。');
    await pick(el, '#jd-app-id-photo', file(GIF, 'a.gif', 'image/gif'));
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-app-id-photo-error')?.textContent?.includes('PNG'));
    expect($(el, '#jd-app-id-photo-error').textContent).to.equal('请上传 JPEG 或 PNG 图片（营业执照也可上传 PDF）。');
  });

  it('puts server field errors at their fields and focuses the first', async () => {
    bff.routes['POST /v1/mfa-recovery/applications'] = () =>
      errorAnswer(400, 'invalid_input', undefined, [
        { path: 'idNumber', code: 'invalid_input' },
        { path: 'phone.number', code: 'phone_invalid' },
        { path: 'idPhoto', code: 'file_type_invalid' },
      ]);
    const el = await mount();
    await toLost(el);
    await fillPersonal(el);
    const err = oneEvent(el, 'jd-error');
    submit(el);
    expect((await err).detail.code).to.equal('invalid_input');
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-app-phone-error'));
    expect($(el, '#jd-app-phone-error').textContent).to.equal('Enter a valid mobile phone number.');
    expect($(el, '#jd-app-id-number-error').textContent).to.equal(
      'Enter the ID card number: 6 to 32 letters and digits.',
    );
    expect($(el, '#jd-app-id-photo-error').textContent).to.contain('JPEG or PNG');
    expect($(el, '#jd-app-phone').getAttribute('aria-describedby')).to.equal('jd-app-phone-error');
    await waitUntil(() => focused(el)?.id === 'jd-app-phone', 'focus did not move to the first error');
    expect(submitted).to.have.length(0);
    expect($$(el, '[part~="confirmation"]')).to.have.length(0);
  });

  it('shows the explanation when the server says the account is (no longer) real-name verified', async () => {
    bff.routes['POST /v1/mfa-recovery/applications'] = () => errorAnswer(400, 'real_name_required');
    const el = await mount();
    await toLost(el);
    await fillPersonal(el);
    submit(el);
    await waitUntil(() => $(el, '[part~="lost"] p').textContent.includes('not real-name verified'));
    expect($$(el, '[part~="lost"] form')).to.have.length(0);
    expect($(el, '[part~="lost"]').textContent).to.contain('Hotline: 400 615 1212');
  });

  it('goes back to the password form when the pending sign-in expired', async () => {
    bff.routes['POST /v1/mfa-recovery/applications'] = () => errorAnswer(401, 'not_signed_in');
    const el = await mount();
    await toLost(el);
    await fillPersonal(el);
    submit(el);
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-password'), 'not back to the password form');
    // a new step: focus on its heading (docs/elements.md#flows)
    await waitUntil(() => el.shadowRoot!.activeElement?.matches('.step-title') === true);
    // the personal details are not kept
    expect($$(el, '#jd-app-id-number')).to.have.length(0);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: explanation, forms with errors, confirmation`, async () => {
      bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ realNameVerified: false, type: null });
      const el = await mount(locale);
      await toLost(el);
      await expect(el).to.be.accessible();

      bff.routes['GET /v1/mfa-recovery'] = () => eligibility({ type: 'enterprise' });
      $<HTMLButtonElement>(el, '[data-mfa="code"]').click();
      await el.updateComplete;
      $<HTMLButtonElement>(el, '[data-mfa="lost"]').click();
      await waitUntil(() => el.shadowRoot!.querySelector('#jd-app-licence'));
      await expect(el).to.be.accessible();
      await pick(el, '#jd-app-licence', file(GIF, 'x.gif', 'image/gif'));
      submit(el);
      await waitUntil(() => el.shadowRoot!.querySelector('#jd-app-licence-error'));
      await expect(el).to.be.accessible();

      await typeInto(el, '#jd-app-enterprise', 'Acme');
      await fillPersonal(el);
      await pick(el, '#jd-app-licence', file(JPEG, 'ok.jpg', 'image/jpeg'));
      submit(el);
      await waitUntil(() => el.shadowRoot!.querySelector('[part~="confirmation"]'));
      await expect(el).to.be.accessible();
    });
  }
});
