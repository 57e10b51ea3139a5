/**
 * <jd-register>'s "Log in with {provider}" (docs/product.md#25-sign-in-with-an-upstream-account):
 * the buttons under step 1, an error that came back said above them, and a handle that came back
 * to a page without a <jd-login> handed to one rendered in the element's place.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import * as federation from '../src/parts/federation.ts';
import { $, $$, FakeBff, TEST_CONFIG, signedIn } from './fake-bff.ts';

const CONFIG = {
  ...TEST_CONFIG,
  federation: {
    providers: [{ id: 'jd', kind: 'oidc' as const, displayName: { 'zh-CN': '京东云', en: 'JD Cloud' } }],
  },
};

let bff: FakeBff;
let navigated: string[];
const originalAssign = federation.federationNavigation.assign;

async function mount(): Promise<JdRegister> {
  const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1" locale="en"></jd-register>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form, jd-login'), 'register did not render');
  return el;
}

describe('<jd-register> sign-in with an upstream provider', () => {
  beforeEach(() => {
    sessionStorage.clear();
    navigated = [];
    federation.federationNavigation.assign = (url) => void navigated.push(url);
    history.replaceState(null, '', location.pathname + location.search);
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: CONFIG }),
      'POST /v1/federation/resume': () => ({ status: 200, body: signedIn('alice_01') }),
    });
  });
  afterEach(() => {
    bff.restore();
    federation.federationNavigation.assign = originalAssign;
    history.replaceState(null, '', location.pathname + location.search);
  });

  it('shows the buttons under step 1 and sends the page to the start URL', async () => {
    const el = await mount();
    const buttons = $$<HTMLButtonElement>(el, '[part~="federation-button"]');
    expect(buttons.map((b) => b.textContent.trim())).to.deep.equal(['Log in with JD Cloud']);
    expect($(el, '[part="federation"]').previousElementSibling?.matches('[data-step="phone"]')).to.equal(true);
    buttons[0].click();
    const url = new URL(navigated[0]);
    expect(url.pathname).to.equal('/v1/federation/jd/start');
    expect(url.searchParams.get('return_to')).to.equal(`${location.origin}${location.pathname}${location.search}`);
  });

  it('an error that came back is said above the buttons, the fragment removed', async () => {
    history.replaceState(null, '', `#${federation.FEDERATION_ERROR_PARAM}=federation_unavailable`);
    const el = await mount();
    await waitUntil(() => $(el, '[data-federation-status]').textContent.trim() !== '', 'no error');
    expect($(el, '[data-federation-status]').textContent.trim()).to.equal(
      'JD Cloud cannot be reached right now. Please try again later.',
    );
    expect(location.hash).to.equal('');
  });

  it('a handle on a page without <jd-login>: a <jd-login> in its place resumes it (jd-login fires)', async () => {
    history.replaceState(null, '', `#${federation.FEDERATION_HANDLE_PARAM}=handle_register_${Date.now()}_abcdef`);
    let login: unknown;
    document.addEventListener('jd-login', (e) => (login = (e as CustomEvent).detail), { once: true });
    const el = await mount();
    await waitUntil(() => login, 'no jd-login');
    const inner = $(el, 'jd-login');
    await waitUntil(() => inner.shadowRoot?.querySelector('[part~="signed-in"]'), 'not signed in');
    expect(bff.find('POST', '/v1/federation/resume')).to.have.length(1);
    expect(location.hash).to.equal('');
  });
});
