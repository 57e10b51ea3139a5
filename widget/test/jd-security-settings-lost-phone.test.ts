/**
 * <jd-security-settings> and a lost security phone (docs/product.md#23-lost-security-phone): under
 * the step-up methods, "I can't use any of these" leads to support and, for a real-name verified
 * account, to "Apply to change the security phone" (the same review queue as a lost MFA device);
 * once approved, the security phone row binds a new phone without a step-up.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import { $, FakeBff, securityOverview, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function mount(): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale="en"></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="rows"]'), 'did not render');
  return el;
}

const has = (el: JdSecuritySettings, selector: string) => () => !!el.shadowRoot!.querySelector(selector);
const dialogText = (el: JdSecuritySettings) => $(el, 'dialog').textContent.replace(/\s+/g, ' ');
const submit = (el: JdSecuritySettings) => $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();

async function toApplication(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, '[data-row="security-phone"] [data-action="change"]').click();
  await waitUntil(has(el, 'dialog [data-action="cannot-use"]'), 'no step-up');
  $<HTMLButtonElement>(el, 'dialog [data-action="cannot-use"]').click();
  await waitUntil(has(el, 'dialog [data-action="phone-apply"]'), 'no application offer');
  expect($(el, 'dialog [data-action="phone-apply"]').textContent.trim()).to.equal('Apply to change the security phone');
  $<HTMLButtonElement>(el, 'dialog [data-action="phone-apply"]').click();
}

describe('<jd-security-settings> lost security phone', () => {
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn(), signedIn: true } }),
      'GET /v1/security': () => ({ status: 200, body: securityOverview() }),
      'GET /v1/mfa-recovery': () => ({
        status: 200,
        body: { realNameVerified: true, type: 'personal', pendingApplication: false },
      }),
      'POST /v1/mfa-recovery/applications': () => ({
        status: 201,
        body: { id: '0a1b2c3d-0000-4000-8000-000000000000', status: 'pending' },
      }),
    });
  });
  afterEach(() => bff.restore());

  it('a real-name verified account applies from the support step; the form is checked first', async () => {
    const el = await mount();
    await toApplication(el);
    await waitUntil(has(el, 'dialog #jd-idNumber'), 'no application form');
    expect(bff.find('GET', '/v1/mfa-recovery')[0].query.get('purpose')).to.equal('security_phone');
    expect(dialogText(el)).to.contain('Your account is real-name verified');
    // nothing filled: the errors at the fields, no request
    submit(el);
    await waitUntil(has(el, 'dialog [data-field="idPhoto"]'), 'no field errors');
    expect(bff.find('POST', '/v1/mfa-recovery/applications')).to.have.length(0);
    await typeInto(el, 'dialog #jd-name', '李四');
    await typeInto(el, 'dialog #jd-phone', '139 0013 9000');
    await typeInto(el, 'dialog #jd-idNumber', '11010119900307123X');
    const input = $<HTMLInputElement>(el, 'dialog #jd-idPhoto');
    const dt = new DataTransfer();
    dt.items.add(new File([PNG], 'me.png', { type: 'image/png' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    await waitUntil(() => !el.shadowRoot!.querySelector('dialog [data-field="idPhoto"]'), 'photo not taken');
    submit(el);
    await waitUntil(has(el, 'dialog [part~="confirmation"]'), 'no confirmation');
    const body = bff.find('POST', '/v1/mfa-recovery/applications')[0].body as Record<string, unknown>;
    expect(body).to.deep.include({
      purpose: 'security_phone',
      type: 'personal',
      name: '李四',
      idNumber: '11010119900307123X',
    });
    expect(body.phone).to.deep.equal({ region: 'CN', number: '13900139000' });
    expect(dialogText(el)).to.contain('0A1B2C3D');
  });

  it('an account that is not real-name verified is sent to support', async () => {
    bff.routes['GET /v1/mfa-recovery'] = () => ({
      status: 200,
      body: { realNameVerified: false, type: null, pendingApplication: false },
    });
    const el = await mount();
    await toApplication(el);
    await waitUntil(() => dialogText(el).includes('Only real-name verified accounts'), 'not told');
    expect(dialogText(el)).to.contain('400-615-1212');
    expect(el.shadowRoot!.querySelector('dialog #jd-idNumber')).to.equal(null);
  });

  it('once approved: the row says until when, and Change goes straight to the new phone', async () => {
    bff.routes['GET /v1/security'] = () => ({
      status: 200,
      body: securityOverview({ securityPhoneRebindUntil: '2099-03-08T08:00:00.000Z' }),
    });
    const el = await mount();
    expect($(el, '[data-row="security-phone"] [part~="rebind"]').textContent).to.contain(
      'Application approved: bind a new security phone by',
    );
    $<HTMLButtonElement>(el, '[data-row="security-phone"] [data-action="change"]').click();
    await waitUntil(has(el, 'dialog #jd-phone'), 'not at the new phone');
    expect(el.shadowRoot!.querySelector('dialog input[name="method"]')).to.equal(null);
  });
});
