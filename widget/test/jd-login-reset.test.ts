/**
 * <jd-login>'s "Forgot password?" (docs/product.md#21-forgot-password): the identifier, the channel,
 * "Send code" (the BFF answers alike for any identifier), the code checked with "Next", then the
 * new password with its live checklist — and the MFA code when the account has MFA — and "Reset
 * password": signed in, or back to the sign-in form saying so. `view="reset-password"` opens it.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import { $, $$, FakeBff, UNLOCK_CODE_SENT, errorAnswer, mfaPending, signedIn, typeInto } from './fake-bff.ts';

let bff: FakeBff;

async function mount(view?: string): Promise<JdLogin> {
  const el = await fixture<JdLogin>(
    view
      ? html`<jd-login publishable-key="pk_test_1" locale="en" view=${view}></jd-login>`
      : html`<jd-login publishable-key="pk_test_1" locale="en"></jd-login>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'login did not render');
  return el;
}

const root = (el: JdLogin) => el.shadowRoot!;
const click = (el: JdLogin, selector: string) => $<HTMLElement>(el, selector).click();
const statusOf = (el: JdLogin, action: string) =>
  root(el).querySelector(`[data-action="${action}"]`)?.textContent ?? '';
const fieldError = (el: JdLogin, field: string) => root(el).querySelector(`[data-field="${field}"]`)?.textContent ?? '';
const title = (el: JdLogin) => root(el).querySelector('.step-title')?.textContent ?? '';

/** From "Forgot password?" to the password phase, with `mfaRequired` as the BFF says. */
async function toPasswordPhase(el: JdLogin): Promise<void> {
  click(el, '[data-forgot]');
  await waitUntil(() => root(el).querySelector('#jd-reset-identifier'), 'no reset step');
  await typeInto(el, '#jd-reset-identifier', 'alice_01');
  click(el, '#jd-reset-send');
  await waitUntil(() => statusOf(el, 'sendCode').includes('a code was sent'), 'no sent note');
  await typeInto(el, '#jd-reset-code', '123456');
  click(el, '[part~="reset"] button[type="submit"]');
  await waitUntil(() => root(el).querySelector('#jd-new-password'), 'no password phase');
}

describe('<jd-login> forgot password', () => {
  beforeEach(() => {
    sessionStorage.clear();
    bff = new FakeBff({
      'POST /v1/password-reset/code': () => UNLOCK_CODE_SENT,
      'POST /v1/password-reset/verify': (req) =>
        (req.body as { code: string }).code === '123456'
          ? { status: 200, body: { mfaRequired: false } }
          : errorAnswer(400, 'code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]),
      'POST /v1/password-reset': () => ({ status: 200, body: { ...signedIn('alice_01'), reset: true } }),
    });
  });
  afterEach(() => bff.restore());

  it('sends a code, checks it, sets the new password under the checklist, and signs in', async () => {
    const el = await mount();
    let login: unknown;
    el.addEventListener('jd-login', (e) => (login = (e as CustomEvent).detail));
    const forgot = $<HTMLButtonElement>(el, '[data-forgot]');
    expect(forgot.textContent.trim()).to.equal('Forgot password?');
    forgot.click();
    await waitUntil(() => title(el) === 'Reset your password', 'no reset step');
    await waitUntil(() => root(el).activeElement?.id === 'jd-reset-title', 'focus did not move to the step');
    expect($$<HTMLInputElement>(el, 'input[name="channel"]').map((r) => r.value)).to.deep.equal([
      'sms',
      'voice',
      'email',
    ]);
    // the identifier is required before a code is asked for
    click(el, '#jd-reset-send');
    await waitUntil(() => fieldError(el, 'identifier') !== '');
    expect(bff.find('POST', '/v1/password-reset/code')).to.have.length(0);
    await typeInto(el, '#jd-reset-identifier', 'alice@example.com');
    click(el, 'input[name="channel"][value="email"]');
    click(el, '#jd-reset-send');
    await waitUntil(() => statusOf(el, 'sendCode') !== '', 'no sent note');
    expect(statusOf(el, 'sendCode')).to.equal('If this account exists and has that contact, a code was sent to it.');
    expect(bff.find('POST', '/v1/password-reset/code')[0].body).to.deep.equal({
      identifier: 'alice@example.com',
      channel: 'email',
    });
    // the note follows the send row, and the button counts down
    const send = $<HTMLButtonElement>(el, '#jd-reset-send');
    expect(send.parentElement!.nextElementSibling === $(el, '[data-action="sendCode"]')).to.equal(true);
    expect(send.disabled).to.equal(true);

    // a wrong code is said at the code field, and the step stays
    await typeInto(el, '#jd-reset-code', '000000');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'resetCode') !== '', 'no code error');
    expect(fieldError(el, 'resetCode')).to.contain('code');
    await typeInto(el, '#jd-reset-code', '123456');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => title(el) === 'Set a new password', 'no password phase');
    expect(root(el).querySelector('#jd-reset-mfa'), 'no MFA field without MFA').to.equal(null);

    // the checklist follows what is typed; a weak password is refused before any request
    await typeInto(el, '#jd-new-password', 'short');
    expect($$(el, 'li[data-rule]:not([data-met])').length).to.be.greaterThan(0);
    expect($(el, '#jd-new-password').getAttribute('autocomplete')).to.equal('new-password');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'newPassword') !== '', 'no password error');
    expect(bff.find('POST', '/v1/password-reset')).to.have.length(0);
    await typeInto(el, '#jd-new-password', 'Fresh#Start2026');
    expect($$(el, 'li[data-rule]:not([data-met])').length).to.equal(0);
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => login, 'no jd-login');
    expect(bff.find('POST', '/v1/password-reset')[0].body).to.deep.equal({
      identifier: 'alice@example.com',
      code: '123456',
      password: 'Fresh#Start2026',
    });
    await waitUntil(() => root(el).querySelector('[part~="signed-in"]'), 'not signed in');
  });

  it('with MFA: asks for its code (or a recovery code) and sends it with the new password', async () => {
    bff.routes['POST /v1/password-reset/verify'] = () => ({ status: 200, body: { mfaRequired: true } });
    bff.routes['POST /v1/password-reset'] = (req) =>
      (req.body as { mfaCode?: string }).mfaCode === '654321' || (req.body as { recoveryCode?: string }).recoveryCode
        ? { status: 200, body: { ...signedIn('alice_01'), reset: true } }
        : errorAnswer(400, 'mfa_code_invalid', undefined, [{ path: 'mfaCode', code: 'mfa_code_invalid' }]);
    const el = await mount();
    await toPasswordPhase(el);
    expect($(el, 'label[for="jd-reset-mfa"]').textContent).to.equal('MFA code or recovery code');
    await typeInto(el, '#jd-new-password', 'Fresh#Start2026');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'mfaCode') !== '', 'MFA code not asked');
    await typeInto(el, '#jd-reset-mfa', '111111');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'mfaCode').includes('incorrect') || fieldError(el, 'mfaCode') !== '');
    await typeInto(el, '#jd-reset-mfa', 'abcde-fghij');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => root(el).querySelector('[part~="signed-in"]'), 'not signed in');
    const bodies = bff.find('POST', '/v1/password-reset').map((r) => r.body as Record<string, string>);
    expect(bodies[0].mfaCode).to.equal('111111');
    expect(bodies[1]).to.include({ recoveryCode: 'abcde-fghij' });
    expect(bodies[1].mfaCode).to.equal(undefined);
  });

  it("with MFA and a lost device: the code opens the lost-device application's step", async () => {
    bff.routes['POST /v1/password-reset/verify'] = () => ({ status: 200, body: { mfaRequired: true } });
    bff.routes['POST /v1/password-reset/lost-device'] = () => ({ status: 200, body: mfaPending('alice_01') });
    bff.routes['GET /v1/mfa-recovery'] = () => ({
      status: 200,
      body: { realNameVerified: false, type: null, pendingApplication: false },
    });
    const el = await mount();
    await toPasswordPhase(el);
    click(el, '[data-reset-lost]');
    await waitUntil(() => root(el).querySelector('[part~="lost"]'), 'no lost-device step');
    expect(bff.find('POST', '/v1/password-reset/lost-device')[0].body).to.deep.equal({
      identifier: 'alice_01',
      code: '123456',
    });
  });

  it('with sign-in after a reset turned off: the sign-in form again, saying so, the password empty', async () => {
    bff.routes['POST /v1/password-reset'] = () => ({ status: 200, body: { reset: true } });
    const el = await mount();
    await toPasswordPhase(el);
    await typeInto(el, '#jd-new-password', 'Fresh#Start2026');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => statusOf(el, 'signIn') !== '', 'no status on the sign-in form');
    expect(statusOf(el, 'signIn')).to.equal('Your password has been reset. Sign in with the new password.');
    expect($<HTMLInputElement>(el, '#jd-identifier').value).to.equal('alice_01');
    expect($<HTMLInputElement>(el, '#jd-password').value).to.equal('');
  });

  it('a code used meanwhile: back to the code, said there', async () => {
    bff.routes['POST /v1/password-reset'] = () =>
      errorAnswer(400, 'code_invalid', undefined, [{ path: 'code', code: 'code_invalid' }]);
    const el = await mount();
    await toPasswordPhase(el);
    await typeInto(el, '#jd-new-password', 'Fresh#Start2026');
    click(el, '[part~="reset"] button[type="submit"]');
    await waitUntil(() => fieldError(el, 'resetCode') !== '', 'not back at the code');
    expect($<HTMLInputElement>(el, '#jd-reset-code').value).to.equal('');
  });

  it('"Back to sign-in" returns to the form; a sub-user is told who resets its password', async () => {
    const el = await mount();
    click(el, '[data-forgot]');
    await waitUntil(() => root(el).querySelector('#jd-reset-identifier'));
    click(el, '[part~="reset"] button[part~="cancel"]');
    await waitUntil(() => root(el).querySelector('#jd-password'), 'not back');
    click(el, '[data-sub]');
    await waitUntil(() => root(el).querySelector('#jd-sub-user'));
    click(el, '[data-forgot]');
    await waitUntil(() => statusOf(el, 'signIn') !== '');
    expect(statusOf(el, 'signIn')).to.contain('primary account');
    expect(root(el).querySelector('#jd-reset-identifier')).to.equal(null);
  });

  it('view="reset-password" opens the reset step without moving focus', async () => {
    const el = await mount('reset-password');
    await waitUntil(() => title(el) === 'Reset your password', 'not opened on the reset step');
    expect(root(el).activeElement).to.equal(null);
  });
});
