import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENTS, backend, makeHarness, type Harness } from './harness.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe(`concurrency (${backend})`, () => {
  it('20 parallel registrations of one account name: exactly one succeeds, the others get account_name_taken', async () => {
    const phones = Array.from({ length: 20 }, (_, i) => `1355555${String(i).padStart(4, '0')}`);
    const codes: string[] = [];
    for (const [i, phone] of phones.entries()) codes.push((await h.sendCode(phone, { ip: `10.20.0.${i}` })).code!);
    const results = await Promise.all(
      phones.map((phone, i) =>
        h.request('/v1/accounts', {
          ip: `10.20.0.${i}`,
          body: {
            accountName: i % 2 ? 'RaceName' : 'racename',
            password: 'Race#2026',
            phone: { region: 'CN', number: phone },
            code: codes[i],
            agreements: AGREEMENTS,
          },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(results.filter((r) => r.status === 409).every((r) => r.json.error.code === 'account_name_taken')).toBe(true);
    const rows = await h.db.selectFrom('accounts').select('id').where('account_name_folded', '=', 'racename').execute();
    expect(rows).toHaveLength(1);
    // the losers' codes were not consumed and their phones were not bound
    expect(await h.count('account_contacts')).toBe(1);
  });

  it('parallel bindings of one email, then parallel verifications: exactly one binding can sign in with it', async () => {
    const phones = Array.from({ length: 6 }, (_, i) => `1356666${String(i).padStart(4, '0')}`);
    const codes: string[] = [];
    for (const [i, phone] of phones.entries()) codes.push((await h.sendCode(phone, { ip: `10.21.0.${i}` })).code!);
    const results = await Promise.all(
      phones.map((phone, i) =>
        h.request('/v1/accounts', {
          ip: `10.21.0.${i}`,
          body: {
            accountName: `bind_${i}`,
            password: 'Race#2026',
            phone: { region: 'CN', number: phone },
            code: codes[i],
            agreements: AGREEMENTS,
            email: 'race@example.com',
          },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    const flags = () =>
      h.db.selectFrom('account_contacts').select('can_sign_in').where('value', '=', 'race@example.com').execute();
    // unverified bindings prove nothing: none signs in until its link is opened (services/contacts.ts)
    expect((await flags()).filter((f) => f.can_sign_in)).toHaveLength(0);
    const links = (await readDevOutbox(h.db, { to: 'race@example.com' })).map((m) => new URL(m.link!));
    expect(links).toHaveLength(6);
    // app.request may answer synchronously; `async` makes every element a promise for Promise.all
    const opened = await Promise.all(links.map(async (u) => h.app.request(`${u.pathname}${u.search}`)));
    expect(opened.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect((await flags()).filter((f) => f.can_sign_in)).toHaveLength(1);
  });

  it('parallel code requests for one phone: one is sent, the rest meet the cooldown', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.request('/v1/verification-codes', {
          body: { phone: { region: 'CN', number: '13577770000' }, purpose: 'register', channel: 'sms' },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 429).every((r) => r.json.error.code === 'code_cooldown')).toBe(true);
  });
});
