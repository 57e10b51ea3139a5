/**
 * <jd-security-settings> against the REAL BFF (started by widget/test/real-bff-plugin.mjs on
 * another origin, so token mode): a user registered through the API changes the contact phone,
 * then the security phone after verifying identity through the old phone — codes read from the
 * dev outbox, as a user would read their SMS.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import { JdClient } from '../src/client.ts';
import { $, typeInto } from './fake-bff.ts';

interface BffInfo {
  url: string;
  publishableKey: string;
}

let bff: BffInfo;

/** A fresh mainland mobile number (national digits). */
function randomPhone(): string {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

async function latestCode(nationalNumber: string): Promise<string> {
  let code: string | null = null;
  await waitUntil(
    async () => {
      const res = await fetch(`/__bff/outbox?to=${encodeURIComponent(`+86${nationalNumber}`)}`);
      const rows = (await res.json()) as { code: string | null }[];
      code = rows.find((r) => r.code)?.code ?? null;
      return code !== null;
    },
    `no code in the dev outbox for +86${nationalNumber}`,
    { timeout: 5000 },
  );
  return code!;
}

async function registerUser(phone: string): Promise<JdClient> {
  const client = new JdClient({ publishableKey: bff.publishableKey, apiBase: bff.url, sessionMode: 'token', locale: 'en' });
  const config = await client.config();
  await client.sendCode({ phone: { region: 'CN', number: phone }, purpose: 'register', channel: 'sms' });
  const code = await latestCode(phone);
  await client.register({
    accountName: `wtr_${Math.random().toString(36).slice(2, 10)}`,
    password: 'Str0ng!pw9',
    phone: { region: 'CN', number: phone },
    code,
    agreements: config.agreements.map((a) => ({ key: a.key, version: a.version })),
  });
  expect(client.token, 'token mode keeps the bearer token').to.be.a('string');
  return client;
}

async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

function rowText(el: JdSecuritySettings, row: string): string {
  return $(el, `[data-row="${row}"]`).textContent!.replace(/\s+/g, ' ');
}

const dialogOpen = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog').open;
const has = (el: JdSecuritySettings, selector: string) => () => !!el.shadowRoot!.querySelector(selector);

describe('<jd-security-settings> against the real BFF', function () {
  this.timeout(60_000);

  before(async () => {
    const info = (await (await fetch('/__bff.json')).json()) as BffInfo & { error?: string };
    if (info.error) throw new Error(`real BFF: ${info.error}`);
    bff = info;
  });
  beforeEach(() => sessionStorage.clear());

  it('changes the contact phone, then the security phone with step-up through the old phone', async () => {
    const phone1 = randomPhone();
    const phone2 = randomPhone();
    const phone3 = randomPhone();
    await registerUser(phone1);

    const el = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(el, '[part~="rows"]'), 'the overview did not render', { timeout: 10000 });
    expect(rowText(el, 'security-phone')).to.contain(phone1.slice(-4)).and.contain('Verified').and.contain('Can verify identity');
    expect(rowText(el, 'contact-phone')).to.contain('Same as the security phone');
    expect(el.shadowRoot!.querySelectorAll('tr[part~="event"]').length).to.be.greaterThan(0);

    // contact phone: new number → code → done, no step-up
    $<HTMLButtonElement>(el, '[data-row="contact-phone"] [data-action="set"]').click();
    await waitUntil(() => dialogOpen(el));
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
});
