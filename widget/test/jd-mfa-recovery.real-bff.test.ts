/**
 * A lost MFA device against the REAL BFF (widget/test/real-bff-plugin.mjs; another origin, so
 * token mode): a user registered and bound MFA through the API; the back office records its
 * real-name verification through the admin API; then, in <jd-login>, the password step, "Lost
 * your device?", the personal application with a photo, and its confirmation; the pending session
 * then sees the application pending, and the back office reads it and its photo back.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdLogin } from '../src/index.ts';
import { JdClient } from '../src/client.ts';
import { $, typeInto } from './fake-bff.ts';
import { latestCode, loadBff, PASSWORD, randomPhone, registerUser, type BffInfo } from './real-bff.ts';
import { totp } from './totp.ts';

let bff: BffInfo;

/** The tenant's admin API (the plugin holds the secret key: it never reaches a browser in production). */
async function adminApi(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; contentType: string; body: any }> {
  const res = await fetch('/__bff/admin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, path, body }),
  });
  return res.json();
}

const has = (el: HTMLElement, selector: string) => () => !!el.shadowRoot!.querySelector(selector);
const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1,
]);

describe('lost MFA device against the real BFF', function () {
  this.timeout(120_000);

  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());

  it('a real-name verified account applies in <jd-login>; the application is queued with its photo', async () => {
    const phone = randomPhone();
    const { client, accountName } = await registerUser(bff, phone);
    // bind MFA through the API: step-up by SMS, then the first TOTP code
    await client.stepUpStart({ method: 'phone', channel: 'sms' });
    await client.stepUpVerify({ method: 'phone', code: await latestCode(phone) });
    const { secret } = await client.mfaSetup();
    await client.mfaConfirm(await totp(secret));
    const found = await adminApi('GET', `/accounts?name=${encodeURIComponent(accountName)}`);
    const accountId = found.body.accounts[0].id as string;
    expect(
      (
        await adminApi('PUT', `/accounts/${accountId}/real-name`, {
          type: 'personal',
          name: '张三',
          idNumber: '11010119900307123X',
        })
      ).status,
    ).to.equal(200);

    // a new tab: password, then the MFA step, then "Lost your device?"
    sessionStorage.clear();
    const login = await fixture<JdLogin>(
      html`<jd-login publishable-key=${bff.publishableKey} api-base=${bff.url} locale="en"></jd-login>`,
    );
    await waitUntil(has(login, '#jd-identifier'), 'no login form', { timeout: 10000 });
    await typeInto(login, '#jd-identifier', accountName);
    await typeInto(login, '#jd-password', PASSWORD);
    $<HTMLButtonElement>(login, 'button[type="submit"]').click();
    await waitUntil(has(login, '[data-mfa="lost"]'), 'no MFA step', { timeout: 10000 });
    $<HTMLButtonElement>(login, '[data-mfa="lost"]').click();
    await waitUntil(has(login, '#jd-app-id-photo'), 'no application form (is the account real-name verified?)', {
      timeout: 10000,
    });
    expect(login.shadowRoot!.querySelector('#jd-app-licence'), 'a personal account: no business licence').to.equal(
      null,
    );

    await typeInto(login, '#jd-app-name', '张三');
    await typeInto(login, '#jd-app-phone', phone);
    await typeInto(login, '#jd-app-id-number', '11010119900307123x');
    const input = $<HTMLInputElement>(login, '#jd-app-id-photo');
    const dt = new DataTransfer();
    dt.items.add(new File([PNG], 'holding-id.png', { type: 'image/png' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));

    const submitted = oneEvent(login, 'jd-mfa-application-submitted');
    $<HTMLButtonElement>(login, '[part~="lost"] button[type="submit"]').click();
    const { id } = ((await submitted) as CustomEvent<{ id: string }>).detail;
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    await waitUntil(has(login, '[part~="confirmation"]'), 'no confirmation', { timeout: 10000 });
    expect($(login, '[part~="confirmation"]').textContent)
      .to.contain(id.slice(0, 8).toUpperCase())
      .and.contain('queued for review');

    // the pending session now sees the application pending; a second one is refused
    const pending = new JdClient({
      publishableKey: bff.publishableKey,
      apiBase: bff.url,
      sessionMode: 'token',
      locale: 'en',
    });
    expect(await pending.mfaRecovery()).to.deep.equal({
      realNameVerified: true,
      type: 'personal',
      pendingApplication: true,
    });

    // and the server says a second application must wait for the first
    const again = await pending
      .applyMfaRecovery({
        type: 'personal',
        name: '张三',
        phone: { region: 'CN', number: phone },
        idNumber: '11010119900307123X',
        idPhoto: { data: btoa(String.fromCharCode(...PNG)) },
      })
      .then(
        () => 'accepted',
        (e: { code?: string }) => e.code,
      );
    expect(again).to.equal('application_pending');

    // the back office sees the application, matching the real-name record, and the photo as sent
    const review = await adminApi('GET', `/mfa-applications/${id}`);
    expect(review.status).to.equal(200);
    expect(review.body).to.include({ accountId, status: 'pending' });
    expect(review.body.mismatches).to.deep.equal([]);
    const [file] = review.body.files as { id: string; kind: string }[];
    expect(file.kind).to.equal('id_photo');
    const fileId = file.id;
    const photo = await adminApi('GET', `/mfa-applications/${id}/files/${fileId}`);
    expect(photo.status).to.equal(200);
    expect(photo.contentType).to.equal('image/png');
    expect(photo.body).to.equal(btoa(String.fromCharCode(...PNG)));
  });
});
