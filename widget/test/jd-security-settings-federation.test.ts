/**
 * <jd-security-settings>'s linked accounts (docs/product.md#25-sign-in-with-an-upstream-account):
 * the list, "Link" (a step-up, then the page goes to the start URL), "Unlink" (a step-up, then
 * DELETE; a refusal next to its row), coming back with a handle ("linked"), and an account created
 * upstream setting its account name and password.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import type { FederationLinksResponse } from '../../shared/src/api.ts';
import * as federation from '../src/parts/federation.ts';
import { $, $$, FakeBff, STEP_UP_OK, errorAnswer, securityOverview, signedIn, typeInto } from './fake-bff.ts';

const JD = { 'zh-CN': '京东云', en: 'JD Cloud' };
const WX = { 'zh-CN': '微信', en: 'WeChat' };

function links(over: Partial<FederationLinksResponse> = {}): FederationLinksResponse {
  return {
    links: [
      {
        provider: 'jd',
        kind: 'oidc',
        displayName: JD,
        linkedAt: '2025-02-01T08:00:00.000Z',
        lastUsedAt: null,
      },
    ],
    available: [{ id: 'wx', kind: 'wechat', displayName: WX }],
    hasPassword: true,
    ...over,
  };
}

let bff: FakeBff;
let navigated: string[];
let active: boolean;
let current: FederationLinksResponse;
const originalAssign = federation.federationNavigation.assign;
let seq = 0;

async function mount(locale = 'en'): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale}></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="closing"]'), 'no settings');
  return el;
}

const dialog = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog');
const section = (el: JdSecuritySettings) => el.shadowRoot!.querySelector<HTMLElement>('section[part~="federation"]');
const rowOf = (el: JdSecuritySettings, provider: string) => $(el, `[data-row="fed-${provider}"]`);
const text = (e: Element) => e.textContent.replace(/\s+/g, ' ').trim();
async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}
/** The step-up of the open dialog: the phone's code. */
async function stepUp(el: JdSecuritySettings): Promise<void> {
  await waitUntil(() => dialog(el).open && el.shadowRoot!.querySelector('dialog input[name="method"]'), 'no step-up');
  await submitDialog(el);
  await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-code'), 'no step-up code');
  await typeInto(el, '#jd-code', '123456');
  await submitDialog(el);
}

describe('<jd-security-settings> linked accounts', () => {
  beforeEach(() => {
    active = false;
    current = links();
    navigated = [];
    federation.federationNavigation.assign = (url) => void navigated.push(url);
    sessionStorage.clear();
    history.replaceState(null, '', location.pathname + location.search);
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn(), signedIn: true } }),
      'GET /v1/security': () => ({
        status: 200,
        body: securityOverview({ stepUp: { active, expiresAt: active ? '2099-01-01T00:00:00.000Z' : null } }),
      }),
      'GET /v1/federation/links': () => ({ status: 200, body: current }),
      'POST /v1/security/step-up/start': () => ({
        status: 202,
        body: { deliveryId: 'd1', method: 'phone', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
      }),
      'POST /v1/security/step-up/verify': () => ((active = true), STEP_UP_OK),
      'POST /v1/federation/wx/link': () => ({
        status: 200,
        body: { startUrl: 'https://bff.example/v1/federation/wx/start?t=1' },
      }),
      'DELETE /v1/federation/links/jd': () => ({ status: 204 }),
    });
  });
  afterEach(() => {
    bff.restore();
    federation.federationNavigation.assign = originalAssign;
    history.replaceState(null, '', location.pathname + location.search);
  });

  it('lists the linked accounts and the providers to link; nothing without either', async () => {
    const el = await mount();
    expect($(el, '#jd-federation-title').textContent).to.equal('Linked accounts');
    expect(text(rowOf(el, 'jd')))
      .to.contain('JD Cloud')
      .and.contain('Linked on')
      .and.contain('Unlink');
    expect(text(rowOf(el, 'wx')))
      .to.contain('WeChat')
      .and.contain('Not linked')
      .and.contain('Link');
    expect(rowOf(el, 'jd').getAttribute('part')).to.equal('row row-federation');

    current = links({ links: [], available: [] });
    const none = await mount();
    expect(section(none)).to.equal(null);

    bff.routes['GET /v1/federation/links'] = () => errorAnswer(404, 'not_found');
    const older = await mount();
    expect(section(older), 'a BFF without the endpoint: no section').to.equal(null);

    bff.routes['GET /v1/federation/links'] = () => ({ status: 200, body: links() });
    const zh = await mount('zh-CN');
    expect($(zh, '#jd-federation-title').textContent).to.equal('关联账号');
    expect(text(rowOf(zh, 'jd')))
      .to.contain('京东云')
      .and.contain('解除关联');
  });

  it('Link: a step-up, then the page goes to the start URL (returning here, without the fragment)', async () => {
    history.replaceState(null, '', `${location.pathname}${location.search}#security`);
    const el = await mount();
    rowOf(el, 'wx').querySelector<HTMLButtonElement>('[data-action="link"]')!.click();
    await stepUp(el);
    await waitUntil(() => dialog(el).textContent.includes('You will be taken to WeChat'), 'no link step');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Link an account');
    await submitDialog(el);
    await waitUntil(() => navigated.length > 0, 'no navigation');
    expect(navigated).to.deep.equal(['https://bff.example/v1/federation/wx/start?t=1']);
    expect(bff.find('POST', '/v1/federation/wx/link')[0].body).to.deep.equal({
      returnTo: `${location.origin}${location.pathname}${location.search}`,
    });
  });

  it('Unlink: a step-up, DELETE, the list again and "unlinked" in the row', async () => {
    const el = await mount();
    rowOf(el, 'jd').querySelector<HTMLButtonElement>('[data-action="unlink"]')!.click();
    await stepUp(el);
    await waitUntil(() => dialog(el).textContent.includes('Unlink your JD Cloud account?'), 'no unlink step');
    current = links({ links: [], available: [{ id: 'jd', kind: 'oidc', displayName: JD }, ...links().available] });
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('federation');
    expect(bff.find('DELETE', '/v1/federation/links/jd')).to.have.length(1);
    await waitUntil(() => !dialog(el).open, 'dialog stayed open');
    expect(text(rowOf(el, 'jd')))
      .to.contain('Not linked')
      .and.contain('The JD Cloud account was unlinked.');
  });

  it('Unlink refused as the last way to sign in: said next to that row, the dialog closed', async () => {
    active = true;
    bff.routes['DELETE /v1/federation/links/jd'] = () => errorAnswer(400, 'federation_last_method');
    const el = await mount();
    rowOf(el, 'jd').querySelector<HTMLButtonElement>('[data-action="unlink"]')!.click();
    await waitUntil(() => dialog(el).open && dialog(el).textContent.includes('Unlink your JD Cloud'), 'no unlink step');
    await submitDialog(el);
    await waitUntil(() => !dialog(el).open, 'dialog stayed open');
    const status = rowOf(el, 'jd').querySelector('[part~="status"]')!;
    expect(status.textContent).to.contain('This is your only way to sign in.');
    expect(status.previousElementSibling?.querySelector('[data-action="unlink"]')).to.not.equal(null);
    expect(text(rowOf(el, 'wx'))).to.not.contain('only way');
  });

  it('coming back with a handle: taken from the URL, resumed, the list again and "linked"', async () => {
    const handle = `handle_link_${Date.now()}_${++seq}_abcdef`;
    history.replaceState(null, '', `#${federation.FEDERATION_HANDLE_PARAM}=${handle}`);
    bff.routes['POST /v1/federation/resume'] = () => {
      current = links({
        links: [...links().links, { ...links().links[0], provider: 'wx', displayName: WX }],
        available: [],
      });
      return { status: 200, body: { linked: { provider: 'wx' } } };
    };
    const el = await mount();
    await waitUntil(() => section(el)?.textContent.includes('Your WeChat account is linked.'), 'no linked note');
    expect(location.hash).to.equal('');
    expect(bff.find('POST', '/v1/federation/resume')[0].body).to.deep.equal({ handle });
    expect(text(rowOf(el, 'wx'))).to.contain('Unlink');
  });

  it('coming back refused: the error in the section', async () => {
    history.replaceState(null, '', `#${federation.FEDERATION_ERROR_PARAM}=federation_identity_taken`);
    sessionStorage.setItem('jd-federation:provider', 'wx');
    const el = await mount();
    await waitUntil(() => section(el)?.textContent.includes('already linked to another account'), 'no error');
    expect(section(el)!.textContent).to.contain('This WeChat account is already linked to another account.');
  });

  it('an account created upstream sets its account name and password after a step-up', async () => {
    current = links({ hasPassword: false });
    bff.routes['GET /v1/account-names/availability'] = (req) => ({
      status: 200,
      body: { available: req.query.get('name') !== 'taken_name' },
    });
    bff.routes['POST /v1/account/credentials'] = () => {
      current = links();
      return { status: 200, body: { account: signedIn().account } };
    };
    const el = await mount();
    expect($$(el, '[data-row="password"]'), 'no password to change').to.have.length(0);
    const row = $(el, '[data-row="credentials"]');
    expect(text(row)).to.contain('Account name and password').and.contain('Not set');
    row.querySelector<HTMLButtonElement>('[data-action="set"]')!.click();
    await stepUp(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-name'), 'no credentials step');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Set an account name and password');
    expect($$(el, 'dialog [part~="checklist-item"]').length).to.be.greaterThan(0);
    await typeInto(el, '#jd-name', 'taken_name');
    await typeInto(el, '#jd-newPassword', 'Secret#123');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog [data-field="name"]'), 'no name error');
    expect(bff.find('POST', '/v1/account/credentials')).to.have.length(0);

    await typeInto(el, '#jd-name', 'li_lei');
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('credentials');
    expect(bff.find('POST', '/v1/account/credentials')[0].body).to.deep.equal({
      accountName: 'li_lei',
      password: 'Secret#123',
    });
    await waitUntil(() => !dialog(el).open, 'dialog stayed open');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-row="password"]'), 'no password row after');
    expect($(el, '[data-row="password"]').textContent).to.contain('Your account name and password are set.');
  });
});
