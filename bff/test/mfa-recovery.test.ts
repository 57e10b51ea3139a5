import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { listApplications, reviewApplication, setRealName } from '../src/services/mfa-recovery.ts';
import { postgresFileStore } from '../src/storage/files.ts';
import { backend, makeHarness, type Harness } from './harness.ts';
import { userWithMfa } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

// a 1×1 PNG and a JPEG header: checked by content, not by name
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]).toString('base64');
const PDF = Buffer.from('%PDF-1.4\n%test').toString('base64');

async function lostDevice() {
  const number = `1375555${String(n++).padStart(4, '0')}`;
  const u = await userWithMfa(h, { number, name: `lost_${n}` });
  const pending = (
    await h.request('/v1/sessions', {
      body: { identifier: u.name, password: u.password },
      headers: { 'x-jd-session-mode': 'token' },
    })
  ).json.session.token as string;
  const apply = (body: unknown) => h.request('/v1/mfa-recovery/applications', { token: pending, body, locale: 'en' });
  const personal = {
    type: 'personal',
    name: '张三',
    phone: { region: 'CN', number },
    idNumber: '11010119900307123X',
    idPhoto: { data: PNG },
  };
  return { ...u, pending, apply, personal };
}

describe(`lost MFA device: applications (${backend})`, () => {
  it('is refused when the account is not real-name verified, and says why', async () => {
    const u = await lostDevice();
    expect((await h.request('/v1/mfa-recovery', { token: u.pending })).json).toEqual({
      realNameVerified: false,
      type: null,
      pendingApplication: false,
    });
    const res = await u.apply(u.personal);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('real_name_required');
    expect(res.json.error.message).toContain('not real-name verified');
  });

  it('checks uploads by content and size', async () => {
    const u = await lostDevice();
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'personal',
      name: '张三',
      idNumber: '11010119900307123x',
    });
    const notImage = await u.apply({
      ...u.personal,
      idPhoto: { data: Buffer.from('GIF89a not allowed').toString('base64') },
    });
    expect(notImage.status).toBe(400);
    expect(notImage.json.error).toMatchObject({
      code: 'file_type_invalid',
      fields: [{ path: 'idPhoto', code: 'file_type_invalid' }],
    });
    const pdfPhoto = await u.apply({ ...u.personal, idPhoto: { data: PDF } });
    expect(pdfPhoto.json.error.code).toBe('file_type_invalid');
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(2 * 1024 * 1024)]).toString('base64');
    const tooLarge = await u.apply({ ...u.personal, idPhoto: { data: big } });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.json.error).toMatchObject({ code: 'file_too_large', params: { mb: 2 } });
    const enterpriseWithout = await u.apply({ ...u.personal, type: 'enterprise' });
    expect(enterpriseWithout.json.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'businessLicence',
      'enterpriseName',
    ]);
    expect(
      (await h.db.selectFrom('mfa_applications').select('id').where('account_id', '=', u.accountId).execute()).length,
    ).toBe(0);
  });

  it('approval removes the MFA, signs the account out everywhere and tells the security phone', async () => {
    const u = await lostDevice();
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'personal',
      name: '张三',
      idNumber: '11010119900307123X',
    });
    const res = await u.apply({ ...u.personal, idPhoto: { data: JPEG } });
    expect(res.status).toBe(201);
    expect((await u.apply(u.personal)).json.error.code).toBe('application_pending');
    const [view] = (await listApplications(h.db, postgresFileStore(h.db), h.tenant.id, 'pending')).filter(
      (a) => a.accountId === u.accountId,
    );
    expect(view).toMatchObject({
      applicantName: '张三',
      idNumberLast4: '123X',
      mismatches: [],
      files: [{ kind: 'id_photo', contentType: 'image/jpeg' }],
    });
    await reviewApplication(h.deps, h.tenant, view.id, { approve: true });
    expect(await h.sessionState({ token: u.token })).toBe('out');
    const signIn = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: u.password },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(signIn.json.mfaRequired).toBeUndefined();
    expect((await readDevOutbox(h.db, { to: `+86${u.number}`, limit: 1 }))[0].purpose).toBe('mfa_change');
    await expect(reviewApplication(h.deps, h.tenant, view.id, { approve: true })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('flags a mismatch with the real-name record, and rejection keeps the MFA', async () => {
    const u = await lostDevice();
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'enterprise',
      name: '李四',
      idNumber: '110101199003071234',
      enterprise: '京东云示例有限公司',
    });
    const res = await u.apply({
      ...u.personal,
      type: 'enterprise',
      enterpriseName: '另一家公司',
      businessLicence: { data: PDF },
    });
    expect(res.status).toBe(201);
    const [view] = (await listApplications(h.db, postgresFileStore(h.db), h.tenant.id)).filter(
      (a) => a.accountId === u.accountId,
    );
    expect(view.mismatches).toEqual(['name', 'id_number', 'enterprise_name']);
    expect(view.files.map((f) => f.kind).sort()).toEqual(['business_licence', 'id_photo']);
    await reviewApplication(h.deps, h.tenant, view.id, { approve: false, reason: 'details do not match' });
    const after = (await listApplications(h.db, postgresFileStore(h.db), h.tenant.id)).find((a) => a.id === view.id)!;
    expect(after).toMatchObject({ status: 'rejected', reason: 'details do not match' });
    const signIn = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: u.password },
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(signIn.json.mfaRequired).toBe(true);
  });

  it('is only for a session that passed the password step of this tenant', async () => {
    expect((await h.request('/v1/mfa-recovery')).status).toBe(401);
  });
});
