/**
 * <jd-security-settings>'s "Close account" section (docs/product.md#24-closing-an-account): a
 * primary account downloads its data (account-export.json) and closes the account — each after a
 * step-up — with "I understand" ticked; once closed, the page is signed out.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import { $, FakeBff, errorAnswer, securityOverview, signedIn } from './fake-bff.ts';

let bff: FakeBff;
let active: boolean;

async function mount(locale = 'en'): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale}></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="closing"]'), 'no closing section');
  return el;
}

const dialog = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog');
const action = (el: JdSecuritySettings, name: string) =>
  $<HTMLButtonElement>(el, `[part~="closing"] [data-action="${name}"]`);
async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

const EXPORT = {
  format: 'jd-account-export/1',
  exportedAt: '2025-03-01T08:00:00.000Z',
  account: { id: 'acc_1', accountName: 'alice_01', createdAt: '2025-01-01T00:00:00.000Z', locale: 'en' },
  contacts: [],
  subUsers: [],
  consents: [],
  mfa: { bound: false, recoveryCodesLeft: 0 },
  securityEvents: [],
};

describe('<jd-security-settings> closing the account', () => {
  beforeEach(() => {
    active = false;
    sessionStorage.clear();
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn(), signedIn: true } }),
      'GET /v1/security': () => ({
        status: 200,
        body: securityOverview({ stepUp: { active, expiresAt: active ? '2099-01-01T00:00:00.000Z' : null } }),
      }),
      'GET /v1/account/export': () => ({ status: 200, body: EXPORT }),
      'POST /v1/account/closing': () => ({ status: 200, body: { closesAt: '2025-03-16T08:00:00.000Z' } }),
      'DELETE /v1/session': () => ({ status: 204 }),
    });
  });
  afterEach(() => bff.restore());

  it('shows the section with its two actions at the end of the page', async () => {
    const el = await mount();
    expect($(el, '#jd-closing-title').textContent).to.equal('Close account');
    expect(action(el, 'export').textContent.trim()).to.equal('Download my data');
    expect(action(el, 'close-account').textContent.trim()).to.equal('Close account');
  });

  it('asks for a step-up first, then downloads account-export.json', async () => {
    const el = await mount();
    action(el, 'export').click();
    await waitUntil(() => dialog(el).open && el.shadowRoot!.querySelector('dialog input[name="method"]'), 'no step-up');
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    await waitUntil(() => !dialog(el).open);
    active = true;
    await el.refresh();
    action(el, 'export').click();
    await waitUntil(() => dialog(el).open && dialog(el).textContent.includes('account-export.json'), 'no export step');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Download my data');
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
      await submitDialog(el);
      await waitUntil(() => name !== '', 'nothing downloaded');
    } finally {
      URL.createObjectURL = create;
      HTMLAnchorElement.prototype.click = click;
    }
    expect(name).to.equal('account-export.json');
    expect(blob!.type).to.equal('application/json');
    expect(JSON.parse(await blob!.text())).to.deep.equal(EXPORT);
    await waitUntil(() => !dialog(el).open, 'dialog stayed open');
    expect($(el, '[part~="closing"]').textContent).to.contain('Your data was downloaded.');
  });

  it('closes the account only with "I understand" ticked, then signs the page out', async () => {
    active = true;
    const el = await mount();
    action(el, 'close-account').click();
    await waitUntil(
      () => dialog(el).open && el.shadowRoot!.querySelector('dialog input[name="ack"]'),
      'no closing step',
    );
    const text = dialog(el).textContent.replace(/\s+/g, ' ');
    expect(text)
      .to.contain('sub-users are closed with it')
      .and.contain('stops now')
      .and.contain('After 15 days')
      .and.contain('cancel the closing');
    await submitDialog(el);
    await waitUntil(() => dialog(el).textContent.includes('Tick "I understand"'), 'no refusal');
    expect(bff.find('POST', '/v1/account/closing')).to.have.length(0);
    $<HTMLInputElement>(el, 'dialog input[name="ack"]').click();
    await el.updateComplete;
    const closed = oneEvent(el, 'jd-account-closed');
    await submitDialog(el);
    expect((await closed).detail).to.deep.equal({ closesAt: '2025-03-16T08:00:00.000Z' });
    expect(bff.find('POST', '/v1/account/closing')).to.have.length(1);
    await waitUntil(() => !el.shadowRoot!.querySelector('[part~="closing"]'), 'still signed in');
  });

  it('shows the error of a failed closing in the dialog', async () => {
    active = true;
    bff.routes['POST /v1/account/closing'] = () => errorAnswer(409, 'account_already_closing');
    const el = await mount();
    action(el, 'close-account').click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog input[name="ack"]'), 'no closing step');
    $<HTMLInputElement>(el, 'dialog input[name="ack"]').click();
    await el.updateComplete;
    await submitDialog(el);
    await waitUntil(() => dialog(el).textContent.includes('already being closed'), 'no error');
    expect(dialog(el).open).to.equal(true);
  });
});
