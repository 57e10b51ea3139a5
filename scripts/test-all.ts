/**
 * `npm test`: every suite, then one line `N passed, N failed` summed over all of them.
 *  0. the gates: prettier --check, eslint (type-aware), tsc --noEmit;
 *  1. vitest: shared rules, BFF integration (PGlite, or Postgres when DATABASE_URL is set), e2e in Chromium;
 *  2. when DATABASE_URL is set, the BFF suites once more on embedded PGlite, so both engines are proven
 *     (not runtime-bun.test.ts: it always runs Bun against Postgres, so pass 1 covered it);
 *  3. @web/test-runner: the widget elements in Chromium.
 * Exits non-zero if anything failed or a runner crashed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'jd-test-'));
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
let crashed = false;

function run(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  console.log(`\n=== ${label} ===`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status ?? 1;
}

function vitest(label: string, files: string[], env: NodeJS.ProcessEnv) {
  const out = join(tmp, `${label.replace(/\W+/g, '-')}.json`);
  const code = run(
    label,
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...files],
    env,
  );
  if (!existsSync(out)) {
    console.error(`${label}: no results (exit ${code})`);
    crashed = true;
    return;
  }
  const r = JSON.parse(readFileSync(out, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { status: string; assertionResults: unknown[] }[];
  };
  // a test file that failed to load has no assertion results: count it as a failure
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenFiles;
  if (code !== 0 && r.numFailedTests + brokenFiles === 0) crashed = true;
}

// The gates first: a finding in any of them fails `npm test`, but the suites still run so one
// run shows everything. Each gate counts as one test.
for (const [label, cmd, args] of [
  ['format (prettier --check)', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['lint (eslint)', bin('eslint'), ['--max-warnings', '0', '.']],
  ['typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
] as const) {
  if (run(label, cmd, [...args]) === 0) passed++;
  else failed++;
}

vitest('vitest', [], process.env);
if (process.env.DATABASE_URL) {
  const { DATABASE_URL: _pg, ...env } = process.env;
  // runtime-bun always runs on Postgres (it spawns Bun against a database of its own): once is enough
  vitest('vitest bff on PGlite', ['bff/', '--exclude', 'bff/test/runtime-bun.test.ts'], env);
}

const build = run('widget build', bin('tsx'), ['widget/build.ts']);
if (build !== 0) {
  failed++;
  crashed = true;
}
const counts = join(tmp, 'wtr.json');
const wtr = run('web-test-runner', bin('wtr'), ['--config', 'web-test-runner.config.mjs'], {
  ...process.env,
  JD_WTR_COUNTS: counts,
});
if (existsSync(counts)) {
  const c = JSON.parse(readFileSync(counts, 'utf8')) as { passed: number; failed: number; brokenFiles: number };
  passed += c.passed;
  failed += c.failed + c.brokenFiles;
  if (wtr !== 0 && c.failed + c.brokenFiles === 0) crashed = true;
} else {
  console.error(`web-test-runner: no results (exit ${wtr})`);
  crashed = true;
}

rmSync(tmp, { recursive: true, force: true });
if (crashed && failed === 0) failed = 1; // a runner that died without reporting is a failure, not a pass
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || crashed ? 1 : 0);
