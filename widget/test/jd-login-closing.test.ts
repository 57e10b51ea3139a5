/**
 * <jd-login> and an account being closed (docs/product.md#24-closing-an-account): the right
 * password answers `account_closing`; "Cancel closing" right after the message cancels it with the
 * typed identifier and password, then signs in.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import { $, FakeBff, errorAnswer, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;
let closing: boolean;

async function mount(locale = 'en'): Promise<JdLogin> {
  const el = await fixture<JdLogin>(html`<jd-login publishable-key="pk_test_1" locale=${locale}></jd-login>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

async function signInWith(el: JdLogin, identifier: string, password: string): Promise<void> {
  await typeInto(el, '#jd-identifier', identifier);
  await typeInto(el, '#jd-password', password);
  $<HTMLButtonElement>(el, 'button[type="submit"]').click();
}

const status = (el: JdLogin) => el.shadowRoot!.querySelector('[part~="status"]')?.textContent ?? '';

describe('<jd-login> account being closed', () => {
  beforeEach(() => {
    sessionStorage.clear();
    closing = true;
    bff = new FakeBff({
      'POST /v1/sessions': () =>
        closing
          ? errorAnswer(403, 'account_closing', { closesAt: '2025-03-16T08:00:00.000Z', date: '2025-03-16' })
          : { status: 200, body: signedIn() },
      'POST /v1/account/closing/cancel': (req) => {
        const b = req.body as { identifier: string; password: string };
        if (b.password !== 'Right#2026') return errorAnswer(401, 'invalid_credentials');
        closing = false;
        return { status: 200, body: { cancelled: true } };
      },
    });
  });
  afterEach(() => bff.restore());

  it('says when the account closes, with "Cancel closing" right after the message, focused', async () => {
    const el = await mount();
    await signInWith(el, 'alice_01', 'Right#2026');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-cancel-closing]'), 'no cancel action');
    expect(status(el)).to.contain('being closed').and.contain('2025-03-16');
    const button = $<HTMLButtonElement>(el, '[data-cancel-closing]');
    expect(button.textContent.trim()).to.equal('Cancel closing');
    expect(button.previousElementSibling?.getAttribute('part')).to.contain('status');
    await waitUntil(() => el.shadowRoot!.activeElement === button, 'not focused');
  });

  it('cancels with the typed identifier and password, then signs in', async () => {
    const el = await mount();
    await signInWith(el, 'alice_01', 'Right#2026');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-cancel-closing]'), 'no cancel action');
    $<HTMLButtonElement>(el, '[data-cancel-closing]').click();
    await waitUntil(() => !el.shadowRoot!.querySelector('#jd-password'), 'not signed in');
    expect(bff.find('POST', '/v1/account/closing/cancel')[0].body).to.deep.equal({
      identifier: 'alice_01',
      password: 'Right#2026',
    });
    expect(bff.find('POST', '/v1/sessions')).to.have.length(2);
  });

  it('a refused cancel says so and offers no sign-in', async () => {
    const el = await mount();
    await signInWith(el, 'alice_01', 'Right#2026');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-cancel-closing]'), 'no cancel action');
    await typeInto(el, '#jd-password', 'Other#2026');
    $<HTMLButtonElement>(el, '[data-cancel-closing]').click();
    await waitUntil(() => status(el).includes('Account or password incorrect.'), 'no refusal');
    await el.updateComplete;
    expect(bff.find('POST', '/v1/sessions')).to.have.length(1);
    expect(el.shadowRoot!.querySelector('[data-cancel-closing]')).to.equal(null);
  });
});
