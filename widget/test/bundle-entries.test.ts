/**
 * dist/jd-login.js (made by `tsx widget/build.ts` before WTR runs): one element's entry defines
 * that element only, and the page downloads only its locale's catalogue chunk until the locale
 * changes (widget/src/i18n.ts). Each test file runs in its own page, so nothing else is loaded here.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { zhCN } from '../../shared/src/i18n/zh-CN.ts';
import { FakeBff } from './fake-bff.ts';

const ENTRY = new URL('../../dist/jd-login.js', import.meta.url).href;

/** The catalogue chunks the page has downloaded so far (dist/en-HASH.js, dist/zh-CN-HASH.js). */
const catalogues = () =>
  performance
    .getEntriesByType('resource')
    .map((e) => e.name.split('/').pop()!)
    .filter((name) => /^(en|zh-CN)-[A-Z0-9]{8}\.js$/.test(name))
    .map((name) => name.replace(/-[A-Z0-9]{8}\.js$/, ''));

describe('dist/jd-login.js', () => {
  let bff: FakeBff;
  beforeEach(() => (bff = new FakeBff()));
  afterEach(() => bff.restore());

  it('defines <jd-login> alone and loads one locale, then the other on a locale change', async () => {
    const mod = (await import(/* @vite-ignore */ ENTRY)) as Record<string, unknown>;
    expect(customElements.get('jd-login')).to.equal(mod['JdLogin']);
    expect(customElements.get('jd-register')).to.equal(undefined);
    expect(customElements.get('jd-security-settings')).to.equal(undefined);
    expect(catalogues()).to.deep.equal([]);

    const login = await fixture<HTMLElement & { updateComplete: Promise<unknown> }>(
      html`<jd-login publishable-key="pk_test_1" locale="zh-CN"></jd-login>`,
    );
    await waitUntil(() => login.shadowRoot!.querySelector('form'));
    expect(login.shadowRoot!.querySelector('h2')!.textContent.trim()).to.equal('登录');
    expect(catalogues()).to.deep.equal(['zh-CN']);

    // the first focus in the element brings the rest of the messages (the errors among them): an
    // empty form's error is said in Chinese
    login.shadowRoot!.querySelector<HTMLInputElement>('#jd-identifier')!.focus();
    await waitUntil(() => catalogues().length === 2, 'the rest of the messages did not load on focus');
    expect(catalogues()).to.deep.equal(['zh-CN', 'zh-CN']);
    login.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitUntil(() => login.shadowRoot!.querySelector('#jd-identifier-error'), 'no field error');
    expect(login.shadowRoot!.querySelector('#jd-identifier-error')!.textContent.trim()).to.equal(
      zhCN['error.required'],
    );

    login.setAttribute('locale', 'en');
    await waitUntil(() => login.shadowRoot!.querySelector('h2')!.textContent.trim() === 'Sign in');
    // English: its first part, and (the field's error is still shown) its rest
    expect([...new Set(catalogues())].sort()).to.deep.equal(['en', 'zh-CN']);
  });
});
