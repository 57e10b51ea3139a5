/**
 * Abuse protection across replicas (docs/security.md#abuse-protection-for-paid-messages): two real
 * BFF processes on one Postgres database, a burst split between them. The risk thresholds, the
 * daily message budget and the one use of a captcha ticket are rows in Postgres, so they hold
 * exactly however the requests are spread. Postgres only: PGlite lives inside one process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrateToLatest, type Db } from '../src/db/create.ts';
import { configureTenant, createTenant, type Tenant } from '../src/services/tenants.ts';
import { startFakeCaptcha, type FakeCaptcha } from './fakes/captcha.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.ts';

const SECRET = 'replica-test-secret-0123456789abcdef0123456789';
const url = process.env.DATABASE_URL;

interface Replica {
  proc: ChildProcess;
  base: string;
  output: string;
}

let scratch: ScratchDatabase;
let db: Db;
let fake: FakeCaptcha;
const replicas: Replica[] = [];

function startReplica(databaseUrl: string): Promise<Replica> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bff/src/main.ts'], {
    env: {
      ...env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      SKIP_WIDGET_BUILD: '1',
      OUTBOX_WORKER: '0',
      DEMO_UPSTREAM: 'off',
      TRUST_PROXY: '1',
      TENANT_CACHE_SECONDS: '0',
      CODES_DAILY_PER_IP: '1000000',
      JD_SECRET: SECRET,
      DATABASE_URL: databaseUrl,
      CAPTCHA_TURNSTILE_VERIFY_URL: fake.turnstileVerifyUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const replica: Replica = { proc, base: '', output: '' };
  proc.stdout.on('data', (d: Buffer) => (replica.output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (replica.output += d.toString()));
  return new Promise((resolve, reject) => {
    const until = Date.now() + 120_000;
    const timer = setInterval(() => {
      const m = replica.output.match(/listening on http:\/\/localhost:(\d+)\//);
      if (m) {
        clearInterval(timer);
        replica.base = `http://127.0.0.1:${m[1]}`;
        resolve(replica);
      } else if (proc.exitCode !== null || Date.now() > until) {
        clearInterval(timer);
        reject(new Error(`replica did not start:\n${replica.output}`));
      }
    }, 50);
  });
}

let seq = 0;
/** One code request through replica i % 2. */
async function sendCode(tenant: Tenant, i: number, o: { ip?: string; number?: string; captcha?: unknown } = {}) {
  const res = await fetch(`${replicas[i % 2].base}/v1/verification-codes`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-jd-publishable-key': tenant.publishableKey,
      'x-forwarded-for': o.ip ?? `198.19.${Math.floor(++seq / 250)}.${seq % 250}`,
    },
    body: JSON.stringify({
      phone: { region: 'CN', number: o.number ?? `139${String(++seq).padStart(8, '0')}` },
      purpose: 'register',
      channel: 'sms',
      ...(o.captcha ? { captcha: o.captcha } : {}),
    }),
  });
  const json = (await res.json()) as { error?: { code?: string } };
  return res.status === 202 ? '202' : `${res.status} ${json.error?.code}`;
}

const tally = (outcomes: string[]) =>
  outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});

async function tenantWith(slug: string, patch: Record<string, unknown>): Promise<Tenant> {
  const tenant = await createTenant(db, { slug, displayName: slug, origins: ['https://portal.acme.test'] });
  return configureTenant(db, tenant, patch, { secret: SECRET });
}

describe.skipIf(!url)('abuse protection across two BFF processes on one Postgres', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    fake = await startFakeCaptcha();
    scratch = await createScratchDatabase(url!, 'jd_replicas');
    db = createDb({ url: scratch.url, poolSize: 4 });
    await migrateToLatest(db);
    replicas.push(...(await Promise.all([startReplica(scratch.url), startReplica(scratch.url)])));
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) r.proc.kill('SIGKILL');
    await db?.destroy();
    await scratch?.drop().catch(() => {});
    await fake?.close();
  });

  it("one client's burst split over both replicas gets exactly the client threshold through", async () => {
    const tenant = await tenantWith('replicas-client', {
      abuse: { thresholds: { client: { challenge: 7, refuse: 7 }, phones: { challenge: 1000, refuse: 1000 } } },
    });
    const ip = '203.0.113.99';
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => sendCode(tenant, i, { ip })));
    expect(tally(outcomes)).toEqual({ '202': 7, '429 risk_refused': 33 });
  });

  it('the daily budget is spent exactly once across both replicas', async () => {
    const tenant = await tenantWith('replicas-budget', { abuse: { dailyBudget: 9 } });
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => sendCode(tenant, i)));
    expect(tally(outcomes)).toEqual({ '202': 9, '429 code_budget_exhausted': 31 });
    const queued = await db
      .selectFrom('outbox')
      .select(db.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow();
    expect(Number(queued.n)).toBe(9);
  });

  it('a captcha ticket sent to both replicas at once is taken once', async () => {
    const c = fake.credentials.turnstile;
    const tenant = await tenantWith('replicas-captcha', {
      captcha: { provider: 'turnstile', siteKey: c.siteKey, secretKey: c.secretKey, when: 'always' },
    });
    const captcha = { ticket: fake.issueTicket('turnstile') };
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => sendCode(tenant, i, { captcha })));
    expect(tally(outcomes)).toEqual({ '202': 1, '400 captcha_invalid': 9 });
  });
});
