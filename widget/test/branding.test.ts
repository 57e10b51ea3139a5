import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin, JdRegister, JdSecuritySettings } from '../src/index.ts';
import { FakeBff, TEST_CONFIG, securityOverview } from './fake-bff.ts';

/** Tenant branding (docs/embedding.md#theming): defaults of the theming tokens, under the portal's own CSS. */
let bff: FakeBff;
afterEach(() => bff.restore());

async function mount(branding: unknown, style = ''): Promise<JdRegister> {
  bff = new FakeBff({ 'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, branding } }) });
  const el = await fixture<JdRegister>(
    html`<jd-register publishable-key="pk_test_1" locale="en" style=${style}></jd-register>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'form did not render');
  return el;
}
const submitStyle = (el: JdRegister) => getComputedStyle(el.shadowRoot!.querySelector('button[type="submit"]')!);

describe('tenant branding', () => {
  it('the tenant colour and corner radius style the elements', async () => {
    const el = await mount({ primaryColor: '#0a7d5a', cornerRadius: 12 });
    expect(submitStyle(el).backgroundColor).to.equal('rgb(10, 125, 90)');
    expect(submitStyle(el).borderTopLeftRadius).to.equal('12px');
  });

  it("a portal's own --jd-color-primary wins over the tenant's colour", async () => {
    const el = await mount({ primaryColor: '#0a7d5a' }, '--jd-color-primary:#123456');
    expect(submitStyle(el).backgroundColor).to.equal('rgb(18, 52, 86)');
  });

  it('anything but #rrggbb and 0–24 px is ignored (the defaults stay)', async () => {
    const el = await mount({ primaryColor: 'red;background:url(https://evil.test/x)', cornerRadius: 400 });
    expect(submitStyle(el).backgroundColor).to.equal('rgb(225, 37, 27)');
    expect(submitStyle(el).borderTopLeftRadius).to.equal('6px');
    expect(el.getAttribute('style') ?? '').not.to.contain('evil');
  });

  // loopback, port 1: the image never loads, and nothing leaves the machine
  const LOGO = 'https://127.0.0.1:1/logo.svg';
  const logos = (el: HTMLElement) => [...el.shadowRoot!.querySelectorAll<HTMLImageElement>('img[part~="logo"]')];

  it('an https logo is shown above the title of all three elements, named by the tenant in the locale', async () => {
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, branding: { logoUrl: LOGO } } }),
      'GET /v1/security': () => ({ status: 200, body: securityOverview() }),
    });
    const register = await fixture<JdRegister>(
      html`<jd-register publishable-key="pk_test_1" locale="en"></jd-register>`,
    );
    const login = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale="zh-CN"></jd-login>`);
    const settings = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key="pk_test_1" locale="en"></jd-security-settings>`,
    );
    for (const el of [register, login, settings])
      await waitUntil(() => logos(el).length === 1, `${el.localName}: no logo`);
    for (const [el, alt] of [
      [register, 'Acme Cloud'],
      [login, '示例云'],
      [settings, 'Acme Cloud'],
    ] as const) {
      const [img] = logos(el);
      expect(img.getAttribute('src'), el.localName).to.equal(LOGO);
      expect(img.alt, el.localName).to.equal(alt);
      // above the title (the register steps' progress list may sit between them)
      const title = el.shadowRoot!.querySelector('[part~="title"]')!;
      expect(img.compareDocumentPosition(title) & Node.DOCUMENT_POSITION_FOLLOWING, el.localName).to.not.equal(0);
    }
    await expect(login).to.be.accessible();
  });

  for (const logoUrl of [
    'http://cdn.acme.test/logo.svg',
    'javascript:alert(1)',
    'data:image/svg+xml,<svg/>',
    '//cdn.acme.test/logo.svg',
    'not a url',
  ]) {
    it(`no logo for ${logoUrl} (https only, checked again in the widget)`, async () => {
      const el = await mount({ logoUrl });
      const login = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale="en"></jd-login>`);
      await waitUntil(() => login.shadowRoot!.querySelector('form'), 'login did not render');
      expect(logos(el)).to.have.length(0);
      expect(logos(login)).to.have.length(0);
      expect(el.shadowRoot!.innerHTML + login.shadowRoot!.innerHTML).not.to.contain(logoUrl);
    });
  }

  it('no logo without one in the config', async () => {
    const el = await mount({ primaryColor: '#0a7d5a' });
    expect(logos(el)).to.have.length(0);
  });
});
