/**
 * HTTP hygiene on the real Node server, started as `npm start` starts it (bff/src/main.ts), with
 * raw sockets: oversized headers, headers or a body trickled a byte at a time (slowloris), the
 * 413's Connection: close, idle keep-alive connections. The limits are bff/src/http/server-options.ts;
 * here they are shortened through the environment so the test is quick. Keep-alive after a 413 is
 * keep-alive.test.ts's.
 *
 * The server runs on a fresh PGlite directory on both passes: these limits are Node's, before any
 * query, and do not depend on the database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LIMITS, httpLimits, httpServerOptions } from '../src/http/server-options.ts';

const root = resolve(import.meta.dirname, '../..');
const PORT = 8881;
const HOST = `127.0.0.1:${PORT}`;
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const KEEP_ALIVE_TIMEOUT_MS = 7000;
const TRICKLE_MS = 200;

let child: ChildProcess | undefined;
let tmp: string;
let output = '';
let publishableKey = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'jd-server-limits-'));
  const { DATABASE_URL: _url, PGLITE_DIR: _dir, ...base } = process.env;
  child = spawn(process.execPath, ['--import', 'tsx', 'bff/src/main.ts'], {
    cwd: root,
    env: {
      ...base,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(PORT),
      PGLITE_DIR: join(tmp, 'pglite'),
      OUTBOX_WORKER: '0',
      SKIP_WIDGET_BUILD: '1',
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = new Promise<void>((res, rej) => {
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      // up to the character after it: output comes in chunks, and one may end inside the key
      const key = /demo tenant publishable key: (pk_test_[\w-]+)[^\w-]/.exec(output);
      if (key) {
        publishableKey = key[1];
        res();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => rej(new Error(`the BFF exited (${code}) before listening:\n${output}`)));
  });
  await started;
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** A raw connection: everything the server sent, and whether (and when) it closed the socket. */
interface Conn {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
  /** resolves once the received text matches `re` (or the socket closes) */
  waitFor(re: RegExp): Promise<string>;
}

async function open(): Promise<Conn> {
  const socket = connect(PORT, '127.0.0.1');
  await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
  let data = '';
  let isClosed = false;
  const waiters = new Set<() => void>();
  socket.on('data', (d) => {
    data += d.toString('latin1');
    for (const w of waiters) w();
  });
  socket.on('error', () => {}); // a reset is one way of being cut off; `closed` reports it
  const closed = new Promise<void>((res) =>
    socket.once('close', () => {
      isClosed = true;
      for (const w of waiters) w();
      res();
    }),
  );
  return {
    socket,
    received: () => data,
    closed,
    isClosed: () => isClosed,
    waitFor: (re) =>
      new Promise((res) => {
        const check = () => {
          if (re.test(data) || isClosed) {
            waiters.delete(check);
            res(data);
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes `bytes` one at a time, TRICKLE_MS apart, until the server closes the socket or `max`
 * bytes are sent; returns how many were sent.
 */
async function trickle(conn: Conn, bytes: string, max: number): Promise<number> {
  let sent = 0;
  while (sent < max && !conn.isClosed()) {
    conn.socket.write(bytes[sent % bytes.length]);
    sent++;
    await Promise.race([sleep(TRICKLE_MS), conn.closed]);
  }
  return sent;
}

/** One complete GET on a fresh connection: the status line's code. */
async function get(path: string, extra = ''): Promise<string> {
  const conn = await open();
  conn.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\n${extra}Connection: close\r\n\r\n`);
  await conn.closed;
  return conn.received();
}

const statusOf = (raw: string) => /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];

describe('the limits', () => {
  it('defaults: 16 KiB of headers, 10 s for headers, 60 s for a request, 65 s keep-alive (above a 60 s proxy)', () => {
    expect(httpServerOptions({})).toEqual({
      maxHeaderSize: 16 * 1024,
      headersTimeout: 10_000,
      requestTimeout: 60_000,
      keepAliveTimeout: 65_000,
      connectionsCheckingInterval: 1000,
    });
    expect(HTTP_LIMITS.keepAliveTimeoutMs).toBeGreaterThan(60_000);
  });

  it('takes the timeouts from the environment and refuses values Node would misuse', () => {
    expect(
      httpLimits({
        HTTP_HEADERS_TIMEOUT_MS: '500',
        HTTP_REQUEST_TIMEOUT_MS: '900',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '620000',
      }),
    ).toMatchObject({
      headersTimeoutMs: 500,
      requestTimeoutMs: 900,
      keepAliveTimeoutMs: 620_000,
      connectionsCheckingIntervalMs: 250, // checked at least twice within the shortest limit
    });
    for (const bad of ['0', '-1', '1.5', 'ten']) {
      expect(() => httpLimits({ HTTP_REQUEST_TIMEOUT_MS: bad }), bad).toThrow(
        /HTTP_REQUEST_TIMEOUT_MS must be a positive integer/,
      );
    }
    expect(() => httpLimits({ HTTP_HEADERS_TIMEOUT_MS: '70000' })).toThrow(/must not exceed HTTP_REQUEST_TIMEOUT_MS/);
  });
});

describe('the Node server started by main.ts', () => {
  it('cuts off a client trickling its headers past the headers timeout with a 408, and answers others meanwhile', async () => {
    const slow = await open();
    slow.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: `);
    // never-ending header value: 40 bytes would take 8 s, four times the limit and its check interval
    const trickling = trickle(slow, 'abcdefgh', 40);
    await sleep(HEADERS_TIMEOUT_MS / 2);
    expect(slow.isClosed()).toBe(false);
    expect(statusOf(await get('/healthz'))).toBe('200'); // the server is not tied up by the slow one
    const sent = await trickling;
    expect(slow.isClosed(), `still open after ${sent} bytes, ${sent * TRICKLE_MS} ms`).toBe(true);
    expect(sent).toBeLessThan(40);
    expect(statusOf(slow.received())).toBe('408');
  });

  it('cuts off a body trickled past the request timeout with a 408', async () => {
    const body = JSON.stringify({ identifier: 'someone', password: 'x'.repeat(200) });
    const slow = await open();
    slow.socket.write(
      `POST /v1/sessions HTTP/1.1\r\nHost: ${HOST}\r\nOrigin: http://localhost:${PORT}\r\nX-JD-Publishable-Key: ${publishableKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    // the headers are complete at once, so only the request timeout applies; 60 bytes would take 12 s
    const sent = await trickle(slow, body, 60);
    expect(slow.isClosed(), `still open after ${sent} bytes of the body`).toBe(true);
    expect(sent).toBeLessThan(60);
    expect(statusOf(slow.received())).toBe('408');
    expect(statusOf(await get('/healthz'))).toBe('200');
  });

  it('refuses 20 KiB of headers with 431 and accepts 12 KiB', async () => {
    expect(statusOf(await get('/healthz', `X-Big: ${'a'.repeat(20 * 1024)}\r\n`))).toBe('431');
    expect(statusOf(await get('/healthz', `X-Big: ${'a'.repeat(12 * 1024)}\r\n`))).toBe('200');
  });

  it('answers an oversized body 413 with Connection: close, and closes the connection', async () => {
    const conn = await open();
    conn.socket.write(
      `POST /v1/sessions HTTP/1.1\r\nHost: ${HOST}\r\nOrigin: http://localhost:${PORT}\r\nX-JD-Publishable-Key: ${publishableKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${70 * 1024}\r\n\r\n{"identifier":"`,
    );
    // the rest of the body never comes: the answer must not wait for it, nor keep the socket
    await conn.closed;
    const raw = conn.received();
    expect(statusOf(raw)).toBe('413');
    expect(raw).toMatch(/\r\nconnection: close\r\n/i);
    expect(raw).toContain('"code":"payload_too_large"');
  });

  // a body without a Content-Length is counted while it is read (http/body-limit.ts); one with
  // a length is judged by the length and read by the route
  const chunked = (body: string) =>
    `POST /v1/sessions HTTP/1.1\r\nHost: ${HOST}\r\nOrigin: http://localhost:${PORT}\r\nX-JD-Publishable-Key: ${publishableKey}\r\n` +
    `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
    `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;

  it('answers an oversized chunked body 413, and reads a small one as JSON', async () => {
    const big = await open();
    big.socket.write(chunked(JSON.stringify({ identifier: 'x'.repeat(70 * 1024), password: 'p' })));
    await big.closed;
    expect(statusOf(big.received())).toBe('413');
    expect(big.received()).toContain('"code":"payload_too_large"');

    const small = await open();
    small.socket.write(chunked(JSON.stringify({ identifier: 'nobody_here', password: 'Wrong#2468xyz' })));
    await small.closed;
    // read and validated as the JSON it is: the wrong credentials' answer, not invalid_input
    expect(statusOf(small.received())).toBe('401');
    expect(small.received()).toContain('"code":"invalid_credentials"');
  });

  it('reads a body with a Content-Length as JSON, and refuses one that is not', async () => {
    const post = async (body: string) => {
      const conn = await open();
      conn.socket.write(
        `POST /v1/sessions HTTP/1.1\r\nHost: ${HOST}\r\nOrigin: http://localhost:${PORT}\r\nX-JD-Publishable-Key: ${publishableKey}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      await conn.closed;
      return conn.received();
    };
    const wrong = await post(JSON.stringify({ identifier: '名字_nobody', password: 'Wrong#2468xyz' }));
    expect(statusOf(wrong)).toBe('401');
    const broken = await post('{"identifier":');
    expect(statusOf(broken)).toBe('400');
    expect(broken).toContain('"code":"invalid_input"');
  });

  it('keeps an idle keep-alive connection past the headers timeout, and says for how long', async () => {
    const conn = await open();
    const request = `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
    conn.socket.write(request);
    const first = await conn.waitFor(/\r\n\r\nok/);
    expect(statusOf(first)).toBe('200');
    expect(first).toMatch(new RegExp(`\\r\\nkeep-alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}\\r\\n`, 'i'));
    // idle between requests is the keep-alive timeout's business, not the headers timeout's
    await sleep(HEADERS_TIMEOUT_MS * 2.5);
    expect(conn.isClosed()).toBe(false);
    conn.socket.write(request);
    const both = await conn.waitFor(/ok[\s\S]*\r\n\r\nok/);
    expect(both.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    conn.socket.destroy();
  });
});
