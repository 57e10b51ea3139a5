import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/src/errors.ts';
import { sweepIdempotencyKeys } from '../src/db/idempotency.ts';
import type { AppEnv } from '../src/http/context.ts';
import { onError } from '../src/http/errors.ts';
import { idempotent } from '../src/http/idempotency.ts';
import { listApplications, setRealName } from '../src/services/mfa-recovery.ts';
import { createTenant, type Tenant } from '../src/services/tenants.ts';
import { postgresFileStore } from '../src/storage/files.ts';
import {
  AGREEMENTS,
  backend,
  cookieFrom,
  makeHarness,
  ORIGIN,
  readAnswer,
  type Harness,
  type RequestOptions,
} from './harness.ts';
import { userWithMfa } from './mfa-helpers.ts';

/** Create endpoints retried with an Idempotency-Key answer the first run's answer (bff/src/http/idempotency.ts). */
let h: Harness;
let other: Tenant;
let n = 0;
const nextPhone = () => `1396666${String(1000 + n++).padStart(4, '0')}`;

beforeAll(async () => {
  h = await makeHarness();
  other = await createTenant(h.db, { slug: 'idem-other', displayName: 'Other', origins: [ORIGIN] });
});
afterAll(() => h.close());

/** A registration body with a code sent to a fresh phone (on tenant `pk`, default acme). */
async function registration(accountName: string, o: { pk?: string } = {}) {
  const number = nextPhone();
  const { code } = await h.sendCode(number, { ip: `198.51.100.${n % 250}`, ...(o.pk ? { pk: o.pk } : {}) });
  if (!code) throw new Error('no code was sent');
  return { accountName, password: 'Secret#2026', phone: { region: 'CN', number }, code, agreements: AGREEMENTS };
}

const register = (body: unknown, key: string | undefined, o: RequestOptions = {}) =>
  h.request('/v1/accounts', {
    ...o,
    body,
    locale: 'en',
    headers: { ...o.headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
  });

async function accountsNamed(name: string, tenantId = h.tenant.id) {
  return (
    await h.db
      .selectFrom('accounts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('account_name', '=', name)
      .execute()
  ).length;
}

/** Holds the next password hash until release() (registration hashes before its transaction); later hashes run. */
function holdNextHash() {
  const hash = h.deps.hasher.hash;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const started = new Promise<void>((r) => (entered = r));
  h.deps.hasher.hash = async (password) => {
    h.deps.hasher.hash = hash;
    entered();
    await gate;
    return hash(password);
  };
  return { started, release };
}

describe(`Idempotency-Key on create endpoints (${backend})`, () => {
  it('a retry with the same key answers the first answer: one account, the same status, body and cookie, a working session', async () => {
    const body = await registration('idem_same_1');
    const key = randomUUID();
    const first = await register(body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await register(body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.headers.get('set-cookie')).toBe(first.headers.get('set-cookie'));
    expect(await accountsNamed('idem_same_1')).toBe(1);
    // the replayed cookie is a live session of that account
    const session = await h.request('/v1/session', { cookie: cookieFrom(again.headers.get('set-cookie')) });
    expect(session.status).toBe(200);
    expect(session.json.account.id).toBe(first.json.account.id);
  });

  it('without the header nothing changes: a second request runs again', async () => {
    const body = await registration('idem_none_1');
    expect((await register(body, undefined)).status).toBe(201);
    const again = await register(body, undefined);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await accountsNamed('idem_none_1')).toBe(1);
  });

  it('20 concurrent requests with one key register once; the others answer the same or idempotency_in_progress, never 5xx', async () => {
    const body = await registration('idem_burst_1');
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => register(body, key)));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const a of created) expect(a.text).toBe(created[0].text);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect(a.status).toBe(409);
      expect(a.json.error.code).toBe('idempotency_in_progress');
      expect(a.headers.get('retry-after')).toBe('1');
    }
    expect(await accountsNamed('idem_burst_1')).toBe(1);
    // settled: a retry now gets the answer
    const late = await register(body, key);
    expect(late.status).toBe(201);
    expect(late.text).toBe(created[0].text);
  });

  it('answers 409 idempotency_in_progress with Retry-After while the first request runs', async () => {
    const body = await registration('idem_slow_1');
    const key = randomUUID();
    const held = holdNextHash();
    const first = register(body, key);
    await held.started;
    const meanwhile = await register(body, key);
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.json.error).toMatchObject({
      code: 'idempotency_in_progress',
      message: 'Still in progress. Try again shortly.',
    });
    expect(meanwhile.headers.get('retry-after')).toBe('1');
    // another request with the running key is refused as such, running or not
    expect((await register({ ...body, accountName: 'idem_slow_2' }, key)).json.error.code).toBe(
      'idempotency_key_reused',
    );
    held.release();
    expect((await first).status).toBe(201);
    expect((await register(body, key)).headers.get('idempotent-replayed')).toBe('true');
    expect(await accountsNamed('idem_slow_1')).toBe(1);
  });

  it('refuses the same key with another body: 422 idempotency_key_reused, nothing created', async () => {
    const key = randomUUID();
    expect((await register(await registration('idem_reuse_a'), key)).status).toBe(201);
    const other = await register(await registration('idem_reuse_b'), key);
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('idempotency_key_reused');
    expect(await accountsNamed('idem_reuse_b')).toBe(0);
  });

  it("keys are per tenant: another tenant's identical key is another key", async () => {
    const key = randomUUID();
    expect((await register(await registration('idem_tenant_1'), key)).status).toBe(201);
    const onB = await register(await registration('idem_tenant_1', { pk: other.publishableKey }), key, {
      pk: other.publishableKey,
    });
    expect(onB.status).toBe(201);
    expect(onB.headers.get('idempotent-replayed')).toBeNull();
    expect(await accountsNamed('idem_tenant_1', other.id)).toBe(1);
    expect(await accountsNamed('idem_tenant_1')).toBe(1);
  });

  it('refuses a key that is empty, too long or not printable ASCII with 400 idempotency_key_invalid, and runs nothing', async () => {
    const body = await registration('idem_badkey_1');
    for (const key of ['', 'k'.repeat(256), 'tab\there', 'caf\u00e9']) {
      const res = await register(body, key);
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'idempotency_key_invalid', message: 'Invalid Idempotency-Key.' });
    }
    expect(await accountsNamed('idem_badkey_1')).toBe(0);
    // 255 printable characters, spaces included, are a key
    expect((await register(body, `${'~ '.repeat(127)}x`)).status).toBe(201);
  });

  it('replays a 4xx as the same 4xx, without running (or counting) it again', async () => {
    const body = await registration('idem_wrong_1');
    const wrong = { ...body, code: String((Number(body.code) + 1) % 1_000_000).padStart(6, '0') };
    const key = randomUUID();
    const first = await register(wrong, key);
    expect(first.status).toBe(400);
    expect(first.json.error.code).toBe('code_invalid');
    const again = await register(wrong, key);
    expect(again.status).toBe(400);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const attempts = await h.db
      .selectFrom('verification_codes')
      .select('attempts')
      .where('target', '=', `+86${body.phone.number}`)
      .executeTakeFirstOrThrow();
    expect(attempts.attempts).toBe(1);
    // the right code, a new attempt (new key), still registers
    expect((await register(body, randomUUID())).status).toBe(201);
  });

  it('keeps no 5xx: the reservation is let go and a retry runs again', async () => {
    const body = await registration('idem_fault_1');
    const key = randomUUID();
    const hash = h.deps.hasher.hash;
    h.deps.hasher.hash = async () => {
      throw new Error('hasher down');
    };
    try {
      expect((await register(body, key)).status).toBe(500);
    } finally {
      h.deps.hasher.hash = hash;
    }
    const retry = await register(body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('stores the answer sealed: neither the session token nor the cookie is in the table in clear', async () => {
    const key = randomUUID();
    const tokenBody = await registration('idem_sealed_1');
    const tokenMode = await register(tokenBody, key, { headers: { 'x-jd-session-mode': 'token' } });
    expect(tokenMode.status).toBe(201);
    const token = tokenMode.json.session.token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const cookieKey = randomUUID();
    const cookieMode = await register(await registration('idem_sealed_2'), cookieKey);
    const cookieValue = cookieFrom(cookieMode.headers.get('set-cookie')).split('=')[1];
    expect(cookieValue.length).toBeGreaterThan(30);
    const rows = await h.db.selectFrom('idempotency_keys').selectAll().where('key', 'in', [key, cookieKey]).execute();
    expect(rows.map((r) => [r.state, r.status_code])).toEqual([
      ['done', 201],
      ['done', 201],
    ]);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(cookieValue);
    expect(stored).not.toContain('idem_sealed_1');
    // unsealed for the replay: the same token again
    const replay = await register(tokenBody, key, { headers: { 'x-jd-session-mode': 'token' } });
    expect(replay.json.session.token).toBe(token);
  });

  it('a run abandoned past its lease (a crashed or stalled process) is run again by a retry; the late run stores nothing', async () => {
    const body = await registration('idem_crash_1');
    const key = randomUUID();
    const held = holdNextHash();
    const abandoned = register(body, key);
    await held.started;
    h.clock.advance(61);
    const retry = await register(body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    held.release();
    // the stalled run finishes late, after its code was used by the retry: its answer is not the key's
    expect((await abandoned).status).toBeGreaterThanOrEqual(400);
    const replay = await register(body, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(retry.text);
    expect(await accountsNamed('idem_crash_1')).toBe(1);
  });

  it('sub-users: a retry creates one sub-user and answers the same; the key is per account', async () => {
    const reg = await register(await registration('idem_primary_1'), undefined, {
      headers: { 'x-jd-session-mode': 'token' },
    });
    const token = reg.json.session.token as string;
    const create = (t: string, key: string, body: unknown) =>
      h.request('/v1/sub-users', { token: t, body, locale: 'en', headers: { 'idempotency-key': key } });
    const key = randomUUID();
    const body = { name: 'idem_sub', password: 'Sub#Pass2026' };
    const first = await create(token, key, body);
    expect(first.status).toBe(201);
    const again = await create(token, key, body);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await h.request('/v1/sub-users', { token })).json.subUsers).toHaveLength(1);
    // the same key and body from another primary account is that account's own request
    const otherPrimary = (
      await register(await registration('idem_primary_2'), undefined, { headers: { 'x-jd-session-mode': 'token' } })
    ).json.session.token as string;
    const theirs = await create(otherPrimary, key, body);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.json.id).not.toBe(first.json.id);
  });

  it('lost-device applications: a retry files one application and answers the same', async () => {
    const number = nextPhone();
    const u = await userWithMfa(h, { number, name: 'idem_lost_1' });
    await setRealName(h.deps, h.tenant.id, u.accountId, {
      type: 'personal',
      name: '张三',
      idNumber: '11010119900307123X',
    });
    const pending = (
      await h.request('/v1/sessions', {
        body: { identifier: u.name, password: u.password },
        headers: { 'x-jd-session-mode': 'token' },
      })
    ).json.session.token as string;
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
    const body = {
      type: 'personal',
      name: '张三',
      phone: { region: 'CN', number },
      idNumber: '11010119900307123X',
      idPhoto: { data: png },
    };
    const key = randomUUID();
    const apply = () =>
      h.request('/v1/mfa-recovery/applications', {
        token: pending,
        body,
        locale: 'en',
        headers: { 'idempotency-key': key },
      });
    const first = await apply();
    expect(first.status).toBe(201);
    const again = await apply();
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const mine = (await listApplications(h.db, postgresFileStore(h.db), h.tenant.id)).filter(
      (a) => a.accountId === u.accountId,
    );
    expect(mine).toHaveLength(1);
  });

  it('a request answered 503 by an outer deadline while it runs on: a retry gets its late answer, not a second run', async () => {
    // the shape of the app's request deadline (an outer middleware that answers 503 and drops the late
    // result), with a handler that finishes after it
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use('*', async (c, next) => {
      c.set('tenant', h.tenant);
      await next();
    });
    app.use('*', async (_c, next) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new AppError('service_unavailable')), 50)),
      );
      await Promise.race([next(), expired]).finally(() => clearTimeout(timer));
    });
    app.post(
      '/v1/things',
      async (_c, next) => next().finally(finished),
      idempotent(h.deps),
      async (c) => {
        await gate;
        return c.json({ run: ++runs }, 201);
      },
    );
    const key = randomUUID();
    const send = async () =>
      readAnswer(
        await app.request('/v1/things', {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
        }),
      );
    expect((await send()).status).toBe(503);
    release();
    await done;
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual({ run: 1 });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('lets browsers send the header (CORS) and documents it on the three operations (OpenAPI)', async () => {
    const preflight = await h.request('/v1/accounts', {
      method: 'OPTIONS',
      origin: ORIGIN,
      pk: null,
      headers: {
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, idempotency-key',
      },
    });
    expect(preflight.headers.get('access-control-allow-headers')?.split(', ')).toContain('idempotency-key');
    const doc = (await h.request('/openapi.json')).json;
    const takesKey = (path: string) =>
      (doc.paths[path].post.parameters as { name: string }[]).some((p) => p.name === 'idempotency-key');
    expect(['/v1/accounts', '/v1/sub-users', '/v1/mfa-recovery/applications', '/v1/sessions'].map(takesKey)).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('keeps an answer for 24 hours; then the key is new again, and the sweep deletes it', async () => {
    const body = await registration('idem_expiry_1');
    const key = randomUUID();
    expect((await register(body, key)).status).toBe(201);
    h.clock.advance(24 * 3600 - 1);
    expect((await register(body, key)).headers.get('idempotent-replayed')).toBe('true');
    h.clock.advance(2);
    const later = await register(body, key);
    // run again: refused by now (the code is used, the name taken), and no second account
    expect(later.status).toBeGreaterThanOrEqual(400);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(await accountsNamed('idem_expiry_1')).toBe(1);
    const count = async () =>
      Number(
        (await h.db.selectFrom('idempotency_keys').select(h.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow())
          .n,
      );
    const before = await count();
    h.clock.advance(24 * 3600 + 1);
    await sweepIdempotencyKeys(h.db, h.clock.now());
    expect(before).toBeGreaterThan(0);
    expect(await count()).toBe(0);
  });
});
