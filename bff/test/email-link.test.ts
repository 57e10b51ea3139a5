import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let i = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

async function registerWithEmail() {
  const email = `mail${i}@example.com`;
  const res = await h.register({
    accountName: `mail_user_${i}`,
    number: `1366666${String(i++).padStart(4, '0')}`,
    email,
  });
  expect(res.status).toBe(201);
  const [mail] = await readDevOutbox(h.db, { to: email, limit: 1 });
  const link = new URL(mail.link!);
  return {
    email,
    path: `${link.pathname}${link.search}`,
    token: link.searchParams.get('token')!,
    accountId: res.json.account.id as string,
  };
}
const verified = async (accountId: string) =>
  (
    await h.db
      .selectFrom('account_contacts')
      .select('verified_at')
      .where('account_id', '=', accountId)
      .where('kind', '=', 'email')
      .executeTakeFirstOrThrow()
  ).verified_at !== null;

describe(`email verification link (${backend})`, () => {
  it('verifies the email once, within 2 hours, and says so', async () => {
    const { path, accountId } = await registerWithEmail();
    expect(await verified(accountId)).toBe(false);
    h.clock.advance(2 * 3600 - 5);
    const res = await h.app.request(path, { headers: { 'accept-language': 'en' } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Your email has been verified.');
    expect(page).toContain('href="https://portal.acme.test"');
    expect(await verified(accountId)).toBe(true);
  });

  it('refuses an expired link', async () => {
    const { path, accountId } = await registerWithEmail();
    h.clock.advance(2 * 3600 + 1);
    const res = await h.app.request(path, { headers: { 'accept-language': 'zh-CN' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('该链接已过期');
    expect(await verified(accountId)).toBe(false);
  });

  it('refuses a reused link', async () => {
    const { path } = await registerWithEmail();
    expect((await h.app.request(path)).status).toBe(200);
    const again = await h.app.request(path, { headers: { 'accept-language': 'en' } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already been used');
  });

  it('refuses a tampered link', async () => {
    const { token, accountId } = await registerWithEmail();
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const t of [tampered, '', 'short', 'x'.repeat(1000)]) {
      const res = await h.app.request(`/email/verify?token=${encodeURIComponent(t)}`, {
        headers: { 'accept-language': 'en' },
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('This link is not valid.');
    }
    expect(await verified(accountId)).toBe(false);
  });

  it('stores the link token hashed', async () => {
    const { token } = await registerWithEmail();
    const rows = await h.db.selectFrom('email_verifications').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
  });
});
