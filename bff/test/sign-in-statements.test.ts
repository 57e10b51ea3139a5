/**
 * A password sign-in is two statements (docs/benchmarks.md#the-floor): the attempt reservation
 * sent with the candidates' read, and the reservation's settlement sent with the session and its
 * audit event (services/sign-in.ts, services/limits.ts). What the limits promise
 * (docs/security.md#attempt-limits) holds through both, and through the answers that end a
 * sign-in after the right password without a session.
 */
import { sql, type QueryResult } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, makeHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
  expect((await h.register({ accountName: 'stmt_user', number: '13855550001', password: 'Secret#2026' })).status).toBe(
    201,
  );
});
afterAll(() => h.close());

const signIn = (identifier: string, password: string) =>
  h.request('/v1/sessions', { body: { identifier, password }, headers: { 'x-jd-session-mode': 'token' } });

/** The statements `run` sends through the harness's database (sign-in uses no transaction). */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const executor = h.db.getExecutor();
  const original = executor.executeQuery.bind(executor);
  const sent: string[] = [];
  executor.executeQuery = <R>(compiled: Parameters<typeof original>[0]): Promise<QueryResult<R>> => {
    sent.push(compiled.sql);
    return original<R>(compiled);
  };
  try {
    await run();
  } finally {
    executor.executeQuery = original;
  }
  return sent;
}

/** The counters of the account name's subject (pair and account) and of the client. */
async function counters() {
  const { rows } = await sql<{ key: string; hits: number }>`select key, hits from attempt_counters
    where key like ${'%i:name:stmt_user%'} or key = ${'client:203.0.113.7'} order by key`.execute(h.db);
  return Object.fromEntries(rows.map((r) => [r.key.split(':')[0], Number(r.hits)]));
}

describe(`a password sign-in in two statements (${backend})`, () => {
  it('sends the reservation with the read and the settlement with the session', async () => {
    // the first reservation of a process also sweeps idle counters (services/limits.ts): not this one
    expect((await signIn('stmt_user', 'Secret#2026')).status).toBe(200);
    let res: Awaited<ReturnType<typeof signIn>> | undefined;
    const sent = await statementsOf(async () => {
      res = await signIn('stmt_user', 'Secret#2026');
    });
    expect(res?.status).toBe(200);
    // the harness's tenant directory caches nothing (a production BFF reads the tenant from its cache)
    const signInStatements = sent.filter((q) => !/^select \* from "tenants"/.test(q));
    expect(signInStatements).toHaveLength(2);
    expect(signInStatements[0]).toMatch(/insert into attempt_counters[\s\S]*from "accounts" as "a"/);
    expect(signInStatements[1]).toMatch(
      /delete from attempt_counters[\s\S]*insert into "sessions"[\s\S]*insert into "audit_events"/,
    );
  });

  it('a wrong password stays counted; the right one forgets the failures and gives the attempt back', async () => {
    expect((await signIn('stmt_user', 'Wrong#2026')).status).toBe(401);
    expect((await signIn('stmt_user', 'Wrong#2026')).status).toBe(401);
    const failed = await counters();
    expect(failed).toMatchObject({ pair: 2, acct: 2 });
    expect((await signIn('stmt_user', 'Secret#2026')).status).toBe(200);
    const after = await counters();
    expect(after.pair).toBeUndefined();
    expect(after.acct).toBeUndefined();
    expect(after.client).toBe(failed.client);
  });

  it('a refused reservation answers 429 before any row is used, for a known and an unknown name alike', async () => {
    const wrong = async (name: string) => signIn(name, 'Wrong#2026');
    for (let i = 0; i < 5; i++) expect((await wrong('stmt_user')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await wrong('stmt_nobody')).status).toBe(401);
    const known = await signIn('stmt_user', 'Secret#2026');
    const unknown = await wrong('stmt_nobody');
    expect(known.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(known.json.error.code).toBe('too_many_attempts');
    expect(unknown.json.error.code).toBe(known.json.error.code);
    expect(unknown.json.error.params).toEqual(known.json.error.params);
    // the refusal counted nothing: still five on the pair
    expect((await counters()).pair).toBe(5);
    h.clock.advance(16 * 60);
  });

  it('the right password of a disabled account settles its reservation alone, without a session', async () => {
    expect((await signIn('stmt_user', 'Wrong#2026')).status).toBe(401);
    expect((await counters()).pair).toBe(1);
    await sql`update accounts set disabled_at = now() where account_name = 'stmt_user'`.execute(h.db);
    const sessionsBefore = await h.count('sessions');
    const res = await signIn('stmt_user', 'Secret#2026');
    expect(res.json.error.code).toBe('account_disabled');
    expect(await h.count('sessions')).toBe(sessionsBefore);
    const after = await counters();
    expect(after.pair).toBeUndefined();
    expect(after.acct).toBeUndefined();
  });
});
