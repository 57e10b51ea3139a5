/**
 * `npm run bench:profile [sign-in|session|floor|sign-in-floor|empty]`: where the BFF's main thread spends
 * its CPU on one path, counted by `perf` (docs/benchmarks.md#where-a-sign-ins-cpu-goes-perf).
 *
 * V8's own profiler (`--cpu-prof`) samples wall time, so a thread waiting for a core (argon2id
 * holds both during sign-ins) is charged to whatever it was doing. `perf record -e cpu-clock`
 * samples only time on the CPU; with node's `--perf-basic-prof` it names JavaScript frames.
 *
 *   1. a fresh database on the loopback Postgres (as `npm run bench`), the BFF on it started through
 *      bench/bff-floor.ts with `--perf-basic-prof`, one account registered through the API
 *   2. BENCH_WARMUP_SECONDS (default 4) of the path, then BENCH_SECONDS (default 12) of it while
 *      `perf record -F 1999 -g` samples the BFF's main thread
 *   3. the samples grouped by their innermost JavaScript frame: by package (or file of ours), then by
 *      function; the main thread's CPU per request from /proc beside them
 *
 * Needs `perf` (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 1. Writes
 * bench/results/profile-<path>.txt.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  api,
  cannon,
  cleanup,
  createBenchDatabase,
  envInt,
  registerAccount,
  ROOT,
  startBff,
  ticksOf,
} from './harness.ts';
import { foldSamples } from './perf-fold.ts';

const log = (msg: string) => console.log(`[bench:profile] ${msg}`);
const SECONDS = envInt('BENCH_SECONDS', 12);
const WARMUP_SECONDS = envInt('BENCH_WARMUP_SECONDS', 4);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10);
const FREQUENCY = 1999;
const PATHS = ['sign-in', 'session', 'floor', 'sign-in-floor', 'empty'] as const;
type ProfiledPath = (typeof PATHS)[number];

/** The CPU seconds of a process's main thread so far (Linux /proc). */
const threadCpu = (pid: number) => ticksOf(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));

async function main() {
  const which = (process.argv[2] ?? 'sign-in') as ProfiledPath;
  if (!PATHS.includes(which)) throw new Error(`the path to profile is one of ${PATHS.join(', ')}, not ${which}`);
  if (spawnSync('perf', ['--version']).status !== 0)
    throw new Error('perf is not installed (Debian: apt-get install linux-perf)');

  const db = await createBenchDatabase('jd_profile', log);
  const bff = await startBff(
    db.url,
    // the sign-in run is one client on one account: the attempt limits would rightly hold it back (as in npm run bench)
    { RATE_LIMIT_FACTOR: '1000', UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '2' },
    log,
    { entry: 'bench/bff-floor.ts', nodeArgs: ['--perf-basic-prof'] },
  );
  const key = /demo tenant publishable key: (pk_[A-Za-z0-9_-]+)/.exec(bff.output())?.[1];
  if (!key) throw new Error(`no demo tenant key in the BFF's output:\n${bff.output()}`);
  const account = await registerAccount(bff.base, key);
  log(`BFF pid ${bff.pid}, account ${account.accountName}`);

  const signInBody = JSON.stringify({ identifier: account.accountName, password: account.password });
  const request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string } = {
    'sign-in': {
      method: 'POST' as const,
      path: '/v1/sessions',
      headers: { 'x-jd-publishable-key': key, 'content-type': 'application/json', 'x-jd-session-mode': 'token' },
      body: signInBody,
    },
    session: {
      method: 'GET' as const,
      path: '/v1/session',
      headers: { 'x-jd-publishable-key': key, authorization: `Bearer ${account.token}` },
    },
    empty: { method: 'GET' as const, path: '/bench/empty', headers: {} },
    floor: { method: 'GET' as const, path: '/bench/floor', headers: { authorization: `Bearer ${account.token}` } },
    'sign-in-floor': {
      method: 'POST' as const,
      path: '/bench/floor/sign-in',
      headers: { 'content-type': 'application/json' },
      body: signInBody,
    },
  }[which];
  const probe = await api(bff.base, request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  if (probe.status !== 200) throw new Error(`${request.path}: ${probe.status} ${JSON.stringify(probe.body)}`);

  const run = (seconds: number) =>
    cannon({ url: bff.base + request.path, ...request, connections: CONNECTIONS, duration: seconds });
  log(`${which}: warm-up ${WARMUP_SECONDS} s`);
  await run(WARMUP_SECONDS);

  const dir = join(tmpdir(), `jd-profile-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const data = join(dir, 'perf.data');
  const cpuBefore = threadCpu(bff.pid);
  const perf = spawn(
    'perf',
    [
      'record',
      '-e',
      'cpu-clock',
      '-F',
      String(FREQUENCY),
      '-g',
      '-t',
      String(bff.pid),
      '-o',
      data,
      '--',
      'sleep',
      String(SECONDS),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const perfDone = new Promise<number | null>((r) => perf.once('exit', r));
  log(`${which}: ${SECONDS} s under perf`);
  const result = await run(SECONDS);
  const cpuSeconds = threadCpu(bff.pid) - cpuBefore;
  if ((await perfDone) !== 0) throw new Error('perf record failed (root, or kernel.perf_event_paranoid <= 1?)');
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'ip,sym'], { maxBuffer: 1 << 30, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  await bff.stop();

  const answered = result['2xx'];
  const { samples, byPlace, byFunction } = foldSamples(script.stdout);
  const msPerSample = 1000 / FREQUENCY / answered;
  const lines = [
    `${which} (${request.method} ${request.path}): ${answered} answered 2xx (${result.non2xx} other) in ${SECONDS} s at ${CONNECTIONS} connections`,
    `main thread CPU (/proc): ${((cpuSeconds * 1000) / answered).toFixed(3)} ms per request; perf: ${samples} samples, ${(samples * msPerSample).toFixed(3)} ms per request`,
    '',
    'by where the innermost JavaScript frame is  (ms per request, share)',
  ];
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, v]) =>
          `${(v * msPerSample).toFixed(3).padStart(8)}  ${((100 * v) / samples).toFixed(1).padStart(5)} %  ${k}`,
      );
  lines.push(...top(byPlace, 30), '', 'by innermost JavaScript function', ...top(byFunction, 40));
  const text = lines.join('\n');
  console.log(`\n${text}`);
  const out = resolve(ROOT, `bench/results/profile-${which}.txt`);
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(out, `${text}\n`);
  log(`wrote ${out}`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
