/**
 * <jd-security-settings> against the REAL BFF (started by widget/test/real-bff-plugin.mjs on
 * another origin, so token mode): a user registered through the API changes the contact phone,
 * then the security phone after verifying identity through the old phone — codes read from the
 * dev outbox, as a user would read their SMS.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import { $, typeInto } from './fake-bff.ts';
import { latestCode, loadBff, randomPhone, registerUser, type BffInfo } from './real-bff.ts';

let bff: BffInfo;

async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

function rowText(el: JdSecuritySettings, row: string): string {
  return $(el, `[data-row="${row}"]`).textContent.replace(/\s+/g, ' ');
}

const dialogOpen = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog').open;
const has = (el: JdSecuritySettings, selector: string) => () => !!el.shadowRoot!.querySelector(selector);

describe('<jd-security-settings> against the real BFF', function () {
  this.timeout(60_000);

  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());

  it('changes the contact phone, then the security phone with step-up through the old phone', async () => {
    const phone1 = randomPhone();
    const phone2 = randomPhone();
    const phone3 = randomPhone();
    await registerUser(bff, phone1);

    const el = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(el, '[part~="rows"]'), 'the overview did not render', { timeout: 10000 });
    expect(rowText(el, 'security-phone'))
      .to.contain(phone1.slice(-4))
      .and.contain('Verified')
      .and.contain('Can verify identity');
    expect(rowText(el, 'contact-phone')).to.contain('Same as the security phone');
    expect(el.shadowRoot!.querySelectorAll('tr[part~="event"]').length).to.be.greaterThan(0);

    // contact phone: new number → code → done, no step-up
    $<HTMLButtonElement>(el, '[data-row="contact-phone"] [data-action="set"]').click();
    await waitUntil(() => dialogOpen(el));
    // the contact change is a step module: its step renders once it is loaded
    await waitUntil(has(el, 'dialog #jd-phone'), 'no phone step');
    await typeInto(el, '#jd-phone', phone2);
    await submitDialog(el);
    await waitUntil(has(el, 'dialog #jd-code'), 'no code step for the contact phone', { timeout: 10000 });
    await typeInto(el, '#jd-code', await latestCode(phone2));
    await submitDialog(el);
    await waitUntil(() => !dialogOpen(el), 'the contact dialog did not close', { timeout: 10000 });
    await el.updateComplete;
    expect(rowText(el, 'contact-phone')).to.contain(phone2.slice(-4));

    // security phone: step-up by a code to the old phone → new phone → code → done
    $<HTMLButtonElement>(el, '[data-row="security-phone"] [data-action="change"]').click();
    await waitUntil(() => dialogOpen(el));
    // the step-up choice renders once the dialog has its methods (slow under load)
    await waitUntil(has(el, 'dialog input[name="method"][value="phone"]'), 'no step-up method choice', {
      timeout: 10000,
    }).catch((e: Error) => {
      throw new Error(
        `${e.message}: ${el
          .shadowRoot!.querySelector('dialog')
          ?.innerHTML.replace(/<!--[^>]*-->/g, '')
          .slice(0, 1500)}`,
      );
    });
    expect($<HTMLInputElement>(el, 'dialog input[name="method"][value="phone"]').checked).to.equal(true);
    await submitDialog(el);
    await waitUntil(has(el, 'dialog #jd-code'), 'no step-up code step', { timeout: 10000 });
    await typeInto(el, '#jd-code', await latestCode(phone1));
    await submitDialog(el);
    await waitUntil(has(el, 'dialog #jd-phone'), 'no new-phone step after step-up', { timeout: 10000 });
    await typeInto(el, '#jd-phone', phone3);
    await submitDialog(el);
    await waitUntil(has(el, 'dialog #jd-code'), 'no code step for the new security phone', { timeout: 10000 });
    await typeInto(el, '#jd-code', await latestCode(phone3));
    await submitDialog(el);
    await waitUntil(() => !dialogOpen(el), 'the security dialog did not close', { timeout: 10000 });
    await el.updateComplete;
    expect(rowText(el, 'security-phone')).to.contain(phone3.slice(-4)).and.contain('Verified');
    expect(rowText(el, 'contact-phone')).to.contain(phone2.slice(-4));
    expect($(el, '[part~="success"]').textContent).to.contain('Your change has been saved.');
  });

  // docs/product.md#10-changing-identity-verification-methods: the BFF refuses a first security email without a fresh step-up
  // (403 step_up_required); the element asks for the step-up before the email, so the user never sees that.
  it('adds a first security email after a step-up through the security phone', async () => {
    const phone = randomPhone();
    await registerUser(bff, phone);
    const el = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(el, '[part~="rows"]'), 'the overview did not render', { timeout: 10000 });
    $<HTMLButtonElement>(el, '[data-row="security-email"] [data-action="add"]').click();
    await waitUntil(has(el, 'dialog input[name="method"][value="phone"]'), 'no step-up method choice', {
      timeout: 10000,
    });
    await submitDialog(el);
    await waitUntil(has(el, 'dialog #jd-code'), 'no step-up code step', { timeout: 10000 });
    await typeInto(el, '#jd-code', await latestCode(phone));
    await submitDialog(el);
    await waitUntil(has(el, 'dialog #jd-email'), 'no email step after step-up', { timeout: 10000 });
    await typeInto(el, '#jd-email', `wtr.${phone}@example.com`);
    await submitDialog(el);
    await waitUntil(
      () =>
        (el.shadowRoot!.querySelector('dialog [part~="status"]')?.textContent ?? '').includes(
          'verification link was sent',
        ),
      'no link sent',
      { timeout: 10000 },
    );
    // the page re-reads the overview after the link was sent
    await waitUntil(() => rowText(el, 'security-email').includes('Unverified'), 'the new email is not listed', {
      timeout: 10000,
    });
  });
});
