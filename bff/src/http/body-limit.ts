import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../../shared/src/errors.ts';

/**
 * A body of at most `maxSize` bytes, told from its Content-Length where it has one: Node's parser
 * delivers exactly that many bytes, so nothing needs reading here, and the body stays unread for
 * the route (on Node, `c.req.json()` then reads the socket straight into a buffer). Hono's
 * bodyLimit asks `c.req.raw.body` first, which on Node builds a whole WHATWG Request and a stream
 * around the socket: ~0.3 ms of a sign-in's main thread (docs/benchmarks.md, the perf profile). A
 * chunked body (no length) still goes through Hono's, which counts while it reads.
 */
export function bodyLimitByLength(maxSize: number): MiddlewareHandler {
  const counted = bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError('payload_too_large');
    },
  });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counted(c, next);
    // Node refuses a malformed Content-Length before any route (400): this is digits
    if (Number(length) > maxSize) throw new AppError('payload_too_large');
    return next();
  };
}
