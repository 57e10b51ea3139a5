/**
 * Three BFF replicas behind HAProxy, with PgBouncer in transaction-pooling mode in front of one
 * Postgres, all on loopback (docs/operating.md "Replicas and a pooler"):
 *
 *   client → HAProxy :8780 → BFF ×3 (:8781–8783, each with its outbox worker)
 *          → PgBouncer :6433 (pool_mode=transaction) → Postgres (DATABASE_URL's server)
 *
 *   npm run cluster:up     starts it in the background (state and logs in .data/cluster)
 *   npm run cluster:down   stops it
 *
 * Env for `up`: DATABASE_URL (a Postgres database, created when missing; default
 * postgres://postgres@127.0.0.1:5432/jd_cluster), CLUSTER_PORT (HAProxy; the replicas take the
 * next three ports), CLUSTER_PGBOUNCER_PORT, and any BFF setting, passed to every replica.
 * HAProxy and PgBouncer are Debian's packages (`apt-get install haproxy pgbouncer`).
 *
 * The tests (bff/test/cluster.test.ts) start the same layout through startCluster().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ensureWidgetBuilt } from '../bff/src/boot.ts';
import { createDb, migrateToLatest } from '../bff/src/db/create.ts';

const root = resolve(import.meta.dirname, '..');

export const HAPROXY = '/usr/sbin/haproxy';
export const PGBOUNCER = '/usr/sbin/pgbouncer';

/** Why the cluster cannot run on this machine, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  const missing = [HAPROXY, PGBOUNCER].filter((bin) => !existsSync(bin));
  return missing.length ? `not installed: ${missing.join(', ')} (apt-get install haproxy pgbouncer)` : undefined;
}

export interface ClusterOptions {
  /** a Postgres database URL (direct, not pooled); created when missing */
  databaseUrl: string;
  /** state, configs and logs */
  dir: string;
  /** HAProxy's port; 0 picks free ports for everything */
  port?: number;
  pgbouncerPort?: number;
  replicas?: number;
  /** extra environment for every replica (the BFF's settings) */
  env?: NodeJS.ProcessEnv;
  /** detached processes that outlive this one (the CLI), else children of it (tests) */
  detached?: boolean;
}

export interface Replica {
  name: string;
  port: number;
  pid: number;
  log: string;
}

export interface Cluster {
  /** HAProxy's URL: what clients use */
  url: string;
  /** PgBouncer's URL: what the replicas use */
  pooledUrl: string;
  replicas: Replica[];
  pids: { haproxy: number; pgbouncer: number };
  /** SIGKILL one replica: no graceful shutdown, requests in flight are cut */
  kill(name: string): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} must be a plain identifier`);
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!found.rowCount) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

const asRoot = process.getuid?.() === 0;

function pgbouncerConfig(o: { dir: string; port: number; databaseUrl: string }) {
  const u = new URL(o.databaseUrl);
  const user = decodeURIComponent(u.username || 'postgres');
  const password = decodeURIComponent(u.password);
  const target = [
    `host=${u.hostname || '127.0.0.1'}`,
    `port=${u.port || 5432}`,
    `dbname=${decodeURIComponent(u.pathname.slice(1))}`,
    `user=${user}`,
    ...(password ? [`password=${password}`] : []),
  ].join(' ');
  writeFileSync(join(o.dir, 'userlist.txt'), `"${user}" ""\n`);
  return [
    '[databases]',
    `jd = ${target}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${o.port}`,
    'unix_socket_dir =',
    // loopback only; the clients are the replicas on this machine
    'auth_type = trust',
    `auth_file = ${join(o.dir, 'userlist.txt')}`,
    // a server connection is lent for one transaction (or one statement outside one), then returned
    'pool_mode = transaction',
    'max_client_conn = 1000',
    'default_pool_size = 20',
    'reserve_pool_size = 5',
    // the transaction-mode rules the BFF keeps (docs/operating.md "Replicas and a pooler") make a
    // reset between clients unnecessary
    'server_reset_query =',
    `admin_users = ${user}`,
    '',
  ].join('\n');
}

function haproxyConfig(o: { port: number; replicas: Replica[] }) {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    // a request whose connection to a replica failed goes to another one; nothing reached the dead
    // one, so the retry cannot apply a request twice (unlike a retry after a cut response)
    '  retries 3',
    '  retry-on conn-failure',
    '  option redispatch 1',
    // the client's address for the BFF's per-IP limits (TRUST_PROXY=1 trusts this one hop)
    '  option forwardfor',
    'frontend jd',
    `  bind 127.0.0.1:${o.port}`,
    '  default_backend bff',
    'backend bff',
    '  balance roundrobin',
    // ready = its database answers (bff/src/routes/static.ts)
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 500ms fall 2 rise 2',
    ...o.replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`),
    '',
  ].join('\n');
}

interface Spawned {
  child: ChildProcess;
  log: string;
}

function launch(cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv, detached: boolean): Spawned {
  // a fresh log per start: `up` reads the demo tenant's key from it
  const fd = openSync(log, 'w');
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', fd, fd], detached });
  if (detached) child.unref();
  return { child, log };
}

async function waitFor(what: string, check: () => Promise<boolean>, alive: () => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    if (!alive()) throw new Error(`${what} exited during start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready in ${timeoutMs} ms`);
}

const answers = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '';
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const why = clusterUnavailable();
  if (why) throw new Error(why);
  const count = o.replicas ?? 3;
  const detached = o.detached ?? false;
  mkdirSync(o.dir, { recursive: true });
  // PgBouncer refuses to run as root: it switches to the database's OS user, who must read the files
  if (asRoot) chmodSync(o.dir, 0o755);

  const port = o.port || (await freePort());
  const pgbouncerPort = o.pgbouncerPort || (await freePort());
  const replicaPorts = o.port
    ? Array.from({ length: count }, (_, i) => port + 1 + i)
    : await Promise.all(Array.from({ length: count }, () => freePort()));

  await ensureDatabase(o.databaseUrl);
  // once, before the replicas: they would each take the migration lock in turn otherwise
  const direct = createDb({ url: o.databaseUrl, poolSize: 1 });
  try {
    await migrateToLatest(direct);
  } finally {
    await direct.destroy();
  }
  // one build for all replicas (each checks the source hash and finds it current)
  await ensureWidgetBuilt({ ...process.env, ...o.env });

  const started: Spawned[] = [];
  const stopAll = () => {
    for (const s of started) {
      try {
        if (detached && s.child.pid) process.kill(-s.child.pid, 'SIGKILL');
        else s.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  try {
    const ini = join(o.dir, 'pgbouncer.ini');
    writeFileSync(ini, pgbouncerConfig({ dir: o.dir, port: pgbouncerPort, databaseUrl: o.databaseUrl }));
    const bouncerArgs = asRoot ? ['-u', 'postgres', ini] : [ini];
    const bouncer = launch(PGBOUNCER, bouncerArgs, join(o.dir, 'pgbouncer.log'), process.env, detached);
    started.push(bouncer);
    const pooledUrl = `postgres://postgres@127.0.0.1:${pgbouncerPort}/jd`;
    await waitFor(
      'PgBouncer',
      async () => {
        const c = new pg.Client({ connectionString: pooledUrl, connectionTimeoutMillis: 1000 });
        c.on('error', () => {});
        await c.connect();
        await c.query('select 1');
        await c.end();
        return true;
      },
      () => bouncer.child.exitCode === null,
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${tail(bouncer.log)}`);
    });

    const { DATABASE_URL: _direct, PGLITE_DIR: _embedded, ...inherited } = process.env;
    const replicaEnv: NodeJS.ProcessEnv = {
      ...inherited,
      HOST: '127.0.0.1',
      TRUST_PROXY: '1',
      DEMO_UPSTREAM: 'off',
      ...o.env,
      SKIP_WIDGET_BUILD: '1',
      DATABASE_URL: pooledUrl,
      DATABASE_POOLER: 'transaction',
    };
    const replicas: Replica[] = [];
    const spawnedReplicas = replicaPorts.map((p, i) => {
      const name = `bff${i + 1}`;
      const s = launch(
        process.execPath,
        ['--import', 'tsx', 'bff/src/main.ts'],
        join(o.dir, `${name}.log`),
        { ...replicaEnv, PORT: String(p) },
        detached,
      );
      started.push(s);
      replicas.push({ name, port: p, pid: s.child.pid!, log: s.log });
      return s;
    });
    await Promise.all(
      replicas.map((r, i) =>
        waitFor(
          r.name,
          answers(`http://127.0.0.1:${r.port}/readyz`),
          () => spawnedReplicas[i].child.exitCode === null,
          180_000,
        ).catch((err: Error) => {
          throw new Error(`${err.message}\n${tail(r.log)}`);
        }),
      ),
    );

    const cfg = join(o.dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig({ port, replicas }));
    const check = spawnSync(HAPROXY, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy.cfg is invalid: ${check.stderr}`);
    const haproxy = launch(HAPROXY, ['-db', '-f', cfg], join(o.dir, 'haproxy.log'), process.env, detached);
    started.push(haproxy);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('HAProxy', answers(`${url}/readyz`), () => haproxy.child.exitCode === null, 60_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${tail(haproxy.log)}`);
      },
    );

    const byName = new Map(replicas.map((r, i) => [r.name, spawnedReplicas[i]]));
    return {
      url,
      pooledUrl,
      replicas,
      pids: { haproxy: haproxy.child.pid!, pgbouncer: bouncer.child.pid! },
      kill(name) {
        const s = byName.get(name);
        if (!s?.child.pid) throw new Error(`no replica ${name}`);
        if (detached) process.kill(-s.child.pid, 'SIGKILL');
        else s.child.kill('SIGKILL');
      },
      async stop() {
        const exits = started
          .filter((s) => s.child.exitCode === null && s.child.signalCode === null)
          .map((s) => new Promise<void>((r) => s.child.once('exit', () => r())));
        stopAll();
        await Promise.all(exits);
      },
    };
  } catch (err) {
    stopAll();
    throw err;
  }
}

// ---- the CLI: npm run cluster:up / cluster:down ----

const STATE_DIR = resolve(root, '.data/cluster');
const STATE_FILE = join(STATE_DIR, 'state.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function down(): Promise<void> {
  if (!existsSync(STATE_FILE)) {
    console.log('cluster: not running');
    return;
  }
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { pids: number[] };
  // HAProxy first (no new requests), then the replicas (they drain on SIGTERM), then PgBouncer
  for (const pid of state.pids) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  const until = Date.now() + 15_000;
  while (state.pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const pid of state.pids.filter(alive)) process.kill(-pid, 'SIGKILL');
  rmSync(STATE_FILE);
  console.log('cluster: stopped');
}

async function up(): Promise<void> {
  if (existsSync(STATE_FILE)) {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { pids: number[]; url: string };
    if (state.pids.some(alive)) {
      console.log(`cluster: already running at ${state.url} (npm run cluster:down stops it)`);
      return;
    }
  }
  const secretFile = join(STATE_DIR, 'secret');
  mkdirSync(STATE_DIR, { recursive: true });
  // one secret for all replicas: a session or code sealed by one must open on the others
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const port = Number(process.env.CLUSTER_PORT ?? 8780);
  const cluster = await startCluster({
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jd_cluster',
    dir: STATE_DIR,
    port,
    pgbouncerPort: Number(process.env.CLUSTER_PGBOUNCER_PORT ?? 6433),
    env: { JD_SECRET: process.env.JD_SECRET ?? readFileSync(secretFile, 'utf8') },
    detached: true,
  });
  const pids = [cluster.pids.haproxy, ...cluster.replicas.map((r) => r.pid), cluster.pids.pgbouncer];
  writeFileSync(STATE_FILE, JSON.stringify({ url: cluster.url, pids }, null, 2));
  const key = /demo tenant publishable key: (pk_[A-Za-z0-9_-]+)/.exec(
    cluster.replicas.map((r) => readFileSync(r.log, 'utf8')).join('\n'),
  );
  console.log(`cluster: ${cluster.url} → ${cluster.replicas.map((r) => `${r.name} :${r.port}`).join(', ')}`);
  console.log(`cluster: PgBouncer (transaction mode) at ${cluster.pooledUrl}; logs in ${STATE_DIR}`);
  if (key) console.log(`cluster: demo tenant publishable key: ${key[1]}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const command = process.argv[2];
  const run = command === 'up' ? up : command === 'down' ? down : undefined;
  if (!run) {
    console.error('usage: tsx scripts/cluster.ts up|down');
    process.exit(2);
  }
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
