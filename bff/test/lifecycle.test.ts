/**
 * The last resort of every entry point (bff/src/lifecycle.ts, docs/operating.md "Supervision"):
 * an error nothing caught is logged, the process stops accepting, releases what it holds and
 * exits non-zero for its supervisor to restart it; SIGTERM stops it cleanly with 0.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const lifecycle = resolve(import.meta.dirname, '../src/lifecycle.ts');
const logModule = resolve(import.meta.dirname, '../src/log.ts');

function runScript(trigger: string): Promise<{ code: number | null; out: string }> {
  const script = `
    import { installLifecycle } from ${JSON.stringify(lifecycle)};
    import { createLogger } from ${JSON.stringify(logModule)};
    const log = createLogger({ write: (l) => process.stdout.write(l + '\\n') });
    installLifecycle(log, {
      stopAccepting: async () => { process.stdout.write('stopped accepting\\n'); },
      release: async () => { process.stdout.write('released\\n'); },
    });
    setInterval(() => {}, 1000); // a server's listener keeps the process alive
    process.stdout.write('ready\\n');
    ${trigger}
  `;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (trigger === '' && out.includes('ready') && !out.includes('sent')) {
        out += 'sent\n';
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('process lifecycle', () => {
  it('an uncaught exception: logged, stops accepting, releases, exits 1', async () => {
    const r = await runScript("setTimeout(() => { throw new TypeError('escaped every handler'); }, 10);");
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('fatal: uncaught exception');
    expect(r.out).toContain('escaped every handler');
    expect(r.out.indexOf('stopped accepting')).toBeLessThan(r.out.indexOf('released'));
  }, 30_000);

  it('an unhandled rejection: the same, exit 1', async () => {
    const r = await runScript("setTimeout(() => { Promise.reject(new Error('nobody awaited this')); }, 10);");
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('fatal: unhandled rejection');
    expect(r.out).toContain('released');
  }, 30_000);

  it('SIGTERM: stops cleanly with 0', async () => {
    const r = await runScript('');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('released');
    expect(r.out).not.toContain('fatal');
  }, 30_000);
});
