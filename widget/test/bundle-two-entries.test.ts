/**
 * dist/jd-login.js and dist/jd-security-settings.js on one page (made by `tsx widget/build.ts`
 * before WTR runs): each entry has its own catalogue chunks, pruned to the messages its modules can
 * use (widget/build.ts), so the login's lacks the security settings' texts; loaded together, the
 * catalogues merge (widget/src/i18n.ts) and each element finds its own messages. Each test file
 * runs in its own page, so nothing else is loaded here.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { zhCN } from '../../shared/src/i18n/zh-CN.ts';
import { FakeBff } from './fake-bff.ts';

const dist = (file: string) => new URL(`../../dist/${file}`, import.meta.url).href;

/** The zh-CN catalogue chunks the page has downloaded so far (dist/zh-CN-HASH.js), in order. */
const zhCatalogues = () =>
  performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((url) => /\/zh-CN-[A-Z0-9]{8}\.js$/.test(url));

type Host = HTMLElement & { updateComplete: Promise<unknown> };

describe('dist/jd-login.js + dist/jd-security-settings.js', () => {
  let bff: FakeBff;
  beforeEach(() => (bff = new FakeBff()));
  afterEach(() => bff.restore());

  it("load each entry's own catalogue and both render in zh-CN", async () => {
    await import(/* @vite-ignore */ dist('jd-login.js'));
    const login = await fixture<Host>(html`<jd-login publishable-key="pk_test_1" locale="zh-CN"></jd-login>`);
    await waitUntil(() => login.shadowRoot!.querySelector('form'));
    expect(login.shadowRoot!.querySelector('h2')!.textContent.trim()).to.equal(zhCN['login.title']);

    // the login's catalogue: its own title, not the security settings' texts
    const [loginCatalogue] = zhCatalogues();
    expect(zhCatalogues()).to.have.length(1);
    const catalogue = ((await import(/* @vite-ignore */ loginCatalogue)) as { zhCN: Record<string, string> }).zhCN;
    expect(catalogue['login.title']).to.equal(zhCN['login.title']);
    expect(catalogue).to.not.have.property('security.sign_in_required');

    await import(/* @vite-ignore */ dist('jd-security-settings.js'));
    expect(customElements.get('jd-security-settings')).to.not.equal(undefined);
    // not signed in (the fake BFF answers 401): a text only the security settings use
    const sec = await fixture<Host>(
      html`<jd-security-settings publishable-key="pk_test_1" locale="zh-CN"></jd-security-settings>`,
    );
    await waitUntil(() => sec.shadowRoot!.querySelector('.is-info'));
    expect(sec.shadowRoot!.querySelector('.is-info')!.textContent.trim()).to.equal(zhCN['security.sign_in_required']);
    expect(zhCatalogues()).to.have.length(2);
    expect(zhCatalogues()[1]).to.not.equal(loginCatalogue);

    // the login is still in Chinese, and a second <jd-login> added now too
    await login.updateComplete;
    expect(login.shadowRoot!.querySelector('h2')!.textContent.trim()).to.equal(zhCN['login.title']);
    const again = await fixture<Host>(html`<jd-login publishable-key="pk_test_1" locale="zh-CN"></jd-login>`);
    await waitUntil(() => again.shadowRoot!.querySelector('form'));
    expect(again.shadowRoot!.querySelector('h2')!.textContent.trim()).to.equal(zhCN['login.title']);
  });
});
