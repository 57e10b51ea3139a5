// A @web/test-runner plugin that runs the REAL BFF beside the test server, for the component tests
// named *.real-bff.test.ts. Started lazily, when a test first asks for `/__bff.json` (so runs
// without those tests do not pay for it): it creates a tenant "wtr" whose allowed origins are the
// test server's, in a fresh PGlite directory (with the tenant CLI, before the BFF opens that
// directory: PGlite allows one process per directory), then spawns the BFF on a free port in
// development mode (dev outbox on). Tests read `GET /__bff.json` → { url, publishableKey } and
// `GET /__bff/outbox?to=+86…` (the dev outbox, proxied: it has no CORS). Stopped with the server.
// `POST /__bff/admin` { method, path, body? } calls the tenant's admin API (/admin/v1 + path) with
// an admin key the plugin created with the CLI at start (the back office: real-name status, the
// MFA-application review); answers { status, body } (JSON, or base64 for binary).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function realBffPlugin({ root = process.cwd(), startTimeoutMs = 60_000 } = {}) {
  let child;
  let dir;
  let info;
  let testPort;
  let starting;
  let env;
  let port;
  let adminKey;

  async function start(testPort) {
    dir = mkdtempSync(join(tmpdir(), 'jd-wtr-bff-'));
    env = { ...process.env, PGLITE_DIR: dir, NODE_ENV: 'development' };
    delete env.DATABASE_URL; // always an isolated embedded database
    const origins = ['localhost', '127.0.0.1'].flatMap((h) => ['--origin', `http://${h}:${testPort}`]);
    const created = tenantCli(['create', 'wtr', ...origins]);
    const key = /publishable key: (\S+)/.exec(created.stdout ?? '')?.[1];
    if (created.status !== 0 || !key) throw new Error(`tenant create failed: ${created.stderr || created.stdout}`);
    const admin = tenantCli(['admin-keys', 'create', 'wtr', '--label', 'wtr back office']);
    adminKey = /secret key[^:]*: (sk_\S+)/.exec(admin.stdout ?? '')?.[1];
    if (admin.status !== 0 || !adminKey) throw new Error(`admin key create failed: ${admin.stderr || admin.stdout}`);
    port = await freePort();
    await spawnBff();
    info = { url: `http://127.0.0.1:${port}`, publishableKey: key };
  }

  function tenantCli(args) {
    return spawnSync(process.execPath, ['--import', 'tsx', 'bff/src/cli/tenant.ts', ...args], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
  }

  async function stopBff() {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  async function spawnBff() {
    child = spawn(process.execPath, ['--import', 'tsx', 'bff/src/main.ts'], {
      cwd: root,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', SKIP_WIDGET_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the BFF did not start in ${startTimeoutMs} ms:\n${log}`)),
        startTimeoutMs,
      );
      const onData = (d) => {
        log += d;
        if (log.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (d) => (log += d));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the BFF exited (${code}) before listening:\n${log}`));
      });
    });
  }

  return {
    name: 'jd-real-bff',
    serverStart({ config }) {
      testPort = config.port;
    },
    async serverStop() {
      await stopBff();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    async serve(context) {
      if (context.path === '/__bff.json') {
        starting ??= start(testPort);
        try {
          await starting;
          return { body: JSON.stringify(info), type: 'json' };
        } catch (e) {
          // reported to the tests (they fail with this message) rather than aborting the run
          return { body: JSON.stringify({ error: e instanceof Error ? e.message : String(e) }), type: 'json' };
        }
      }
      if (context.path === '/__bff/admin' && info && context.method === 'POST') {
        const { method, path, body } = JSON.parse(await readBody(context.req));
        const res = await fetch(`${info.url}/admin/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const type = res.headers.get('content-type') ?? '';
        const answer = type.includes('json')
          ? await res.json()
          : Buffer.from(await res.arrayBuffer()).toString('base64');
        return { body: JSON.stringify({ status: res.status, contentType: type, body: answer }), type: 'json' };
      }
      if (context.path === '/__bff/outbox' && info) {
        const res = await fetch(`${info.url}/dev/outbox?${context.querystring}`);
        return { body: await res.text(), type: 'json' };
      }
      return undefined;
    },
  };
}
