/**
 * The outbox across real processes: the BFF (bff/src/main.ts, OUTBOX_WORKER=0) commits a code
 * and its message, is killed with SIGKILL before anything is sent, and the stand-alone worker
 * (`bff/src/worker.ts --once`) delivers the message afterwards — exactly once, also when run
 * again. The SMS provider is Twilio (JD_SMS_PROVIDER=twilio + TWILIO_* from the environment)
 * pointed at a local fake. Database: a fresh database on DATABASE_URL's server, else a PGlite
 * directory in a temp dir (the killed BFF leaves its stale lock behind; the worker takes over).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/db/create.ts';
import { startFakeTwilio, type FakeTwilio } from './fakes/twilio.ts';
import { backend } from './harness.ts';

const root = resolve(import.meta.dirname, '../..');
const ACCOUNT_SID = `AC${'9a8b7c6d5e4f3a2b'.repeat(2)}`;
const AUTH_TOKEN = 'twilioCRASHTESTsecret0123456789ab';
const FROM = '+15005550006';

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves with the first match of `re` in stdout+stderr; rejects on exit or timeout */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

const children: ChildProcess[] = [];

function run(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => {
      done = true;
      for (const l of listeners) l();
      res({ code, signal });
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor: (re, timeoutMs) =>
      new Promise((res, rej) => {
        const timer = setTimeout(
          () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${re}; output:\n${out}`)),
          timeoutMs,
        );
        const check = () => {
          const m = re.exec(out);
          if (m) finish(undefined, m);
          else if (done) finish(new Error(`process exited before ${re}; output:\n${out}`));
        };
        function finish(err?: Error, m?: RegExpMatchArray) {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) rej(err);
          else res(m!);
        }
        listeners.add(check);
        check();
      }),
  };
}

async function runToEnd(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const p = run(args, env);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  return { code, signal, output: p.output() };
}

describe(`outbox across processes: the BFF dies after committing, the worker delivers (${backend})`, () => {
  let fake: FakeTwilio;
  let pgliteDir: string | undefined;
  let tmp: string | undefined;
  let dbUrl: string | undefined;
  let scratch: ScratchDatabase | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    const base: NodeJS.ProcessEnv = { ...process.env };
    delete base.DATABASE_URL;
    delete base.PGLITE_DIR;
    if (process.env.DATABASE_URL) {
      scratch = await createScratchDatabase(process.env.DATABASE_URL, 'jd_crash');
      dbUrl = scratch.url;
    } else {
      tmp = mkdtempSync(join(tmpdir(), 'jd-outbox-crash-'));
      pgliteDir = join(tmp, 'pglite');
    }
    env = {
      ...base,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0', // the BFF prints the port it got
      OUTBOX_WORKER: '0',
      SKIP_WIDGET_BUILD: '1',
      JD_SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: FROM,
      TWILIO_BASE_URL: fake.url,
      ...(dbUrl ? { DATABASE_URL: dbUrl } : { PGLITE_DIR: pgliteDir }),
    };
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await fake?.close();
    if (scratch) {
      await scratch.drop();
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  /** Reads the outbox row; on PGlite only while no other process has the directory open. */
  async function outboxRow(id: string) {
    const db = createDb(dbUrl ? { url: dbUrl, poolSize: 1 } : { pgliteDir });
    try {
      return await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    } finally {
      await db.destroy();
    }
  }

  it('a message committed by a BFF killed before sending is delivered exactly once by `worker.ts --once`, and not again', async () => {
    // 1. the BFF, without an in-process worker
    const bff = run(['bff/src/main.ts'], env);
    const [, port] = await bff.waitFor(/listening on http:\/\/localhost:(\d+)\//, 150_000);
    const [, pk] = await bff.waitFor(/demo tenant publishable key: (pk_[A-Za-z0-9_-]+)["\r\n]/, 10_000);
    expect(bff.output()).toContain('outbox worker: off (OUTBOX_WORKER=0)');
    const base = `http://127.0.0.1:${port}`;
    const headers = { 'content-type': 'application/json', 'x-jd-publishable-key': pk };

    // 2. a code through the API: committed with its message (202), nothing sent
    const res = await fetch(`${base}/v1/verification-codes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ phone: { region: 'CN', number: '13900003001' }, purpose: 'register', channel: 'sms' }),
    });
    const answer = (await res.json()) as { deliveryId: string };
    expect(res.status, JSON.stringify(answer)).toBe(202);
    const { deliveryId } = answer;
    expect(deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    const status = await fetch(`${base}/v1/deliveries/${deliveryId}`, { headers });
    expect(await status.json()).toMatchObject({ id: deliveryId, status: 'queued', attempts: 0 });
    const dev = (await (await fetch(`${base}/dev/outbox?to=${encodeURIComponent('+8613900003001')}`)).json()) as Array<{
      id: string;
      code: string;
    }>;
    const code = dev.find((m) => m.id === deliveryId)?.code;
    expect(code).toMatch(/^\d{6}$/);

    // 3. SIGKILL: no shutdown handler, no chance to send
    bff.child.kill('SIGKILL');
    expect((await bff.exited).signal).toBe('SIGKILL');
    expect(fake.requests).toHaveLength(0);
    if (pgliteDir) expect(existsSync(`${pgliteDir}.lock`)).toBe(true); // stale lock of a dead pid

    const row = await outboxRow(deliveryId);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });

    // 4. the stand-alone worker, once
    const first = await runToEnd(['bff/src/worker.ts', '--once'], env, 150_000);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('outbox worker: 1 message(s) handled');
    const sms = fake.requests.filter((r) => r.path === `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(sms).toHaveLength(1);
    expect(sms[0].body).toMatchObject({ To: '+8613900003001', From: FROM });
    expect(String(sms[0].body.Body)).toContain(code);

    const sent = await outboxRow(deliveryId);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, provider: 'twilio', last_error: null });
    expect(sent.provider_message_id).toMatch(/^SM[0-9a-f]{32}$/);

    // 5. again: nothing left to send
    const second = await runToEnd(['bff/src/worker.ts', '--once'], env, 150_000);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('outbox worker: 0 message(s) handled');
    expect(fake.requests).toHaveLength(1);
    expect(await outboxRow(deliveryId)).toMatchObject({ status: 'sent', attempts: 1 });
    for (const out of [bff.output(), first.output, second.output]) expect(out).not.toContain(AUTH_TOKEN);
  }, 420_000);
});
