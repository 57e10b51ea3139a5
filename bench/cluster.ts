/**
 * `npm run bench:cluster`: what the replicas-and-pooler layout (scripts/cluster.ts, docs/operating.md
 * "Replicas and a pooler") serves on this machine: session checks, sign-ins and code sends through
 * HAProxy and PgBouncer, and code sends for one tenant against ten (a tenant's codes share its
 * region counter and its daily budget row). Closed-loop clients with fetch, so the figures are
 * relative: compare within one run.
 *
 * Env: BENCH_DATABASE_URL / DATABASE_URL (the Postgres server; a scratch database is created and
 * dropped), BENCH_SECONDS (per run, default 8), BENCH_CONNECTIONS (default 20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterUnavailable, startCluster } from '../scripts/cluster.ts';
import { createDb, migrateToLatest } from '../bff/src/db/create.ts';
import { readDevOutbox } from '../bff/src/delivery/outbox.ts';
import { createTenant, updateTenantConfig, type Tenant } from '../bff/src/services/tenants.ts';
import { createScratchDatabase } from '../bff/test/scratch-db.ts';
import { AGREEMENTS, LIFTED_ABUSE_LIMITS } from '../bff/test/harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8) || 8;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20) || 20;
const server =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const why = clusterUnavailable();
if (why) {
  console.log(`bench:cluster skipped: ${why}`);
  process.exit(0);
}

const scratch = await createScratchDatabase(server, 'jd_bench_cluster');
const db = createDb({ url: scratch.url, poolSize: 2 });
const dir = mkdtempSync(join(tmpdir(), 'jd-bench-cluster-'));
await migrateToLatest(db);
const tenants: Tenant[] = [];
for (let t = 0; t < 10; t++) {
  const tenant = await createTenant(db, {
    slug: `bench${t}`,
    displayName: `Bench ${t}`,
    origins: ['https://bench.test'],
  });
  // one machine sends everything: the risk thresholds would see one client
  tenants.push(await updateTenantConfig(db, tenant, { abuse: LIFTED_ABUSE_LIMITS }));
}
const cluster = await startCluster({
  databaseUrl: scratch.url,
  dir,
  env: {
    NODE_ENV: 'development',
    JD_SECRET: 'bench-cluster-secret-0123456789abcdef0123456789',
    TRUST_PROXY: '2',
    CODES_DAILY_PER_IP: '1000000000',
    RATE_LIMIT_FACTOR: '10000',
    OUTBOX_WORKER: '0',
    LOG_LEVEL: 'warn',
  },
});

let seq = 0;
const ipOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
function headers(t: Tenant, n: number, token?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-jd-publishable-key': t.publishableKey,
    'x-jd-session-mode': 'token',
    'x-forwarded-for': ipOf(n),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

async function loop(label: string, request: (n: number) => Promise<Response>, expect: number) {
  const until = Date.now() + SECONDS * 1000;
  let ok = 0;
  const other = new Map<number, number>();
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < until) {
        const started = performance.now();
        const res = await request(++seq);
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        if (res.status === expect) ok++;
        else other.set(res.status, (other.get(res.status) ?? 0) + 1);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(1);
  console.log(
    `${label.padEnd(34)} ${(ok / SECONDS).toFixed(0).padStart(6)}/s  p50 ${p(0.5).padStart(7)} ms  p99 ${p(0.99).padStart(7)} ms${other.size ? `  (other answers: ${[...other].map(([status, n]) => `${n} × ${status}`).join(', ')})` : ''}`,
  );
}

const sendCode = (t: Tenant, n: number) =>
  fetch(`${cluster.url}/v1/verification-codes`, {
    method: 'POST',
    headers: headers(t, n),
    body: JSON.stringify({
      phone: { region: 'CN', number: `13${String(n % 10).repeat(2)}${String(n).padStart(7, '0')}` },
      purpose: 'register',
      channel: 'sms',
    }),
  });

// one account to sign in with and a session to check
const number = '13912345678';
await (await sendCode(tenants[0], 0)).arrayBuffer();
const phoneCode = await fetch(`${cluster.url}/v1/verification-codes`, {
  method: 'POST',
  headers: headers(tenants[0], 1),
  body: JSON.stringify({ phone: { region: 'CN', number }, purpose: 'register', channel: 'sms' }),
});
if (phoneCode.status !== 202) throw new Error(`code: ${phoneCode.status}`);
const [sent] = await readDevOutbox(db, { to: `+86${number}`, limit: 1 });
const registered = await fetch(`${cluster.url}/v1/accounts`, {
  method: 'POST',
  headers: headers(tenants[0], 1),
  body: JSON.stringify({
    accountName: 'bench_cluster',
    password: 'Bench#2026x',
    phone: { region: 'CN', number },
    code: sent.code,
    agreements: AGREEMENTS,
  }),
});
const { session } = (await registered.json()) as { session: { token: string } };

console.log(
  `jd-account bench:cluster — HAProxy → ${cluster.replicas.length} BFF → PgBouncer (transaction) → Postgres; ${CONNECTIONS} clients, ${SECONDS} s per run`,
);
try {
  await loop('warm-up (codes, 10 tenants)', (n) => sendCode(tenants[n % 10], n), 202);
  await loop(
    'session check (memo on)',
    (n) => fetch(`${cluster.url}/v1/session`, { headers: headers(tenants[0], n, session.token) }),
    200,
  );
  await loop(
    'password sign-in',
    (n) =>
      fetch(`${cluster.url}/v1/sessions`, {
        method: 'POST',
        headers: headers(tenants[0], n),
        body: JSON.stringify({ identifier: 'bench_cluster', password: 'Bench#2026x' }),
      }),
    200,
  );
  for (let rep = 0; rep < 2; rep++) {
    await loop('code sends, one tenant', (n) => sendCode(tenants[0], n), 202);
    await loop('code sends, ten tenants', (n) => sendCode(tenants[n % 10], n), 202);
  }
} finally {
  await cluster.stop();
  await db.destroy();
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}
