import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import { FakeBff, TEST_CONFIG } from './fake-bff.ts';

/** Tenant branding (issue 6): defaults of the theming tokens, under the portal's own CSS. */
let bff: FakeBff;
afterEach(() => bff.restore());

async function mount(branding: unknown, style = ''): Promise<JdRegister> {
  bff = new FakeBff({ 'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, branding } }) });
  const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1" locale="en" style=${style}></jd-register>`);
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

  it('a portal\'s own --jd-color-primary wins over the tenant\'s colour', async () => {
    const el = await mount({ primaryColor: '#0a7d5a' }, '--jd-color-primary:#123456');
    expect(submitStyle(el).backgroundColor).to.equal('rgb(18, 52, 86)');
  });

  it('anything but #rrggbb and 0–24 px is ignored (the defaults stay)', async () => {
    const el = await mount({ primaryColor: 'red;background:url(https://evil.test/x)', cornerRadius: 400 });
    expect(submitStyle(el).backgroundColor).to.equal('rgb(225, 37, 27)');
    expect(submitStyle(el).borderTopLeftRadius).to.equal('4px');
    expect(el.getAttribute('style') ?? '').not.to.contain('evil');
  });
});
