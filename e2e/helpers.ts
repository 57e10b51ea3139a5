/**
 * What the end-to-end tests share: free loopback ports, the BFF as `npm start` runs it (embedded
 * PGlite in a temporary directory, dev mode), the tenant CLI on that directory, Debian's Chromium
 * through playwright-core, a static file server, and codes read from the dev outbox.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const root = resolve(import.meta.dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/** The environment of `npm start` on a fresh clone: the embedded database, not the CI's Postgres. */
function embeddedEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _pg, ...env } = process.env;
  return { ...env, NODE_ENV: 'development', ...extra };
}

/** A temporary PGlite directory for one test file; `remove()` once its processes are gone. */
export function tempDataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'jd-e2e-'));
  return { pgliteDir: join(dir, 'pglite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A Node process running a TypeScript entry (through tsx), resolved once `ready` appears in its
 * output; `output()` is everything it printed so far.
 */
export async function startProcess(entry: string, env: NodeJS.ProcessEnv, ready: string | RegExp, timeoutMs = 90_000) {
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${entry} did not start:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (typeof ready === 'string' ? log.includes(ready) : ready.test(log)) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${entry} exited with ${code}:\n${log}`));
    });
  });
  return {
    child,
    output: () => log,
    /** SIGTERM, then wait for the exit (PGlite closes its directory) */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

export type Bff = Awaited<ReturnType<typeof startBff>>;

/**
 * `npm start` (bff/src/main.ts) on PGlite in `pgliteDir`, dev mode (dev outbox, codes readable),
 * on a free port. `base` uses `localhost`, as a developer's browser would.
 */
export async function startBff(
  pgliteDir: string,
  { port, env: extraEnv = {} }: { port?: number; env?: NodeJS.ProcessEnv } = {},
) {
  port ??= await freePort();
  // the last start-up line that matters: it follows "listening on" (the key ends where the line does)
  const keyLine = /demo tenant publishable key: (pk_[A-Za-z0-9_-]+)[^A-Za-z0-9_-]/;
  const proc = await startProcess(
    'bff/src/main.ts',
    embeddedEnv({ PORT: String(port), PGLITE_DIR: pgliteDir, ...extraEnv }),
    keyLine,
  );
  const demoKey = keyLine.exec(proc.output())![1];
  return { ...proc, port, base: `http://localhost:${port}`, demoKey };
}

/** `npm run tenant -- …` on the same embedded database (only while no BFF holds it: PGlite is single-process). */
export async function tenantCli(pgliteDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bff/src/cli/tenant.ts', ...args],
    {
      cwd: root,
      env: embeddedEnv({ PGLITE_DIR: pgliteDir }),
    },
  );
  return stdout;
}

/**
 * Chromium as the e2e tests use it. Its pages belong to a Chinese-speaking user unless a test
 * says otherwise (`locale` in newContext/newPage): the demo page follows the browser's language,
 * and the tests are written for the product's first market.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (options = {}) => newContext({ locale: 'zh-CN', ...options });
  browser.newPage = (options = {}) => newPage({ locale: 'zh-CN', ...options });
  return browser;
}

/** The newest code sent to `to` (E.164 or an email), read from the BFF's dev outbox as a developer would. */
export async function codeFor(bffBase: string, to: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${bffBase}/dev/outbox?to=${encodeURIComponent(to)}`);
    const [latest] = (await res.json()) as { code: string | null }[];
    if (latest?.code) return latest.code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code for ${to} in the dev outbox`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** A plain static file server for `dir` on a free loopback port (GET only; no index magic beyond `/` → index.html). */
export async function serveDirectory(
  dir: string,
): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const base = resolve(dir);
  const server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://static.invalid').pathname);
    const file = resolve(base, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (req.method !== 'GET' || !file.startsWith(base + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  const port = await freePort();
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    port,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * Registers `phone` as `name` through the API from inside `page` (same origin, so the session
 * cookie lands in the browser), with the code from the dev outbox and the tenant's agreements.
 * The page must hold a <jd-security-settings> (its key is read there).
 */
export async function registerInPage(
  page: Page,
  bffBase: string,
  { phone, name, password }: { phone: string; name: string; password: string },
): Promise<void> {
  const call = (path: string, body: unknown) =>
    page.evaluate(
      async ([path, body]) => {
        const key = document.querySelector('jd-security-settings')!.getAttribute('publishable-key')!;
        const r = await fetch(`/v1${path}`, {
          method: path === '/config' ? 'GET' : 'POST',
          headers: { 'content-type': 'application/json', 'x-jd-publishable-key': key },
          ...(path === '/config' ? {} : { body: JSON.stringify(body) }),
          credentials: 'include',
        });
        return { status: r.status, body: await r.text() };
      },
      [path, body] as const,
    );
  const ok = (what: string, r: { status: number; body: string }) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body}`);
    return r.body;
  };
  ok(
    'code',
    await call('/verification-codes', { phone: { region: 'CN', number: phone }, purpose: 'register', channel: 'sms' }),
  );
  const config = JSON.parse(ok('config', await call('/config', null))) as {
    agreements: { key: string; version: string }[];
  };
  ok(
    'register',
    await call('/accounts', {
      accountName: name,
      password,
      phone: { region: 'CN', number: phone },
      code: await codeFor(bffBase, `+86${phone}`),
      agreements: config.agreements.map((a) => ({ key: a.key, version: a.version })),
    }),
  );
}

/** Every visible control (button, input, select, link) of the open dialog lies within it horizontally. */
export async function controlsInsideDialog(dialog: Locator): Promise<void> {
  const d = (await dialog.boundingBox())!;
  for (const control of await dialog.locator('button, input, select, a').all()) {
    if (!(await control.isVisible())) continue;
    const b = (await control.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(d.x - 0.5);
    expect(b.x + b.width).toBeLessThanOrEqual(d.x + d.width + 0.5);
  }
}

/**
 * The calls a test makes to the BFF outside the page, as a server or a developer would: the API in
 * token mode with the demo key, messages from the dev outbox, and a registration through the API
 * (every current agreement accepted; with `email`, the email verified through its link).
 */
export function bffApi(bff: Bff) {
  async function api(path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${bff.base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        'content-type': 'application/json',
        'x-jd-publishable-key': bff.demoKey,
        'x-jd-session-mode': 'token',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** The newest message of `purpose` to `to` (codes may be queued after the answer). */
  async function outbox(to: string, purpose: string): Promise<{ code: string | null; link: string | null }> {
    for (let i = 0; i < 80; i++) {
      const res = await fetch(`${bff.base}/dev/outbox?to=${encodeURIComponent(to)}`);
      const rows = (await res.json()) as { purpose: string; code: string | null; link: string | null }[];
      const hit = rows.find((r) => r.purpose === purpose);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${purpose} message for ${to} in the dev outbox`);
  }

  async function register(o: { phone: string; name: string; password: string; email?: string | undefined }) {
    const phone = { region: 'CN', number: o.phone };
    expect((await api('/v1/verification-codes', { phone, purpose: 'register' })).status).toBe(202);
    const config = await api('/v1/config');
    const r = await api('/v1/accounts', {
      accountName: o.name,
      password: o.password,
      phone,
      code: (await outbox(`+86${o.phone}`, 'register')).code,
      agreements: (config.json.agreements as { key: string; version: string }[]).map((a) => ({
        key: a.key,
        version: a.version,
      })),
      ...(o.email ? { email: o.email } : {}),
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    if (o.email) {
      const { link } = await outbox(o.email, 'email_verification');
      expect((await fetch(link!.replace(/^https?:\/\/[^/]+/, bff.base))).status).toBe(200);
    }
    return r.json as { account: { id: string }; session: { token: string } };
  }

  return { api, outbox, register };
}
