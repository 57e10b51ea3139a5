/**
 * Statements compiled once per shape (bff/src/db/compiled.ts): the same SQL and parameters as
 * Kysely builds with the values, shape by shape, and a builder that uses a value as more than a
 * parameter is caught (the tests run with JD_VERIFY_COMPILED=1: vitest.config.ts).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledStatement } from '../src/db/compiled.ts';
import type { Db } from '../src/db/create.ts';
import { createTenant } from '../src/services/tenants.ts';
import { freshDb } from './harness.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await freshDb());
});
afterAll(() => close());

type Values = { tenantId: string; name?: string; tags: { key: string; n: number }[]; at: Date | null };
const build = (db: Db, v: Values) => {
  let q = db.selectFrom('tenants').select(['id', 'slug']).where('id', '=', v.tenantId);
  if (v.name !== undefined) q = q.where('slug', '=', v.name);
  const tags = v.tags.map((t) => sql`(${t.key}::text, ${t.n}::int)`);
  return tags.length
    ? q.where(sql<boolean>`exists (select 1 from (values ${sql.join(tags)}) t (k, n) where t.n > ${v.tags.length})`)
    : q;
};
const direct = (v: Values) => build(db, v).compile();

describe('compiled statements', () => {
  it('gives the SQL and parameters Kysely builds with the values, for every shape', () => {
    const statement = compiledStatement(build);
    const cases: Values[] = [
      { tenantId: 'a', tags: [], at: null },
      { tenantId: 'b', name: 'acme', tags: [{ key: 'x', n: 1 }], at: new Date(0) },
      { tenantId: 'c', tags: [{ key: 'y', n: 2 }], at: null },
      {
        tenantId: 'd',
        name: 'o\u2019neil',
        tags: [
          { key: 'z', n: 3 },
          { key: 'w', n: 4 },
        ],
        at: new Date(1),
      },
      // the second time of a shape comes from the cache
      { tenantId: 'e', name: 'again', tags: [{ key: 'q', n: 5 }], at: new Date(2) },
    ];
    for (const v of cases) {
      const cached = statement(db, v);
      expect(cached.sql).toBe(direct(v).sql);
      expect(cached.parameters).toEqual(direct(v).parameters);
    }
  });

  it('runs: the cached statement finds the row its values name, and only that one', async () => {
    const statement = compiledStatement((db: Db, v: { slug: string }) =>
      db.selectFrom('tenants').select('slug').where('slug', '=', v.slug),
    );
    await createTenant(db, { slug: 'compiled-one', displayName: 'One', origins: [] });
    await createTenant(db, { slug: 'compiled-two', displayName: 'Two', origins: [] });
    expect((await db.executeQuery(statement(db, { slug: 'compiled-one' }))).rows).toEqual([{ slug: 'compiled-one' }]);
    expect((await db.executeQuery(statement(db, { slug: 'compiled-two' }))).rows).toEqual([{ slug: 'compiled-two' }]);
    expect((await db.executeQuery(statement(db, { slug: 'no-such-tenant' }))).rows).toEqual([]);
  });

  it('reads a row as one json value with the same keys and values as column by column', async () => {
    type Row = { name: string; n: number; flag: boolean; nothing: null; seconds: number; list: string[] };
    const build = (db: Db, v: { name: string; n: number; flag: boolean; at: Date; a: string; b: string }) =>
      sql`select ${v.name}::text as name, ${v.n}::int as n, ${v.flag}::boolean as flag, null::text as nothing,
        date_part('epoch', ${v.at}::timestamptz) as seconds, array[${v.a}, ${v.b}]::text[] as list`;
    const plain = compiledStatement(build);
    const asJson = compiledStatement(build, { rowAsJson: true });
    const cases = [
      {
        name: '京东云 "账号" \\ 😀',
        n: -7,
        flag: true,
        at: new Date(Date.UTC(2026, 11, 7, 1, 2, 3, 456)),
        a: 'x,y',
        b: '{"q"}',
      },
      { name: '', n: 0, flag: false, at: new Date(1), a: 'NULL', b: ' ' },
    ];
    for (const v of cases) {
      const columns = (await db.executeQuery<Row>(plain(db, v))).rows;
      const json = (await db.executeQuery<{ r: Row }>(asJson(db, v))).rows;
      expect(json).toHaveLength(1);
      expect(json[0].r).toEqual(columns[0]);
      expect(json[0].r.seconds).toBe(v.at.getTime() / 1000);
    }
  });

  it('refuses a builder that uses a value as more than a parameter', () => {
    const sliced = compiledStatement((db: Db, v: { slug: string }) =>
      db.selectFrom('tenants').select('id').where('slug', '=', v.slug.slice(0, 3)),
    );
    expect(() => sliced(db, { slug: 'acme-cloud' })).toThrow(/differs from one built with the values/);
    const raw = compiledStatement((db: Db, v: { column: string }) =>
      db.selectFrom('tenants').select(sql.ref(v.column).as('c')),
    );
    expect(() => raw(db, { column: 'slug' })).toThrow(/differs from one built with the values/);
  });

  it('refuses values that are not plain data', () => {
    const statement = compiledStatement((db: Db, v: { when: { toISOString(): string } }) =>
      db
        .selectFrom('tenants')
        .select('id')
        .where('created_at', '>', v.when as never),
    );
    class Instant {
      toISOString() {
        return '2026-01-01T00:00:00Z';
      }
    }
    expect(() => statement(db, { when: new Instant() })).toThrow(/not plain data/);
  });
});
