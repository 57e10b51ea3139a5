/**
 * Sub-users' virtual MFA against the REAL BFF (widget/test/real-bff-plugin.mjs; another origin, so
 * token mode). The test plays the sub-user's authenticator app with widget/test/totp.ts.
 * - A primary account creates a sub-user with "MFA required" in <jd-security-settings>; the
 *   sub-user binds its device at sign-in (through the API here); the primary sees it bound,
 *   disassociates it through the UI, the row updates, and the sub-user is told at its next sign-in
 *   and has to bind again.
 * - A signed-in sub-user binds its own device in <jd-security-settings> (password, QR key, code).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import { JdClient } from '../src/client.ts';
import { HEADER_LOCALE, HEADER_PUBLISHABLE_KEY, HEADER_SESSION_MODE } from '../../shared/src/headers.ts';
import { $, $$, typeInto } from './fake-bff.ts';
import { loadBff, randomPhone, registerUser, type BffInfo } from './real-bff.ts';
import { totp } from './totp.ts';

let bff: BffInfo;
const SUB_PW = 'Sub#Pass2026';

const has = (el: HTMLElement, selector: string) => () => !!el.shadowRoot!.querySelector(selector);
const text = (el: Element) => el.textContent.replace(/\s+/g, ' ').trim();

/** A call to the BFF as another browser tab would make it (its own bearer token, not the page's). */
async function call(path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${bff.url}/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      [HEADER_PUBLISHABLE_KEY]: bff.publishableKey,
      [HEADER_SESSION_MODE]: 'token',
      [HEADER_LOCALE]: 'en',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function submit(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

describe("sub-users' MFA against the real BFF", function () {
  this.timeout(60_000);

  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());

  it('the primary creates a sub-user with "MFA required"; after the sub-user bound a device, the primary disassociates it', async () => {
    const { accountName: primary } = await registerUser(bff, randomPhone());
    const settings = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(settings, '[part~="sub-users"] [data-action="create"]'), 'no sub-users section', {
      timeout: 10000,
    });
    $<HTMLButtonElement>(settings, '[part~="sub-users"] [data-action="create"]').click();
    await waitUntil(has(settings, 'dialog #jd-name'));
    await typeInto(settings, '#jd-name', 'oncall');
    await typeInto(settings, '#jd-newPassword', SUB_PW);
    $<HTMLInputElement>(settings, 'dialog input[name="mfa"]').click();
    await settings.updateComplete;
    await submit(settings);
    await waitUntil(has(settings, '[data-sub="oncall"]'), 'the sub-user is not listed', { timeout: 10000 });
    const row = () => text($(settings, '[data-sub="oncall"]'));
    expect(row()).to.contain('MFA not bound');
    expect($<HTMLInputElement>(settings, '[data-sub="oncall"] [data-action="mfa-required"]').checked).to.equal(true);

    // the sub-user signs in elsewhere: MFA is required, so it binds a device before getting in
    const pending = await call('/sessions', { identifier: primary, subUser: 'oncall', password: SUB_PW });
    expect(pending.json).to.include({ mfaRequired: true, mfaSetupRequired: true });
    const setup = await call('/sessions/mfa/setup', {}, pending.json.session.token);
    expect(setup.status).to.equal(200);
    const done = await call('/sessions/mfa', { code: await totp(setup.json.secret) }, pending.json.session.token);
    expect(done.status, JSON.stringify(done.json)).to.equal(200);

    await settings.refresh();
    await waitUntil(() => row().includes('MFA bound'), 'the row does not show the bound device', { timeout: 10000 });
    $<HTMLButtonElement>(settings, '[data-sub="oncall"] [data-action="disassociate"]').click();
    await waitUntil(has(settings, 'dialog button[type="submit"]'), 'no confirmation');
    expect(text($(settings, 'dialog p'))).to.contain("Disassociate oncall's MFA device?");
    await submit(settings);
    await waitUntil(() => !$<HTMLDialogElement>(settings, 'dialog').open, 'the dialog did not close', {
      timeout: 10000,
    });
    await waitUntil(() => row().includes('MFA not bound'), 'the row did not update', { timeout: 10000 });
    expect($$(settings, '[data-sub="oncall"] [data-action="disassociate"]')).to.have.length(0);
    expect($(settings, '[data-type="sub_user_mfa_disassociated"]').textContent).to.contain(
      'Sub-user MFA disassociated',
    );

    // the sub-user is told at its next sign-in and binds again
    const next = await call('/sessions', { identifier: primary, subUser: 'oncall', password: SUB_PW });
    expect(next.json).to.include({ mfaSetupRequired: true });
    expect(next.json.notices).to.deep.equal(['mfa_reset_by_primary']);
  });

  it('a signed-in sub-user binds its own device in the settings', async () => {
    const { client, accountName: primary } = await registerUser(bff, randomPhone());
    await client.createSubUser({ name: 'member', password: SUB_PW });
    const primaryToken = client.token!;
    // the sub-user signs in on this page as in a fresh tab (a sign-in ends the session it is sent with)
    sessionStorage.clear();
    const sub = new JdClient({
      publishableKey: bff.publishableKey,
      apiBase: bff.url,
      sessionMode: 'token',
      locale: 'en',
    });
    expect(
      (await sub.signIn({ identifier: primary, subUser: 'member', password: SUB_PW })).account.subUser?.name,
    ).to.equal('member');

    const settings = await fixture<JdSecuritySettings>(
      html`<jd-security-settings publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-security-settings>`,
    );
    await waitUntil(has(settings, '[data-row="mfa"] [data-action="bind"]'), 'no Bind for the sub-user', {
      timeout: 10000,
    });
    expect($$(settings, '[part~="sub-users"], [part~="events"]')).to.have.length(0);
    $<HTMLButtonElement>(settings, '[data-row="mfa"] [data-action="bind"]').click();
    await waitUntil(has(settings, 'dialog #jd-currentPassword'), 'no password step');
    await typeInto(settings, '#jd-currentPassword', 'Wrong#2026');
    await submit(settings);
    await waitUntil(has(settings, '#jd-currentPassword-error'), 'no error for a wrong password', { timeout: 10000 });
    expect($(settings, '#jd-currentPassword-error').textContent).to.equal('The current password is incorrect.');
    await typeInto(settings, '#jd-currentPassword', SUB_PW);
    await submit(settings);
    await waitUntil(has(settings, 'dialog img[part~="qr"]'), 'no QR code', { timeout: 10000 });
    const secret = $(settings, 'dialog [part~="secret"] code').textContent.replace(/\s+/g, '');
    expect(decodeURIComponent($<HTMLAnchorElement>(settings, 'dialog a[href^="otpauth://totp/"]').href)).to.contain(
      `member@${primary}`,
    );
    await typeInto(settings, '#jd-code', await totp(secret));
    await submit(settings);
    await waitUntil(() => !$<HTMLDialogElement>(settings, 'dialog').open, 'the dialog did not close', {
      timeout: 10000,
    });
    expect(text($(settings, '[data-row="mfa"]')))
      .to.contain('Bound')
      .and.contain('only the primary account can disassociate it');
    expect($(settings, '[aria-live="polite"]').textContent).to.contain('Sub-users have no recovery codes');

    // the primary sees the device
    const list = await call('/sub-users', undefined, primaryToken);
    expect(list.status, JSON.stringify(list.json)).to.equal(200);
    expect(list.json.subUsers[0]).to.include({ name: 'member', mfaBound: true, mfaRequired: false });
  });
});
