/**
 * Look-alike account names (shared/src/rules/account-name.ts): names are stored in NFKC, compared
 * after NFKC + case folding, and a name whose look-alike skeleton equals an existing name's is
 * taken — at registration, in the availability answer, under concurrency, and for sub-user names
 * within one primary account. Sign-in by name uses the same fold. Migration 0012 brings existing
 * rows to the new fold and fills the skeleton column.
 */
import { sql } from 'kysely';
import { createScratchDatabase } from './scratch-db.ts';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { createDb } from '../src/db/create.ts';
import { AGREEMENTS, backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
let n = 0;
const nextPhone = () => `1370000${String(1000 + n++).padStart(4, '0')}`;
const nextIp = () => `198.18.${n % 250}.${(n * 7) % 250}`;

beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const register = (accountName: string, password = 'Secret#2026') =>
  h.register({ accountName, password, number: nextPhone() }, { ip: nextIp(), locale: 'en' });
const available = async (name: string) =>
  (await h.request(`/v1/account-names/availability?name=${encodeURIComponent(name)}`, { ip: nextIp() })).json.available;

describe(`look-alike account names (${backend})`, () => {
  it.each([
    ['人人abc1', '⼈⼈abc1'], // Kangxi radical U+2F08 = 人 under NFKC
    ['Alice_01', 'ＡＬＩＣＥ_01'], // full-width letters = ASCII, case folded
    ['hello_o', 'hell0_0'], // 0 looks like o
    ['bill_gates', 'bi1l_gates'], // 1 looks like l
    ['modern_x', 'rnodern_x'], // rn looks like m
    ['〇ne_name', 'One_name'], // confusables.txt: 〇 → O
  ])('registers %j, then refuses %j as taken', async (first, second) => {
    expect((await register(first)).status).toBe(201);
    expect(await available(second)).toBe(false);
    const res = await register(second);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('account_name_taken');
    expect(res.json.error.fields).toEqual([
      expect.objectContaining({ path: 'accountName', code: 'account_name_taken' }),
    ]);
    const rows = await h.db
      .selectFrom('accounts')
      .select('account_name')
      .where('account_name_skeleton', '=', await skeletonOf(first))
      .execute();
    expect(rows.map((r) => r.account_name)).toEqual([first]);
  });

  it('stores the NFKC form of the name, which is what the account shows', async () => {
    const res = await register('⼤⼭ＴＡＲＯ');
    expect(res.status).toBe(201);
    expect(res.json.account.accountName).toBe('大山TARO');
    const row = await h.db
      .selectFrom('accounts')
      .select(['account_name', 'account_name_folded', 'account_name_skeleton'])
      .where('id', '=', res.json.account.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      account_name: '大山TARO',
      account_name_folded: '大山taro',
      account_name_skeleton: '大山taro',
    });
  });

  it('does not take names that only share letters', async () => {
    expect((await register('distinct_a1')).status).toBe(201);
    expect(await available('distinct-a1')).toBe(true);
    expect((await register('distinct_b1')).status).toBe(201);
  });

  it('a burst of 10 look-alike registrations creates exactly one account', async () => {
    const names = [
      'race_lo0k',
      'RACE_LOOK',
      'race_l0ok',
      'race_1ook',
      'ｒａｃｅ_look',
      'race_look',
      'Race_L00k',
      'race_iook',
      'RACE_100K',
      'race_lo0K',
    ];
    const phones = names.map(() => nextPhone());
    const codes: string[] = [];
    for (const phone of phones) codes.push((await h.sendCode(phone, { ip: nextIp() })).code!);
    const results = await Promise.all(
      names.map((accountName, i) =>
        h.request('/v1/accounts', {
          ip: nextIp(),
          body: {
            accountName,
            password: 'Race#2026!',
            phone: { region: 'CN', number: phones[i] },
            code: codes[i],
            agreements: AGREEMENTS,
          },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(results.filter((r) => r.status === 409).every((r) => r.json.error.code === 'account_name_taken')).toBe(true);
    const rows = await h.db
      .selectFrom('accounts')
      .select('id')
      .where('account_name_skeleton', '=', 'race_look')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('signs in with the full-width or Kangxi form of an existing name (the same fold)', async () => {
    expect((await register('Signer_01', 'Signer#2026')).status).toBe(201);
    expect((await register('⼈⼈signer', 'Signer#2026')).status).toBe(201);
    for (const identifier of ['ＳＩＧＮＥＲ_０１', 'signer_01', '人人signer', '⼈⼈ＳＩＧＮＥＲ']) {
      const res = await h.request('/v1/sessions', {
        body: { identifier, password: 'Signer#2026' },
        ip: nextIp(),
        headers: { 'x-jd-session-mode': 'token' },
      });
      expect(res.status, identifier).toBe(200);
    }
    // a look-alike is not the same name: it does not sign in to the account
    const lookAlike = await h.request('/v1/sessions', {
      body: { identifier: 'Signer_0l', password: 'Signer#2026' },
      ip: nextIp(),
      headers: { 'x-jd-session-mode': 'token' },
    });
    expect(lookAlike.status).toBe(401);
  });

  it('refuses a look-alike sub-user name within one primary account', async () => {
    const reg = await h.register(
      { accountName: 'sub_owner_1', password: 'Owner#2026', number: nextPhone() },
      { ip: nextIp(), headers: { 'x-jd-session-mode': 'token' } },
    );
    expect(reg.status).toBe(201);
    const token = reg.json.session.token as string;
    const create = (name: string) =>
      h.request('/v1/sub-users', { token, body: { name, password: 'Sub#Pass2026' }, locale: 'en' });
    expect((await create('dev_ops')).status).toBe(201);
    for (const name of ['DEV_0PS', 'ｄｅｖ_ｏｐｓ']) {
      const res = await create(name);
      expect(res.status, name).toBe(409);
      expect(res.json.error.code).toBe('sub_user_name_taken');
    }
    expect((await create('dev_ops2')).status).toBe(201);
  });
});

async function skeletonOf(name: string) {
  const { accountNameSkeleton } = await import('../../shared/src/rules/account-name.ts');
  return accountNameSkeleton(name);
}

describe('migration 0012 (look-alike names)', () => {
  it('recomputes folds, fills skeletons, and keeps both accounts when two names collide under NFKC', async () => {
    const { db, drop } = await emptyDb();
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const before = await migrator.migrateTo('0011_attempt_counters');
      expect(before.error).toBeUndefined();
      const [tenant] = (
        await sql<{
          id: string;
        }>`insert into tenants (slug, publishable_key, config) values ('mig', 'pk_mig', '{}') returning id`.execute(db)
      ).rows;
      const insert = (name: string, folded: string, at: string) =>
        sql<{
          id: string;
        }>`insert into accounts (tenant_id, account_name, account_name_folded, password_hash, created_at, updated_at)
          values (${tenant.id}, ${name}, ${folded}, 'x', ${at}::timestamptz, ${at}::timestamptz) returning id`
          .execute(db)
          .then((r) => r.rows[0].id);
      // as the old rule stored them: NFC + lower case
      const kangxi = await insert('⼈⼈abc1', '⼈⼈abc1', '2026-01-01T00:00:00Z'); // older, Kangxi radicals
      const canonical = await insert('人人abc1', '人人abc1', '2026-02-01T00:00:00Z'); // already canonical
      const radicalOnly = await insert('⼤山Alice', '⼤山alice', '2026-03-01T00:00:00Z'); // no collision
      const plain = await insert('Hello_0', 'hello_0', '2026-04-01T00:00:00Z');
      await sql`insert into sub_users (tenant_id, primary_account_id, name, name_folded, password_hash, created_at, updated_at)
        values (${tenant.id}, ${plain}, '⼭⼭dev', '⼭⼭dev', 'x', now(), now())`.execute(db);

      const after = await migrator.migrateToLatest();
      expect(after.error).toBeUndefined();
      const rows = await sql<{
        id: string;
        account_name_folded: string;
        account_name_skeleton: string;
      }>`select id, account_name_folded, account_name_skeleton from accounts`.execute(db);
      const byId = new Map(rows.rows.map((r) => [r.id, r]));
      // the canonical one keeps the fold; the look-alike keeps its old one, so the unique index holds and nothing is merged
      expect(byId.get(canonical)).toEqual({
        id: canonical,
        account_name_folded: '人人abc1',
        account_name_skeleton: '人人abcl',
      });
      expect(byId.get(kangxi)).toEqual({
        id: kangxi,
        account_name_folded: '⼈⼈abc1',
        account_name_skeleton: '人人abcl',
      });
      expect(byId.get(radicalOnly)!.account_name_folded).toBe('大山alice');
      expect(byId.get(plain)!.account_name_skeleton).toBe('hello_o');
      const sub = await sql<{ name_folded: string }>`select name_folded from sub_users`.execute(db);
      expect(sub.rows[0].name_folded).toBe('山山dev');
    } finally {
      await db.destroy();
      await drop();
    }
  });
});

/** An empty database on the test backend (PGlite, or a fresh one on DATABASE_URL's server). */
async function emptyDb() {
  const url = process.env.DATABASE_URL;
  if (!url) return { db: createDb({}), drop: async () => {} };
  const scratch = await createScratchDatabase(url, 'jd_test_mig');
  return { db: createDb({ url: scratch.url, poolSize: 2 }), drop: scratch.drop };
}
