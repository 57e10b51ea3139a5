/**
 * <jd-security-settings>'s sub-users section: a primary account lists, creates (live password
 * checklist, errors at the fields), disables/enables and deletes (after confirming) its sub-users;
 * a sub-user's session (403 sub_user_forbidden) is told that sub-users manage nothing here.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdSecuritySettings } from '../src/index.ts';
import type { SubUserView } from '../../shared/src/api.ts';
import { $, $$, FakeBff, errorAnswer, securityOverview, subUserView, typeInto, signedIn } from './fake-bff.ts';

let bff: FakeBff;
let subs: SubUserView[];

async function mount(locale = 'en'): Promise<JdSecuritySettings> {
  const el = await fixture<JdSecuritySettings>(
    html`<jd-security-settings publishable-key="pk_test_1" locale=${locale}></jd-security-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="rows"], .is-info'), 'did not render');
  return el;
}

const dialog = (el: JdSecuritySettings) => $<HTMLDialogElement>(el, 'dialog');
const row = (el: JdSecuritySettings, name: string) => $(el, `[data-sub="${name}"]`);
const rowText = (el: JdSecuritySettings, name: string) => row(el, name).textContent.replace(/\s+/g, ' ').trim();
const rowAction = (el: JdSecuritySettings, name: string, action: string) =>
  $<HTMLButtonElement>(el, `[data-sub="${name}"] [data-action="${action}"]`);

async function submitDialog(el: JdSecuritySettings): Promise<void> {
  $<HTMLButtonElement>(el, 'dialog button[type="submit"]').click();
  await el.updateComplete;
}

describe('<jd-security-settings> sub-users', () => {
  let changes: CustomEvent[];
  const onChange = (e: Event) => changes.push(e as CustomEvent);

  beforeEach(() => {
    subs = [subUserView('auditor'), subUserView('dev_ops', { disabled: true })];
    bff = new FakeBff({
      'GET /v1/session': () => ({ status: 200, body: { ...signedIn(), signedIn: true } }),
      'GET /v1/security': () => ({ status: 200, body: securityOverview() }),
      'GET /v1/sub-users': () => ({ status: 200, body: { subUsers: subs } }),
    });
    sessionStorage.clear();
    changes = [];
    document.addEventListener('jd-security-change', onChange);
  });
  afterEach(() => {
    bff.restore();
    document.removeEventListener('jd-security-change', onChange);
  });

  it('lists the sub-users with their status and creation date', async () => {
    const el = await mount();
    expect($(el, '#jd-subs-title').textContent).to.equal('Sub-users');
    expect(rowText(el, 'auditor'))
      .to.contain('auditor')
      .and.contain('Enabled')
      .and.contain('Created')
      .and.contain('2025')
      .and.contain('Disable')
      .and.contain('Delete');
    expect(rowText(el, 'dev_ops')).to.contain('Disabled').and.contain('Enable');
    expect(rowAction(el, 'auditor', 'disable').getAttribute('aria-describedby')).to.equal(`jd-row-sub-${subs[0].id}`);
    expect($(el, `#jd-row-sub-${subs[0].id}`).textContent).to.equal('auditor');
  });

  it('says when there are none', async () => {
    subs = [];
    const el = await mount();
    expect($(el, '[part~="sub-users"]').textContent).to.contain('No sub-users yet.');
  });

  it('creates a sub-user: live checklist, a field error from the BFF, then success', async () => {
    let calls = 0;
    bff.routes['POST /v1/sub-users'] = (req) => {
      calls++;
      if (calls === 1) return errorAnswer(409, 'sub_user_name_taken');
      const created = subUserView((req.body as { name: string }).name);
      subs = [...subs, created];
      return { status: 201, body: created };
    };
    const el = await mount();
    const trigger = $<HTMLButtonElement>(el, '[part~="sub-users"] [data-action="create"]');
    trigger.click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-name'), 'no create form');
    expect(dialog(el).open).to.equal(true);
    expect($(el, '#jd-dialog-title').textContent).to.equal('Create sub-user');
    // empty: refused locally
    await submitDialog(el);
    expect($(el, '#jd-name').getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#jd-newPassword').getAttribute('aria-invalid')).to.equal('true');
    expect(bff.find('POST', '/v1/sub-users')).to.have.length(0);
    await typeInto(el, '#jd-name', 'auditor');
    await typeInto(el, '#jd-newPassword', 'Sub#Pass2026');
    expect($(el, '#jd-newPassword').getAttribute('aria-describedby')).to.contain('jd-newPassword-rules');
    expect($$(el, '#jd-newPassword-rules li[data-met]').length).to.equal($$(el, '#jd-newPassword-rules li').length);
    await submitDialog(el);
    await waitUntil(() => $(el, '#jd-name').getAttribute('aria-invalid') === 'true', 'no error at the name');
    expect($(el, '#jd-name-error').textContent).to.equal('A sub-user with this name already exists.');
    await typeInto(el, '#jd-name', 'auditor2');
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    const ev = await changed;
    expect(ev.detail.what).to.equal('sub_users');
    expect(bff.find('POST', '/v1/sub-users')[1].body).to.deep.equal({
      name: 'auditor2',
      password: 'Sub#Pass2026',
      mfaRequired: false,
    });
    await waitUntil(() => !dialog(el).open, 'dialog did not close');
    await waitUntil(() => el.shadowRoot!.querySelector('[data-sub="auditor2"]'), 'not listed');
    await waitUntil(() => el.shadowRoot!.activeElement === trigger, 'focus did not return');
  });

  it('shows a password field error from the BFF at the password', async () => {
    bff.routes['POST /v1/sub-users'] = () =>
      errorAnswer(400, 'invalid_input', undefined, [{ path: 'password', code: 'password_too_common', message: 'x' }]);
    const el = await mount();
    $<HTMLButtonElement>(el, '[part~="sub-users"] [data-action="create"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-name'));
    await typeInto(el, '#jd-name', 'newbie');
    await typeInto(el, '#jd-newPassword', 'Sub#Pass2026');
    await submitDialog(el);
    await waitUntil(() => $(el, '#jd-newPassword').getAttribute('aria-invalid') === 'true', 'no error at the password');
    expect(dialog(el).open).to.equal(true);
  });

  it('disables and enables a sub-user', async () => {
    bff.routes[`POST /v1/sub-users/${subs[0].id}/disable`] = () => {
      subs = subs.map((s, i) => (i === 0 ? { ...s, disabled: true } : s));
      return { status: 200, body: subs[0] };
    };
    bff.routes[`POST /v1/sub-users/${subs[1].id}/enable`] = () => {
      subs = subs.map((s, i) => (i === 1 ? { ...s, disabled: false } : s));
      return { status: 200, body: subs[1] };
    };
    const el = await mount();
    const changed = oneEvent(el, 'jd-security-change');
    rowAction(el, 'auditor', 'disable').click();
    expect((await changed).detail.what).to.equal('sub_users');
    await waitUntil(() => rowText(el, 'auditor').includes('Disabled'), 'not disabled');
    rowAction(el, 'dev_ops', 'enable').click();
    await waitUntil(() => rowText(el, 'dev_ops').includes('Enabled'), 'not enabled');
    expect(bff.find('POST', `/v1/sub-users/${subs[0].id}/disable`)[0].body).to.deep.equal({});
    expect(bff.find('POST', `/v1/sub-users/${subs[1].id}/enable`)).to.have.length(1);
    expect($(el, '[aria-live="polite"]').textContent).to.contain('saved');
  });

  it('deletes a sub-user only after confirming', async () => {
    const id = subs[0].id;
    bff.routes[`DELETE /v1/sub-users/${id}`] = () => {
      subs = subs.slice(1);
      return { status: 204 };
    };
    const el = await mount();
    rowAction(el, 'auditor', 'delete').click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog button[type="submit"]'), 'no confirm step');
    expect(dialog(el).textContent).to.contain('Delete the sub-user auditor?');
    // cancel: nothing deleted
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    await waitUntil(() => !dialog(el).open);
    expect(bff.find('DELETE', `/v1/sub-users/${id}`)).to.have.length(0);
    rowAction(el, 'auditor', 'delete').click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog button[type="submit"]'));
    const changed = oneEvent(el, 'jd-security-change');
    await submitDialog(el);
    expect((await changed).detail.what).to.equal('sub_users');
    expect(bff.find('DELETE', `/v1/sub-users/${id}`)).to.have.length(1);
    await waitUntil(() => !el.shadowRoot!.querySelector('[data-sub="auditor"]'), 'still listed');
    // its row is gone: "saved" shows in the sub-users section, after its Create button, where focus goes
    const create = $<HTMLButtonElement>(el, '[part~="sub-users"] [data-action="create"]');
    await waitUntil(() => el.shadowRoot!.activeElement === create, 'focus not on the Create button');
    const saved = $$(el, '[part~="sub-users"] > [part~="status"][part~="success"]');
    expect(saved.map((p) => p.textContent)).to.deep.equal(['Your change has been saved.']);
    expect($$(el, '[data-sub] [part~="status"]')).to.have.length(0);
  });

  it("sets a sub-user's password after a step-up, under the live checklist, saved in its row", async () => {
    const id = subs[0].id;
    let active = false;
    bff.routes['GET /v1/security'] = () => ({
      status: 200,
      body: securityOverview({ stepUp: { active, expiresAt: active ? '2099-01-01T00:00:00.000Z' : null } }),
    });
    bff.routes[`PUT /v1/sub-users/${id}/password`] = () => ({ status: 200, body: subs[0] });
    const el = await mount();
    // without a step-up, the dialog asks for one first
    rowAction(el, 'auditor', 'set_password').click();
    await waitUntil(() => dialog(el).open && el.shadowRoot!.querySelector('dialog input[name="method"]'), 'no step-up');
    $<HTMLButtonElement>(el, 'dialog [data-close]').click();
    await waitUntil(() => !dialog(el).open);
    active = true;
    await el.refresh();
    rowAction(el, 'auditor', 'set_password').click();
    await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-newPassword'), 'no password field');
    expect($(el, '#jd-dialog-title').textContent).to.equal('Set password');
    expect(dialog(el).textContent).to.contain('A new password for auditor.');
    // the sub-user's own name is refused before any request
    await typeInto(el, 'dialog #jd-newPassword', 'auditor');
    await submitDialog(el);
    await waitUntil(() => el.shadowRoot!.querySelector('dialog [part~="error"]'), 'no field error');
    expect(bff.find('PUT', `/v1/sub-users/${id}/password`)).to.have.length(0);
    await typeInto(el, 'dialog #jd-newPassword', 'Fresh#Sub2026');
    expect($$(el, 'dialog li[data-rule]:not([data-met])')).to.have.length(0);
    await submitDialog(el);
    await waitUntil(() => !dialog(el).open, 'dialog still open');
    expect(bff.find('PUT', `/v1/sub-users/${id}/password`)[0].body).to.deep.equal({ password: 'Fresh#Sub2026' });
    await waitUntil(
      () => el.shadowRoot!.querySelector('[data-sub="auditor"] [part~="success"]'),
      'no saved in the row',
    );
  });

  it("tells a sub-user's session (403 sub_user_forbidden) that it manages only its own MFA here", async () => {
    bff.routes['GET /v1/security'] = () => errorAnswer(403, 'sub_user_forbidden');
    bff.routes['GET /v1/sub-users'] = () => errorAnswer(403, 'sub_user_forbidden');
    bff.routes['GET /v1/sub-user/mfa'] = () => ({
      status: 200,
      body: { bound: false, boundAt: null, required: false },
    });
    const el = await mount();
    expect($(el, '.is-info').textContent).to.contain(
      'Sub-users manage no security settings here except their own virtual MFA',
    );
    expect($$(el, '[part~="row"]').map((r) => r.dataset['row'])).to.deep.equal(['mfa']);
    expect($$(el, '[part~="sub-users"], [part~="events"]')).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`is accessible (axe) in ${locale}: the list and the create dialog with errors`, async () => {
      const el = await mount(locale);
      await expect(el).to.be.accessible();
      $<HTMLButtonElement>(el, '[part~="sub-users"] [data-action="create"]').click();
      await waitUntil(() => el.shadowRoot!.querySelector('dialog #jd-name'));
      await submitDialog(el);
      expect($(el, '#jd-name').getAttribute('aria-invalid')).to.equal('true');
      await expect(el).to.be.accessible();
    });
  }
});
