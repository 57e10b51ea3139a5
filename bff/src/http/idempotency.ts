import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../../../shared/src/errors.ts';
import { HEADER_IDEMPOTENCY_KEY } from '../../../shared/src/headers.ts';
import { deriveKey, randomToken, seal, sha256Hex, unseal } from '../crypto.ts';
import {
  completeIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  reserveIdempotencyKey,
  sweepIdempotencyKeys,
  type IdempotencyKeyId,
} from '../db/idempotency.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { AppEnv } from './context.ts';

/** 1–255 printable ASCII characters (a UUID is the usual choice). */
const KEY_SHAPE = /^[\x20-\x7e]{1,255}$/;
/** How long an answer is replayed. */
const KEPT_SECONDS = 24 * 3600;
/**
 * A run still unanswered this long after it started was abandoned (its process crashed): a retry
 * may run again. Far longer than any handler takes (the request deadline is seconds).
 */
const LEASE_SECONDS = 60;
/** The answer's headers a replay repeats; the others (CORS, request id, security headers) are the replay's own. */
const KEPT_HEADERS = ['content-type', 'cache-control', 'set-cookie'] as const;
/** Expired keys are deleted once every this many reservations (cheap: the expires_at index). */
const SWEEP_EVERY = 500;

interface StoredAnswer {
  headers: [string, string][];
  body: string;
}

/** Whether an answer is the request's outcome: a 5xx (a fault, an outage) or a 429 (refused before it ran, "retry after") is not. */
const isOutcome = (status: number) => status < 500 && status !== 429;

/**
 * Makes a create endpoint safe to retry (docs/operating.md#retries-idempotency-key). Without the
 * header nothing changes. With it, the first request reserves the key in one statement and runs
 * the handler; its answer (status, body, Set-Cookie) is stored sealed with a key derived from
 * JD_SECRET — a registration's answer carries a session — and replayed for 24 hours, with
 * `Idempotent-Replayed: true`, to a retry with the same key and the same request. The same key
 * with another body is 422 `idempotency_key_reused`; while the first run is still going, 409
 * `idempotency_in_progress` with Retry-After: 1. A 5xx or 429 is not kept: a retry runs again.
 *
 * Keys are scoped per tenant and per (method, path, acting account; '' when anonymous), so no one
 * else's key is ever replayed to a caller. An anonymous replay (registration) also needs the same
 * body, password and code included: only the one who sent the request can repeat it.
 * Goes after the session check (the scope names the account) and any body limit (the body is read here).
 */
export function idempotent(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config' | 'log'>): MiddlewareHandler<AppEnv> {
  const sealingKey = deriveKey(deps.config.secret, 'idempotent-answer');
  let sweepCountdown = 0;
  return async (c, next) => {
    const key = c.req.header(HEADER_IDEMPOTENCY_KEY);
    if (key === undefined) return next();
    if (!KEY_SHAPE.test(key)) throw new AppError('idempotency_key_invalid');

    const auth = c.get('auth');
    const { method, path } = c.req;
    const id: IdempotencyKeyId = {
      tenantId: c.get('tenant').id,
      scope: `${method} ${path} ${auth ? `${auth.accountId}/${auth.subUserId ?? ''}` : ''}`,
      key,
    };
    // the raw text, cached by Hono: the JSON validator after this parses the same text
    const fingerprint = sha256Hex(`${method} ${path}\n${await c.req.text()}`);
    const runId = randomToken(16);
    const now = deps.clock.now();
    const run = {
      fingerprint,
      runId,
      now,
      lockedUntil: new Date(now.getTime() + LEASE_SECONDS * 1000),
      expiresAt: new Date(now.getTime() + KEPT_SECONDS * 1000),
    };

    // Not reserved: answer from the key as it stands. It can vanish in between (its run failed and
    // let go, or it just expired): then reserve again, a few times at most.
    for (let tries = 1; !(await reserveIdempotencyKey(deps.db, id, run)); tries++) {
      const row = await findIdempotencyKey(deps.db, id, now);
      if (row && row.fingerprint !== fingerprint) throw new AppError('idempotency_key_reused');
      if (row?.state === 'done') {
        const answer = JSON.parse(unseal(sealingKey, row.response_enc!)) as StoredAnswer;
        for (const [name, value] of answer.headers) c.header(name, value, { append: name === 'set-cookie' });
        c.header('idempotent-replayed', 'true');
        return c.body(answer.body, row.status_code as ContentfulStatusCode);
      }
      if (row || tries >= 3) {
        c.header('retry-after', '1');
        throw new AppError('idempotency_in_progress');
      }
    }

    if (--sweepCountdown <= 0) {
      sweepCountdown = SWEEP_EVERY;
      await sweepIdempotencyKeys(deps.db, now).catch((error: unknown) =>
        deps.log.warn('idempotency keys not swept', { error }),
      );
    }

    const letGo = () =>
      releaseIdempotencyKey(deps.db, id, runId).catch((error: unknown) =>
        deps.log.warn('idempotency key not released', { requestId: c.get('requestId'), error }),
      );
    // The answer as the handler (or onError, for its error) made it, not c.res: once an outer
    // middleware has answered — the request deadline's 503 (http/deadline.ts) — Hono keeps that in
    // c.res and drops a late success, yet the late answer is the request's outcome and what a retry
    // must get. Every answer here is made by c.json (routes and http/errors.ts alike).
    const json = c.json;
    let made: Response | undefined;
    c.json = ((...args: Parameters<typeof json>) => (made = json(...args) as Response)) as typeof json;
    try {
      await next();
    } catch (err) {
      // errors normally reach onError inside next(); one that escaped it has no answer to keep
      await letGo();
      throw err;
    } finally {
      c.json = json;
    }
    const res = made ?? c.res;
    if (!isOutcome(res.status)) {
      await letGo();
      return;
    }
    try {
      const headers = KEPT_HEADERS.flatMap((name): [string, string][] =>
        name === 'set-cookie'
          ? res.headers.getSetCookie().map((v) => [name, v])
          : res.headers.has(name)
            ? [[name, res.headers.get(name)!]]
            : [],
      );
      const answer: StoredAnswer = { headers, body: await res.clone().text() };
      await completeIdempotencyKey(deps.db, id, runId, {
        statusCode: res.status,
        responseEnc: seal(sealingKey, JSON.stringify(answer)),
      });
    } catch (error) {
      // the answer still goes out; a retry meets "in progress" until the lease ends, then runs again
      deps.log.warn('idempotent answer not stored', { requestId: c.get('requestId'), error });
    }
  };
}
