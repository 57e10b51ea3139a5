/**
 * Agreement versions against the REAL BFF (widget/test/real-bff-plugin.mjs; another origin, so
 * token mode): the tenant publishes a new version through its admin API (PATCH /config), a user
 * registered before signs in through <jd-login>, is asked for it, accepts it, and the next
 * sign-in goes straight through.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import type { Agreement } from '../../shared/src/tenant.ts';
import { $, $$, typeInto } from './fake-bff.ts';
import { loadBff, PASSWORD, randomPhone, registerUser, type BffInfo } from './real-bff.ts';

let bff: BffInfo;

/** The tenant's admin API, through the plugin (it holds the secret key). */
async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch('/__bff/admin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, path, body }),
  });
  return (await res.json()) as { status: number; body: any };
}

const has = (el: HTMLElement, selector: string) => () => !!el.shadowRoot!.querySelector(selector);

async function signIn(el: JdLogin, accountName: string): Promise<void> {
  await waitUntil(has(el, '#jd-identifier'), 'no sign-in form', { timeout: 10000 });
  await typeInto(el, '#jd-identifier', accountName);
  await typeInto(el, '#jd-password', PASSWORD);
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
}

describe('updated agreements against the real BFF', function () {
  this.timeout(60_000);
  let original: Agreement[] | undefined;

  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());
  after(async () => {
    // leave the shared test tenant as it was for the other real-BFF files
    if (original) expect((await admin('PATCH', '/config', { agreements: original })).status).to.equal(200);
  });

  it('asks a registered user for a newly published version once, then signs in without asking', async () => {
    const { client, accountName } = await registerUser(bff, randomPhone());
    await client.signOut();

    const read = await admin('GET', '/config');
    expect(read.status).to.equal(200);
    original = read.body.agreements as Agreement[];
    expect(original.length).to.be.greaterThan(0);
    const version = `9.${Date.now() % 1e6}`;
    const bumped = original.map((a, i) => (i === 0 ? { ...a, version } : a));
    const published = await admin('PATCH', '/config', { agreements: bumped });
    expect(published.status, JSON.stringify(published.body)).to.equal(200);

    const el = await fixture<JdLogin>(
      html`<jd-login publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-login>`,
    );
    const logins: CustomEvent[] = [];
    el.addEventListener('jd-login', (e) => logins.push(e as CustomEvent));
    await signIn(el, accountName);
    await waitUntil(has(el, '#jd-agreements-title'), 'no agreements step', { timeout: 10000 });
    expect(logins, 'no jd-login before accepting').to.have.length(0);
    // only the new version is asked for, titled as the tenant configured it
    const labels = $$(el, 'form[part~="agreements"] label').map((l) => l.textContent.replace(/\s+/g, ' ').trim());
    expect(labels).to.deep.equal([`I have read and agree to the ${bumped[0].title.en}`]);

    $<HTMLInputElement>(el, '#jd-agreement-0').click();
    await el.updateComplete;
    const loggedIn = oneEvent(el, 'jd-login');
    $<HTMLButtonElement>(el, 'form[part~="agreements"] button[type="submit"]').click();
    const ev = await loggedIn;
    expect(ev.detail.account.accountName).to.equal(accountName);
    await waitUntil(has(el, '[part~="signed-in"]'), 'not signed in', { timeout: 10000 });

    // the acceptance is on record: signed out and in again, no step
    $<HTMLButtonElement>(el, 'button[part~="sign-out"]').click();
    await signIn(el, accountName);
    await waitUntil(() => logins.length === 2, 'no jd-login at the second sign-in', { timeout: 10000 });
    expect($$(el, '#jd-agreements-title')).to.have.length(0);
    expect($(el, '[part~="signed-in"]').textContent).to.equal(`Signed in as ${accountName}`);
  });
});
