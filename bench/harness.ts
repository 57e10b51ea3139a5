/**
 * The pieces of a BFF benchmark on a real Postgres, for `npm run bench:scale` (bench/scale.ts):
 * a scratch database, the BFF as a child process on it, and an autocannon run that rotates its
 * requests and charges CPU to the BFF's threads and to the Postgres backends serving that
 * database only (Linux /proc), so other work on the machine's Postgres is not counted.
 * The same measurement as bench/run.ts; that script runs on import, so it cannot be imported.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

export const ROOT = resolve(import.meta.dirname, '..');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

// ---- cleanup ---------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}
/** Runs the cleanup steps once, last registered first. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (e) {
        console.error('[bench] cleanup step failed:', e);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`[bench] ${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- database --------------------------------------------------------------------------------

/** One statement on its own connection. */
export async function onDatabase<R extends object>(url: string, text: string, values?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A new database <prefix>_<timestamp> on the loopback Postgres of BENCH_DATABASE_URL / DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres), dropped at cleanup unless BENCH_KEEP_DB=1.
 */
export async function createBenchDatabase(
  prefix: string,
  log: (msg: string) => void,
): Promise<{ url: string; adminUrl: string; name: string; serverVersion: string }> {
  const adminUrl = new URL(
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(adminUrl.hostname)) {
    throw new Error(`the bench only talks to a Postgres on loopback, not ${adminUrl.hostname}`);
  }
  adminUrl.pathname = '/postgres';
  const name = `${prefix}_${Date.now()}`;
  const [version] = await onDatabase<{ server_version: string }>(adminUrl.href, 'show server_version');
  await onDatabase(adminUrl.href, `create database "${name}"`);
  onCleanup(async () => {
    if (process.env.BENCH_KEEP_DB === '1') return log(`kept database ${name}`);
    await onDatabase(adminUrl.href, `drop database if exists "${name}" with (force)`);
    log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl.href);
  url.pathname = `/${name}`;
  return { url: url.href, adminUrl: adminUrl.href, name, serverVersion: version.server_version };
}

// ---- the BFF child ---------------------------------------------------------------------------

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export interface Bff {
  base: string;
  pid: number;
  /** the last lines it wrote, for an error message */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * bff/src/main.ts in development mode on `databaseUrl`, with `env` on top of this process's
 * (`entry` another start-up file, e.g. bench/bff-floor.ts; `nodeArgs` flags for node).
 */
export async function startBff(
  databaseUrl: string,
  env: Record<string, string>,
  log: (msg: string) => void,
  { entry = 'bff/src/main.ts', nodeArgs = [] as string[] } = {},
): Promise<Bff> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
  childEnv.DATABASE_URL = databaseUrl;
  delete childEnv.NODE_ENV;
  delete childEnv.PGLITE_DIR;
  // the demo's upstream OpenID provider (in the BFF's process in development) is not what is measured
  childEnv.DEMO_UPSTREAM = 'off';
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const stopped = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exit;
      log('WARNING: the BFF did not exit within 10 s of SIGTERM; killed');
    }
  };
  onCleanup(stop);
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      if (/jd-account listening on /.test(text)) res(); // a JSON log line (bff/src/log.ts)
    });
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    void exit.then(() => rej(new Error(`BFF exited during start:\n${output.join('').slice(-4000)}`)));
    setTimeout(() => rej(new Error(`BFF did not start within 90 s:\n${output.join('').slice(-4000)}`)), 90_000).unref();
  });
  return { base: `http://127.0.0.1:${port}`, pid: child.pid!, output: () => output.join('').slice(-4000), stop };
}

// ---- CPU accounting --------------------------------------------------------------------------

const HZ = 100; // USER_HZ on Linux
/** A process's or thread's CPU seconds so far, from its /proc …/stat text: utime + stime. */
export function ticksOf(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / HZ;
}

/** The command name in a /proc …/stat text (a thread's name for a task). */
export const commOf = (stat: string) => stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));

/** CPU seconds so far of the BFF's main thread and of its other threads (Linux /proc). */
function bffCpu(bffPid: number) {
  const out = { bffMain: 0, bffThreads: 0 };
  for (const tid of readdirSync(`/proc/${bffPid}/task`)) {
    const stat = readFileSync(`/proc/${bffPid}/task/${tid}/stat`, 'utf8');
    if (Number(tid) === bffPid) out.bffMain += ticksOf(stat);
    else out.bffThreads += ticksOf(stat);
  }
  return out;
}

/**
 * The CPU seconds of a database's Postgres backends (found by their process titles: "postgres:
 * [15/main:] <user> <database> <client> <state>") and of Postgres's background processes, summed
 * over every process seen since the tracker started, each at its last reading. A backend's CPU
 * leaves /proc with it, and the BFF's pool closes connections idle for a while (fewer are busy
 * during sign-in than during the session checks before it): summing only the living made a run's
 * Postgres CPU negative, and counting only the backends alive at both ends lost those that closed.
 * Read every 250 ms until `stop`: a closed backend's last quarter second at most goes uncounted.
 */
export function trackPostgresCpu(database: string) {
  const seen = new Map<string, { backend: boolean; seconds: number }>();
  const read = () => {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!commOf(stat).startsWith('postgres')) continue;
        const id = `${pid}@${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`; // pid and start time
        const known = seen.get(id);
        if (known) {
          known.seconds = ticksOf(stat);
          continue;
        }
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (title.includes(` ${database} `)) seen.set(id, { backend: true, seconds: ticksOf(stat) });
        else if (!/\d\)|\[local\]/.test(title)) seen.set(id, { backend: false, seconds: ticksOf(stat) }); // no client: a background process
      } catch {
        // gone meanwhile
      }
    }
    let backends = 0;
    let shared = 0;
    for (const p of seen.values()) {
      if (p.backend) backends += p.seconds;
      else shared += p.seconds;
    }
    return { backends, shared };
  };
  const timer = setInterval(read, 250).unref();
  read();
  return { read, stop: () => clearInterval(timer) };
}

/** The database's block counters: found in shared buffers, read from outside them. */
async function blocks(adminUrl: string, database: string): Promise<{ hit: number; read: number }> {
  const [row] = await onDatabase<{ hit: string; read: string }>(
    adminUrl,
    'select blks_hit as hit, blks_read as read from pg_stat_database where datname = $1',
    [database],
  );
  return { hit: Number(row?.hit ?? 0), read: Number(row?.read ?? 0) };
}

// ---- autocannon ------------------------------------------------------------------------------

export interface HttpRun {
  name: string;
  method: string;
  path: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  /** exact percentiles of every 2xx response's latency */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  flagged: boolean;
  /** CPU ms per request: the BFF's main thread, all its threads (argon2's pool among them), the database's backends */
  cpuMsPerRequest: { bffMain: number; bff: number; postgres: number; total: number };
  /**
   * 8 KiB blocks per request the database found in Postgres's shared buffers (hit) or had to read
   * from the OS (read: its page cache, or the disk) — pg_stat_database, flushed by backends about
   * once a second, so approximate
   */
  blocksPerRequest: { hit: number; read: number };
  loadAverageBefore: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function cannon(
  opts: autocannon.Options,
  onResponse?: (status: number, ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise((res, rej) => {
    const instance = autocannon(opts, (err, result) =>
      err ? rej(err instanceof Error ? err : new Error(String(err))) : res(result),
    );
    if (onResponse)
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) =>
        onResponse(statusCode, responseTime),
      );
  });
}

export interface RotatingRequest {
  method: 'GET' | 'POST';
  path: string;
  /** a new request's headers and body: called for every request, so each can act as another user */
  next: () => { headers: Record<string, string>; body?: string };
}

export async function httpRun(
  name: string,
  target: { bff: Bff; adminUrl: string; database: string },
  req: RotatingRequest,
  o: { seconds: number; warmupSeconds: number; connections: number; log: (msg: string) => void },
): Promise<HttpRun> {
  const url = target.bff.base + req.path;
  const opts: autocannon.Options = {
    url,
    method: req.method,
    connections: o.connections,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        method: req.method,
        setupRequest: (r) => {
          const { headers, body } = req.next();
          return { ...r, headers, ...(body !== undefined ? { body } : {}) };
        },
      },
    ],
  };
  // one request must succeed before anything is measured
  const first = req.next();
  const probe = await fetch(url, { method: req.method, headers: first.headers, body: first.body });
  if (!probe.ok) throw new Error(`${name}: probe got ${probe.status}: ${(await probe.text()).slice(0, 300)}`);

  o.log(`${name}: warm-up ${o.warmupSeconds} s`);
  await cannon({ ...opts, duration: o.warmupSeconds });
  o.log(`${name}: measuring ${o.seconds} s, ${o.connections} connections`);
  const loadAverageBefore = loadavg()[0];
  const postgresCpu = trackPostgresCpu(target.database);
  const blocksBefore = await blocks(target.adminUrl, target.database);
  const before = { ...bffCpu(target.bff.pid), postgres: postgresCpu.read().backends };
  let lat = new Float64Array(1 << 16);
  let n = 0;
  const result = await cannon({ ...opts, duration: o.seconds }, (status, ms) => {
    if (status < 200 || status >= 300) return;
    if (n === lat.length) {
      const bigger = new Float64Array(lat.length * 2);
      bigger.set(lat);
      lat = bigger;
    }
    lat[n++] = ms;
  });
  const after = { ...bffCpu(target.bff.pid), postgres: postgresCpu.read().backends };
  postgresCpu.stop();
  await sleep(1500); // the backends flush their block counts to pg_stat_database at most once a second
  const blocksAfter = await blocks(target.adminUrl, target.database);
  const requests = Math.max(1, result.requests.total);
  const postgres = after.postgres - before.postgres;
  const perRequest = (seconds: number) => Number(((seconds * 1000) / requests).toFixed(3));
  const bff = after.bffMain + after.bffThreads - (before.bffMain + before.bffThreads);
  const cpuMsPerRequest = {
    bffMain: perRequest(after.bffMain - before.bffMain),
    bff: perRequest(bff),
    postgres: perRequest(postgres),
    total: perRequest(bff + postgres),
  };
  const sorted = lat.subarray(0, n).sort();
  const run: HttpRun = {
    name,
    method: req.method,
    path: req.path,
    connections: o.connections,
    seconds: result.duration,
    requests: result.requests.total,
    rps: result.requests.average,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    flagged: result.non2xx > 0 || result.errors > 0 || result.timeouts > 0,
    cpuMsPerRequest,
    blocksPerRequest: {
      hit: Number(((blocksAfter.hit - blocksBefore.hit) / requests).toFixed(2)),
      read: Number(((blocksAfter.read - blocksBefore.read) / requests).toFixed(2)),
    },
    loadAverageBefore,
  };
  o.log(
    `${name}: ${fmt(run.rps)} req/s, p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms; CPU ms/req ` +
      `BFF ${cpuMsPerRequest.bff} (main thread ${cpuMsPerRequest.bffMain}), postgres ${cpuMsPerRequest.postgres}; ` +
      `blocks/req ${run.blocksPerRequest.hit} hit, ${run.blocksPerRequest.read} read; ` +
      `non-2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts}${run.flagged ? '  <-- FLAGGED' : ''}`,
  );
  return run;
}

// ---- an account through the API, as a developer would make one --------------------------------

export async function api(
  base: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(base + path, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the body stays the text
  }
  return { status: res.status, body };
}

export function expectStatus(what: string, r: { status: number; body: unknown }, status: number) {
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
}

/**
 * The registration code sent to `e164`, read from /dev/outbox as a developer would. A message
 * listed without its code means the outbox payload did not read back as an object: the bench
 * fails and names it.
 */
export async function codeFromDevOutbox(base: string, e164: string): Promise<string> {
  let code: string | undefined;
  for (let i = 0; i < 50 && !code; i++) {
    const box = await api(base, `/dev/outbox?to=${encodeURIComponent(e164)}`);
    expectStatus('dev outbox', box, 200);
    if (!Array.isArray(box.body))
      throw new Error(`dev outbox: expected a JSON array, got ${JSON.stringify(box.body).slice(0, 300)}`);
    const entries = box.body as Array<{ code: unknown; purpose: unknown }>;
    const registration = entries.find((m) => m.purpose === 'register');
    // the message is there without its code: the outbox payload did not read back as an object
    if (registration && typeof registration.code !== 'string')
      throw new Error(
        `dev outbox: the registration message to ${e164} has no code (${JSON.stringify(registration).slice(0, 300)}); ` +
          'outbox.payload must read back as a JSON object — a BFF bug, not something the bench works around',
      );
    code = registration?.code as string | undefined;
    if (!code) await sleep(100);
  }
  if (!code) throw new Error(`no code for ${e164} in /dev/outbox within 5 s`);
  return code;
}

export async function registerAccount(base: string, pk: string) {
  const number = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const e164 = `+86${number}`;
  const accountName = `bench_${Date.now().toString(36)}`;
  const password = 'Bench#2468xyz';
  const headers = { 'x-jd-publishable-key': pk };

  const sent = await api(base, '/v1/verification-codes', {
    method: 'POST',
    headers,
    json: { phone: { region: 'CN', number }, purpose: 'register', channel: 'sms' },
  });
  expectStatus('send code', sent, 202);

  const code = await codeFromDevOutbox(base, e164);

  const reg = await api(base, '/v1/accounts', {
    method: 'POST',
    headers: { ...headers, 'x-jd-session-mode': 'token' },
    json: {
      accountName,
      password,
      phone: { region: 'CN', number },
      code,
      agreements: [
        { key: 'registration', version: '1.0' },
        { key: 'privacy', version: '1.0' },
        { key: 'service', version: '1.0' },
      ],
    },
  });
  expectStatus('register', reg, 201);
  const token = reg.body?.session?.token as string | undefined;
  if (!token) throw new Error(`register: no session token in ${JSON.stringify(reg.body)}`);
  return { accountName, password, token };
}
