/**
 * `npm run bench:scale`: the hot paths stay flat as data grows (docs/architecture.md).
 *
 *   1. two fresh databases, jd_scale_<timestamp>_small and _large (bench/harness.ts), migrated by the
 *      repo's migrator, and seeded set-based (bench/seed.ts): 1,000 tenants and 10,000 accounts spread
 *      evenly over them, each with its security phone, a security email for 60 %, three accepted
 *      agreements, two sessions, five audit events and, for one in ten, an MFA device; every
 *      account shares ONE real argon2id hash (made here at the BFF's cost), so any can sign in.
 *      The large one is then grown to 1,000,000 accounts in batches of 100,000.
 *   2. VACUUM ANALYZE and a checkpoint on each, so neither autovacuum nor a checkpoint runs while
 *      measuring; a BFF child process on each (the session memo off, SESSION_CACHE_MS=0, so every
 *      session check reads the database — the read whose cost could grow)
 *   3. autocannon on three paths, each request as another seeded user of another tenant (uniform
 *      over all seeded accounts of that database):
 *        sign-in           POST /v1/sessions (name + password, token mode)
 *        session check     GET /v1/session (bearer)
 *        security overview GET /v1/security (what <jd-security-settings> loads first)
 *      10 k and 1 M runs alternate (small, large, large, small, …), each repeated, the best figure
 *      kept: on a shared machine load drifts by minutes (a first version that measured 10 k, then
 *      seeded, then 1 M saw sign-in at 21 req/s and then 146 req/s as other work stopped)
 *   4. the recorded statements of the hot paths (bff/test/hot-paths.ts) EXPLAINed on each with the
 *      planner's defaults; a sequential scan of a table of 10,000 rows or more is a MISS
 * Then per path: BFF + Postgres CPU per request and p99 at both sizes, their ratio, PASS within 10 %.
 * Sign-in's CPU is mostly argon2 on the libuv pool: its "beyond the hash" figure is the BFF's main
 * thread plus Postgres. Postgres CPU counts the backends serving that database only.
 * Exit code is non-zero only when the bench itself failed, never on a MISS.
 *
 * Env: BENCH_SCALE_ACCOUNTS (default 1000000), BENCH_SCALE_SMALL (default 10000), BENCH_SCALE_TENANTS
 *      (default 1000), BENCH_SCALE_REPEATS (default 3), BENCH_SECONDS (default 10), BENCH_WARMUP_SECONDS
 *      (default 2), BENCH_CONNECTIONS (default 10), BENCH_DATABASE_URL (run there, as it is),
 *      BENCH_SCALE_SHARED_BUFFERS (default 1536MB, on huge pages when root; `none`: the loopback
 *      server as it is; see benchPostgres), BENCH_KEEP_DB=1 (leave
 *      the databases, and the cluster, for inspection).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { defaultTenantConfig } from '../shared/src/tenant.ts';
import { accountNameSkeleton } from '../shared/src/rules/account-name.ts';
import { loadConfig } from '../bff/src/config.ts';
import { sha256Hex } from '../bff/src/crypto.ts';
import { migrateToLatest } from '../bff/src/db/create.ts';
import { argon2Hasher } from '../bff/src/services/passwords.ts';
import { findTenantBySlug } from '../bff/src/services/tenants.ts';
import { explainSeqScans, recordHotPaths, recordingDb } from '../bff/test/hot-paths.ts';
import { createPgCluster, pgClusterAvailable } from '../bff/test/fakes/pg-cluster.ts';
import {
  cleanup,
  createBenchDatabase,
  envInt,
  fmt,
  freePort,
  onDatabase,
  httpRun,
  onCleanup,
  ROOT,
  startBff,
  type Bff,
  type HttpRun,
  type RotatingRequest,
} from './harness.ts';
import {
  seedAccountName,
  seedAccounts,
  seedHasMfa,
  seedPublishableKey,
  seedSessionToken,
  seedTenantNumber,
  seedTenants,
} from './seed.ts';

const LARGE = envInt('BENCH_SCALE_ACCOUNTS', 1_000_000);
const SMALL = envInt('BENCH_SCALE_SMALL', 10_000);
const TENANTS = envInt('BENCH_SCALE_TENANTS', 1000);
const SECONDS = envInt('BENCH_SECONDS', 10);
const WARMUP_SECONDS = envInt('BENCH_WARMUP_SECONDS', 2);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10);
/** each run is repeated and the best figure kept: the machine's other work only ever adds to one */
const REPEATS = envInt('BENCH_SCALE_REPEATS', 3);
/** accounts seeded per transaction while growing (progress is logged per batch) */
const BATCH = 100_000;
/** "within 10 % of each other" */
const TOLERANCE = 1.1;
/** below this many rows a sequential scan is the planner's right choice (a page or two), not a plan that grows */
const SCAN_ROWS_LIMIT = 10_000;
const PASSWORD = 'Scale#2468xyz';

const log = (msg: string) => console.log(`[bench:scale] ${msg}`);
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** A small deterministic PRNG (mulberry32): the same users are drawn on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One path at one size: its repeated runs and the best of each figure over them. */
interface PathResult {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** BFF (all threads) + Postgres CPU ms per request */
  cpuMs: number;
  bffMs: number;
  postgresMs: number;
  /** the BFF's main thread + Postgres: all but the argon2 hash, which runs on the libuv pool */
  beyondHashMs: number;
  /** shared-buffer hits and reads per request, of the run with the least CPU */
  blocks: HttpRun['blocksPerRequest'];
  flagged: boolean;
  runs: HttpRun[];
}

function best(name: string, runs: HttpRun[]): PathResult {
  const min = (f: (r: HttpRun) => number) => Math.min(...runs.map(f));
  return {
    name,
    rps: Math.max(...runs.map((r) => r.rps)),
    p50Ms: min((r) => r.p50Ms),
    p99Ms: min((r) => r.p99Ms),
    cpuMs: min((r) => r.cpuMsPerRequest.total),
    bffMs: min((r) => r.cpuMsPerRequest.bff),
    postgresMs: min((r) => r.cpuMsPerRequest.postgres),
    beyondHashMs: min((r) => r.cpuMsPerRequest.bffMain + r.cpuMsPerRequest.postgres),
    blocks: runs.reduce((a, b) => (b.cpuMsPerRequest.total < a.cpuMsPerRequest.total ? b : a)).blocksPerRequest,
    flagged: runs.some((r) => r.flagged),
    runs,
  };
}

interface Stage {
  accounts: number;
  seedSeconds: number;
  signIn: PathResult;
  session: PathResult;
  overview: PathResult;
  statements: number;
  scans: { table: string; rows: number; sql: string; miss: boolean }[];
}

type Sizes = { table: string; rows: string; size: string }[];

/** One seeded database and the BFF on it. */
interface Seeded {
  accounts: number;
  name: string;
  url: string;
  adminUrl: string;
  pool: pg.Pool;
  db: ReturnType<typeof recordingDb>['db'];
  recorder: ReturnType<typeof recordingDb>['recorder'];
  seedSeconds: number;
  sizes: Sizes;
  bff?: Bff;
}

/**
 * The Postgres the bench runs on. BENCH_DATABASE_URL's, as it is, when given. Otherwise a throwaway
 * cluster of the machine's server binaries (bff/test/fakes/pg-cluster.ts) sized as
 * docs/operating.md says to size a server for the 1 M accounts' hot working set:
 * shared_buffers BENCH_SCALE_SHARED_BUFFERS (default 1536MB) on huge pages, every other setting at
 * its default, removed at the end. On 4 KiB pages the same buffers made a session check at 1 M cost
 * 1.56 × as much as at 10 k with every block a buffer hit: the cost of reaching the memory, not
 * more work (docs/benchmarks.md#scale-10-k-to-1-m-accounts). Reserving huge pages takes root
 * (vm.nr_hugepages); without it the cluster runs on 4 KiB pages and the bench says so.
 * BENCH_SCALE_SHARED_BUFFERS=none runs on the loopback server as it is.
 */
let postgresUsed = '';
async function benchPostgres(): Promise<string> {
  const given = process.env.BENCH_DATABASE_URL;
  const sharedBuffers = process.env.BENCH_SCALE_SHARED_BUFFERS ?? '1536MB';
  if (given) return 'BENCH_DATABASE_URL, as it is';
  if (sharedBuffers === 'none') return 'the loopback server, as it is';
  if (!pgClusterAvailable()) {
    log('no PostgreSQL server binaries to start a sized cluster: the loopback server, as it is');
    return 'the loopback server, as it is (no server binaries for a sized cluster)';
  }
  const port = await freePort();
  const cluster = createPgCluster(
    port,
    { shared_buffers: sharedBuffers, max_connections: '100', huge_pages: 'on' },
    { start: false },
  );
  // registered first: initdb made its directory, and a failed sizing or start must not leave it (or the pages)
  let releasePages = () => {};
  onCleanup(async () => {
    if (process.env.BENCH_KEEP_DB === '1') return log(`kept the cluster on port ${port} (and its huge pages)`);
    cluster.destroy();
    releasePages();
    log(`stopped and removed the cluster on port ${port}`);
  });
  const pages = reserveHugePages(Number(cluster.show('shared_memory_size_in_huge_pages')));
  releasePages = () => pages.release();
  if (!pages.reserved) cluster.settings.huge_pages = 'off';
  cluster.start();
  // harness.createBenchDatabase reads it: every database of this run is made on the cluster
  process.env.BENCH_DATABASE_URL = cluster.url;
  return `a throwaway cluster on port ${port}, shared_buffers ${sharedBuffers}, ${pages.reserved ? `on ${pages.reserved} huge pages` : `on 4 KiB pages (${pages.why})`}`;
}

/**
 * Adds `needed` 2 MiB pages to the kernel's huge-page pool (vm.nr_hugepages) for the cluster, and
 * gives them back with release(). Refuses, with the reason, when the process is not root, the
 * kernel has no huge pages, or it could not find that much contiguous memory.
 */
function reserveHugePages(needed: number): { reserved: number; why?: string; release: () => void } {
  const pool = '/proc/sys/vm/nr_hugepages';
  const refused = (why: string) => ({ reserved: 0, why, release: () => {} });
  if (!(needed > 0)) return refused('the server reports no huge-page size here');
  if (process.getuid?.() !== 0) return refused('reserving huge pages takes root');
  let before: number;
  try {
    before = Number(readFileSync(pool, 'utf8'));
    writeFileSync(pool, String(before + needed));
  } catch (err) {
    return refused(`vm.nr_hugepages could not be written: ${(err as Error).message}`);
  }
  const release = () => writeFileSync(pool, String(before));
  const got = Number(readFileSync(pool, 'utf8')) - before;
  if (got < needed) {
    release();
    return refused(`the kernel found ${got} of ${needed} huge pages`);
  }
  log(`reserved ${needed} huge pages (vm.nr_hugepages ${before} -> ${before + needed})`);
  return { reserved: needed, release };
}

async function main() {
  const started = new Date();
  postgresUsed = await benchPostgres();
  log(`Postgres: ${postgresUsed}`);
  const config = loadConfig({ ...process.env, NODE_ENV: undefined });
  log(
    `${fmt(SMALL)} and ${fmt(LARGE)} accounts over ${fmt(TENANTS)} tenants; ${REPEATS} x ${SECONDS} s per path and size after ${WARMUP_SECONDS} s warm-up, ` +
      `${CONNECTIONS} connections; ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'})`,
  );
  const t0 = performance.now();
  const passwordHash = await argon2Hasher(config.argon2).hash(PASSWORD);
  log(
    `one argon2id hash (m=${config.argon2.memoryCost} KiB, t=${config.argon2.timeCost}) in ${seconds(t0).toFixed(2)} s, shared by every seeded account`,
  );

  /** A new database seeded with `accounts` accounts: SMALL first, then grown in batches. */
  const seeded = async (label: string, accounts: number): Promise<Seeded> => {
    const database = await createBenchDatabase(`jd_scale_${label}`, log);
    const [{ shared_buffers: sharedBuffers }] = await onDatabase<{ shared_buffers: string }>(
      database.adminUrl,
      'show shared_buffers',
    );
    log(`database ${database.name} (PostgreSQL ${database.serverVersion}, shared_buffers ${sharedBuffers})`);
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const { db, recorder } = recordingDb(pool);
    onCleanup(() => db.destroy());
    let t = performance.now();
    await migrateToLatest(db);
    log(`migrated in ${seconds(t).toFixed(1)} s`);
    // on one connection, without waiting for each commit to reach the disk (a crash loses the bench database only)
    const seeder = await pool.connect();
    try {
      await seeder.query('set synchronous_commit = off');
      const q = (text: string, values?: unknown[]) => seeder.query(text, values);
      t = performance.now();
      await seedTenants(q, TENANTS, defaultTenantConfig('Scale'));
      for (let lo = 1; lo <= accounts; lo = lo <= SMALL ? SMALL + 1 : lo + BATCH) {
        const hi = lo <= SMALL ? Math.min(SMALL, accounts) : Math.min(accounts, lo + BATCH - 1);
        const tb = performance.now();
        await q('begin');
        await seedAccounts(q, {
          from: lo,
          to: hi,
          tenants: TENANTS,
          passwordHash,
          idleSeconds: config.session.idleSeconds,
          absoluteSeconds: config.session.absoluteSeconds,
        });
        await q('commit');
        log(`  ${label}: accounts ${fmt(lo)}–${fmt(hi)} in ${seconds(tb).toFixed(1)} s`);
      }
      const seedSeconds = seconds(t);
      log(
        `${label}: ${fmt(TENANTS)} tenants and ${fmt(accounts)} accounts seeded in ${seedSeconds.toFixed(1)} s (${fmt(accounts / seedSeconds)} accounts/s)`,
      );
      await checkSeed(q);
      t = performance.now();
      await q('vacuum (analyze)');
      await q('checkpoint');
      log(`${label}: VACUUM ANALYZE + CHECKPOINT in ${seconds(t).toFixed(1)} s`);
      const { rows: sizes } = await q(
        `select relname as table, reltuples::bigint::text as rows, pg_size_pretty(pg_total_relation_size(oid)) as size
         from pg_class where relname in ('accounts', 'account_contacts', 'consents', 'sessions', 'audit_events', 'mfa_devices', 'tenants')
         order by pg_total_relation_size(oid) desc`,
      );
      log(`${label}: ${(sizes as Sizes).map((r) => `${r.table} ${fmt(Number(r.rows))} rows ${r.size}`).join('; ')}`);
      return {
        accounts,
        name: database.name,
        url: database.url,
        adminUrl: database.adminUrl,
        pool,
        db,
        recorder,
        seedSeconds,
        sizes: sizes as Sizes,
      };
    } finally {
      seeder.release();
    }
  };

  const small = await seeded('small', SMALL);
  const large = await seeded('large', LARGE);

  /** Each request as a seeded user (deterministic draw), of that user's tenant. */
  const workload = (s: Seeded) => {
    const random = prng(s.accounts);
    const draw = (ok: (n: number) => boolean = () => true) => {
      for (;;) {
        const n = 1 + Math.floor(random() * s.accounts);
        if (ok(n)) return n;
      }
    };
    // an account with MFA would stop at the code step: sign-in draws from the others
    const signInUsers = Array.from({ length: 5000 }, () => draw((n) => !seedHasMfa(n)));
    const sessionUsers = Array.from({ length: 5000 }, () => draw());
    const sessionHashes = sessionUsers.map((n) => sha256Hex(seedSessionToken(n, 1)));
    const sessionTenants = sessionUsers.map((n) => seedTenantNumber(n, TENANTS));
    let i = 0;
    const key = (n: number) => seedPublishableKey(seedTenantNumber(n, TENANTS));
    const bearer = (): RotatingRequest['next'] => () => {
      const n = sessionUsers[i++ % sessionUsers.length];
      return { headers: { 'x-jd-publishable-key': key(n), authorization: `Bearer ${seedSessionToken(n, 1)}` } };
    };
    const requests: Record<'signIn' | 'session' | 'overview', RotatingRequest> = {
      signIn: {
        method: 'POST',
        path: '/v1/sessions',
        next: () => {
          const n = signInUsers[i++ % signInUsers.length];
          return {
            headers: {
              'x-jd-publishable-key': key(n),
              'content-type': 'application/json',
              'x-jd-session-mode': 'token',
            },
            body: JSON.stringify({ identifier: seedAccountName(n), password: PASSWORD }),
          };
        },
      },
      session: { method: 'GET', path: '/v1/session', next: bearer() },
      overview: { method: 'GET', path: '/v1/security', next: bearer() },
    };
    // seen just now: no check writes its sliding expiry (at most once a minute) during a run
    const touch = () =>
      s.pool.query(
        `update sessions s set last_seen_at = now()
         from unnest($1::int[], $2::text[]) as u(t, h)
         where s.tenant_id = md5('jd-scale-tenant:' || u.t)::uuid and s.id_hash = u.h`,
        [sessionTenants, sessionHashes],
      );
    return { requests, touch };
  };

  for (const s of [small, large])
    s.bff = await startBff(
      s.url,
      // the attempt limits would rightly hold a load test back (docs/security.md#attempt-limits);
      // the session memo would answer repeated checks without the database read being measured
      { RATE_LIMIT_FACTOR: '1000', SESSION_CACHE_MS: '0' },
      log,
    );
  const work = new Map([small, large].map((s) => [s, workload(s)]));
  const opts = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, log };
  const results = new Map<Seeded, Partial<Record<'signIn' | 'session' | 'overview', PathResult>>>([
    [small, {}],
    [large, {}],
  ]);
  const paths = [
    ['signIn', 'sign-in'],
    ['session', 'session check'],
    ['overview', 'security overview'],
  ] as const;
  try {
    for (const [path, name] of paths) {
      const runs = new Map<Seeded, HttpRun[]>([
        [small, []],
        [large, []],
      ]);
      for (let i = 1; i <= REPEATS; i++) {
        for (const s of i % 2 ? [small, large] : [large, small]) {
          const w = work.get(s)!;
          if (path !== 'signIn') await w.touch();
          const target = { bff: s.bff!, adminUrl: s.adminUrl, database: s.name };
          runs
            .get(s)!
            .push(await httpRun(`${name} @${fmt(s.accounts)} (${i}/${REPEATS})`, target, w.requests[path], opts));
        }
      }
      for (const s of [small, large]) results.get(s)![path] = best(name, runs.get(s)!);
    }
  } catch (e) {
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}\nBFF output (small):\n${small.bff?.output()}\nBFF output (large):\n${large.bff?.output()}`,
      { cause: e },
    );
  }
  for (const s of [small, large]) await s.bff?.stop();

  const stages: Stage[] = [];
  for (const s of [small, large]) {
    // the statements of the hot paths, for a new user of a seeded tenant, planned on this data
    const tenant = await findTenantBySlug(s.db, 'scale-0001');
    if (!tenant) throw new Error('the seeded tenant scale-0001 is missing');
    const statements = await recordHotPaths(s.db, s.recorder, tenant, {
      number: '13900000001',
      accountName: 'explain_user',
      password: PASSWORD,
    });
    const scans = (await explainSeqScans(s.pool, statements, { seqscanOff: false })).map((x) => ({
      ...x,
      miss: x.rows >= SCAN_ROWS_LIMIT,
    }));
    log(
      `@${fmt(s.accounts)}: EXPLAIN of ${statements.length} hot statements: ${scans.length} sequential scan(s)` +
        scans
          .map((x) => `\n    ${x.miss ? 'MISS' : 'small'} ${x.table} (${fmt(x.rows)} rows): ${x.sql.slice(0, 140)}`)
          .join(''),
    );
    const r = results.get(s)!;
    stages.push({
      accounts: s.accounts,
      seedSeconds: s.seedSeconds,
      signIn: r.signIn!,
      session: r.session!,
      overview: r.overview!,
      statements: statements.length,
      scans,
    });
  }
  report(stages, started, large.sizes);
}

/** The SQL skeleton of bench/seed.ts must be accountNameSkeleton's, or sign-in by name would look in the wrong place. */
async function checkSeed(q: (text: string, values?: unknown[]) => Promise<pg.QueryResult>) {
  const { rows } = await q(`select account_name, account_name_skeleton from accounts order by account_name limit 200`);
  const wrong = (rows as { account_name: string; account_name_skeleton: string }[]).filter(
    (r) => accountNameSkeleton(r.account_name) !== r.account_name_skeleton,
  );
  if (wrong.length)
    throw new Error(`seed: skeletons differ from accountNameSkeleton: ${JSON.stringify(wrong.slice(0, 3))}`);
}

function report(stages: Stage[], started: Date, sizes: { table: string; rows: string; size: string }[]) {
  const [small, large] = stages;
  const row = (cells: string[], widths: number[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const widths = [18, 10, 8, 8, 9, 8, 8, 8, 9, 16];
  console.log('');
  console.log(`best of ${REPEATS} runs each; CPU ms per request (BFF all threads, Postgres backends of this database)`);
  console.log(
    row(['run', 'accounts', 'req/s', 'p50 ms', 'p99 ms', 'BFF', 'PG', 'CPU', 'w/o hash', 'blocks hit/read'], widths),
  );
  console.log('-'.repeat(widths.reduce((a, b) => a + b + 2, -2)));
  for (const s of stages)
    for (const r of [s.signIn, s.session, s.overview])
      console.log(
        row(
          [
            r.name,
            fmt(s.accounts),
            fmt(r.rps),
            r.p50Ms.toFixed(2),
            r.p99Ms.toFixed(2),
            r.bffMs.toFixed(3),
            r.postgresMs.toFixed(3),
            r.cpuMs.toFixed(3),
            r.beyondHashMs.toFixed(3),
            `${r.blocks.hit.toFixed(1)}/${r.blocks.read.toFixed(1)}`,
          ],
          widths,
        ) + (r.flagged ? '  FLAGGED: non-2xx/errors' : ''),
      );

  type Verdict = 'PASS' | 'MISS';
  const targets: { target: string; measured: string; result: Verdict }[] = [];
  const compare = (what: string, a: number, b: number, flagged: boolean) => {
    const ratio = b / a;
    targets.push({
      target: `${what} at ${fmt(large.accounts)} <= ${TOLERANCE}x ${fmt(small.accounts)}`,
      measured: `${a.toFixed(3)} -> ${b.toFixed(3)} ms (x${ratio.toFixed(2)})`,
      result: ratio <= TOLERANCE && !flagged ? 'PASS' : 'MISS',
    });
  };
  for (const [a, b] of [
    [small.signIn, large.signIn],
    [small.session, large.session],
    [small.overview, large.overview],
  ] as const) {
    const flagged = a.flagged || b.flagged;
    compare(`${a.name} CPU/req`, a.cpuMs, b.cpuMs, flagged);
    if (a === small.signIn) compare('sign-in CPU/req beyond the hash', a.beyondHashMs, b.beyondHashMs, flagged);
    compare(`${a.name} p99`, a.p99Ms, b.p99Ms, flagged);
  }
  for (const s of stages) {
    const misses = s.scans.filter((x) => x.miss);
    targets.push({
      target: `no seq scan of a table >= ${fmt(SCAN_ROWS_LIMIT)} rows at ${fmt(s.accounts)}`,
      measured: misses.length
        ? misses.map((m) => `${m.table} (${fmt(m.rows)} rows)`).join(', ')
        : `none in ${s.statements} statements${s.scans.length ? ` (${s.scans.length} on small tables)` : ''}`,
      result: misses.length ? 'MISS' : 'PASS',
    });
  }
  console.log('');
  for (const t of targets) console.log(`${t.result.padEnd(5)} ${t.target.padEnd(52)} ${t.measured}`);
  console.log(
    `seeding: ${fmt(small.accounts)} accounts in ${small.seedSeconds.toFixed(1)} s; ${fmt(large.accounts)} (the first ${fmt(small.accounts)}, then batches of ${fmt(BATCH)}) in ${large.seedSeconds.toFixed(1)} s`,
  );

  const results = {
    startedAt: started.toISOString(),
    postgres: postgresUsed,
    finishedAt: new Date().toISOString(),
    environment: {
      node: process.version,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? null,
      tenants: TENANTS,
      seconds: SECONDS,
      repeats: REPEATS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      note: 'autocannon, the BFF and Postgres share the machine; each request acts as a random seeded user; session memo off',
    },
    tables: sizes,
    stages,
    targets,
  };
  const dir = resolve(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'scale-latest.json'), JSON.stringify(results, null, 2) + '\n');
  log('wrote bench/results/scale-latest.json');
}

try {
  await main();
} catch (e) {
  console.error('[bench:scale] FAILED:', e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
