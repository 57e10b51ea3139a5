/**
 * Smoke test of the built bundle (dist/jd-account.js and its chunks, made by `tsx widget/build.ts`
 * before WTR runs): the production build, with esbuild's decorator lowering, defines and renders
 * the three elements, each in its locale (catalogue chunks loaded on demand).
 * Each test file runs in its own page, so the source modules are not loaded here.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { FakeBff } from './fake-bff.ts';

const BUNDLE = new URL('../../dist/jd-account.js', import.meta.url).href;

describe('dist/jd-account.js', () => {
  let bff: FakeBff;
  beforeEach(() => (bff = new FakeBff()));
  afterEach(() => bff.restore());

  it('defines <jd-register>, <jd-login> and <jd-security-settings> and renders them', async () => {
    const mod = (await import(/* @vite-ignore */ BUNDLE)) as Record<string, unknown>;
    expect(Object.keys(mod)).to.include.members(['JdRegister', 'JdLogin', 'JdSecuritySettings', 'JdClient']);
    expect(customElements.get('jd-security-settings')).to.equal(mod['JdSecuritySettings']);
    expect(customElements.get('jd-register')).to.equal(mod['JdRegister']);
    expect(customElements.get('jd-login')).to.equal(mod['JdLogin']);
    const reg = await fixture(html`<jd-register publishable-key="pk_test_1" locale="en"></jd-register>`);
    await waitUntil(() => reg.shadowRoot!.querySelector('form'));
    // the English catalogue chunk loaded before the first real render: the first step's title, not a blank
    expect(reg.shadowRoot!.querySelector('h2')!.textContent.trim()).to.equal('Verify your phone');
    expect(reg.shadowRoot!.querySelectorAll('[part~="progress"] li').length).to.equal(3);
    const login = await fixture(html`<jd-login publishable-key="pk_test_1" locale="zh-CN"></jd-login>`);
    await waitUntil(() => login.shadowRoot!.querySelector('form'));
    expect(login.shadowRoot!.querySelector('h2')!.textContent).to.equal('登录');
    // not signed in (the fake BFF answers 401): the production build says so
    const sec = await fixture(
      html`<jd-security-settings publishable-key="pk_test_1" locale="en"></jd-security-settings>`,
    );
    await waitUntil(() => sec.shadowRoot!.querySelector('.is-info'));
    expect(sec.shadowRoot!.querySelector('.is-info')!.textContent).to.contain('Sign in to manage');
  });
});
