/**
 * The BFF as `npm run bench` starts it: bff/src/main.ts's start-up, unchanged, plus what only the
 * bench may have, in the same process as the real routes (docs/benchmarks.md#the-floor). It is
 * never imported by the BFF, so none of this exists in production.
 *
 *   GET  /bench/floor       the floor: what a session check must at least do — hash the bearer token
 *                           as sessions are keyed (sha256, services/sessions.ts), one SELECT on the
 *                           sessions primary key, a JSON answer; no middleware, no tenant, no log
 *   POST /bench/floor/sign-in  the sign-in's floor: what a password sign-in must at least do — read
 *                           the JSON body, fold the name, one SELECT of the account's hash, the same
 *                           argon2id verify, one INSERT of a session keyed by a new token's hash, an
 *                           ES256 token (node:crypto), a JSON answer: two statements, each its own
 *                           commit, as the real sign-in's; no middleware, no limits, no audit, no log
 *   GET  /bench/empty       an HTTP answer and nothing else (`{"signedIn":false}`, no middleware): the
 *                           cost of Node's HTTP server, Hono and the socket that no route goes below
 *   POST /bench/memo?on=0|1 switches the session-check memo (services/session-cache.ts) off and on,
 *                           so memo on and off are measured in one process, one run
 *   GET  /bench/statements  statements this process sent to Postgres so far (node-postgres's
 *                           Client#query: every statement, BEGIN and COMMIT included), by text
 */
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { generateKeyPairSync, sign } from 'node:crypto';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { foldAccountName } from '../shared/src/rules/account-name.ts';
import { prepareBff } from '../bff/src/boot.ts';
import { randomToken, sha256Hex } from '../bff/src/crypto.ts';
import { argon2Hasher } from '../bff/src/services/passwords.ts';
import { httpServerOptions } from '../bff/src/http/server-options.ts';
import { installLifecycle } from '../bff/src/lifecycle.ts';
import { loggerFromEnv } from '../bff/src/log.ts';
import { SessionCache } from '../bff/src/services/session-cache.ts';

// ---- statement counter: wraps the one method every pooled statement goes through ----
const statements = new Map<string, number>();
let statementTotal = 0;
type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
const clientProto = pg.Client.prototype as unknown as { query: QueryFn };
const clientQuery = clientProto.query;
clientProto.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '?');
  statementTotal++;
  statements.set(text, (statements.get(text) ?? 0) + 1);
  return clientQuery.apply(this, args);
};

// ---- memo switch: the same effect as SESSION_CACHE_MS=0 (nothing stored, nothing found) ----
let memoOn = true;
type MemoGet = (this: SessionCache, ...args: Parameters<SessionCache['get']>) => ReturnType<SessionCache['get']>;
const memoProto = SessionCache.prototype as unknown as { get: MemoGet };
const memoGet = memoProto.get;
memoProto.get = function (this: SessionCache, ...args) {
  return memoOn ? memoGet.apply(this, args) : undefined;
};
Object.defineProperty(SessionCache.prototype, 'enabled', {
  get(this: SessionCache) {
    // the class's own test (ttlMs > 0), read through its private field: this file may, the app may not
    return memoOn && (this as unknown as { ttlMs: number }).ttlMs > 0;
  },
});

// ---- bff/src/main.ts ----
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? '127.0.0.1';
const log = loggerFromEnv(process.env);
const serverOptions = httpServerOptions(process.env);
const bff = await prepareBff({ port, log, remoteAddress: (c) => getConnInfo(c).remote.address });

// ---- the floor and the switches ----
const floorQuery = bff.db
  .selectFrom('sessions')
  .select(['account_id', 'expires_at'])
  .where('id_hash', '=', '')
  .compile();
const bench = new Hono();
bench.get('/bench/floor', async (c) => {
  const auth = c.req.header('authorization') ?? '';
  const idHash = sha256Hex(auth.startsWith('Bearer ') ? auth.slice(7) : '');
  const { rows } = await bff.db.executeQuery<{ account_id: string; expires_at: Date }>({
    ...floorQuery,
    parameters: [idHash],
  });
  const row = rows[0];
  return row ? c.json({ signedIn: true, accountId: row.account_id, expiresAt: row.expires_at }) : c.json({}, 401);
});
// the sign-in's floor: the demo tenant (the bench's account is registered there), its own key pair
const { id: demoTenantId } = await bff.db
  .selectFrom('tenants')
  .select('id')
  .where('slug', '=', 'demo')
  .executeTakeFirstOrThrow();
const floorHasher = argon2Hasher(bff.config.argon2);
const floorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const floorHeader = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT' })).toString('base64url');
const FLOOR_SESSION_MS = 24 * 3600 * 1000;
bench.post('/bench/floor/sign-in', async (c) => {
  const body = await c.req.json<{ identifier?: unknown; password?: unknown }>().catch(() => ({}) as never);
  if (typeof body.identifier !== 'string' || typeof body.password !== 'string') return c.json({}, 400);
  const { rows } = await bff.db.executeQuery<{ id: string; password_hash: string | null }>(
    CompiledQuery.raw(
      'select id, password_hash from accounts where tenant_id = $1 and account_name_folded = $2 and closed_at is null',
      [demoTenantId, foldAccountName(body.identifier)],
    ),
  );
  const account = rows[0];
  if (!account || !(await floorHasher.verify(account.password_hash, body.password))) return c.json({}, 401);
  const token = randomToken();
  const now = new Date();
  const expires = new Date(now.getTime() + FLOOR_SESSION_MS);
  await bff.db.executeQuery(
    CompiledQuery.raw(
      `insert into sessions (id_hash, tenant_id, account_id, mode, created_at, last_seen_at, idle_expires_at, expires_at)
       values ($1, $2, $3, 'token', $4, $4, $5, $5)`,
      [sha256Hex(token), demoTenantId, account.id, now, expires],
    ),
  );
  const iat = Math.floor(now.getTime() / 1000);
  const claims = { sub: account.id, aud: 'demo', iat, exp: iat + 300, jti: randomToken(16) };
  const input = `${floorHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(input), { key: floorKey, dsaEncoding: 'ieee-p1363' });
  return c.json({ token, accessToken: `${input}.${signature.toString('base64url')}` });
});
bench.get('/bench/empty', (c) => c.json({ signedIn: false }));
bench.post('/bench/memo', (c) => {
  memoOn = c.req.query('on') !== '0';
  return c.json({ memo: memoOn });
});
bench.get('/bench/statements', (c) => c.json({ total: statementTotal, byText: Object.fromEntries(statements) }));

const fetch = (req: Request, env: unknown) =>
  req.url.includes('/bench/') ? bench.fetch(req, env) : bff.app.fetch(req, env);
const server = serve({ fetch, port, hostname: host, serverOptions }, (info) => bff.announce(host, info.port));
installLifecycle(log, {
  stopAccepting: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    }),
  release: () => bff.stop(),
});
