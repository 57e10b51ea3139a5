/**
 * Structured logs: one JSON object per line — `time`, `level`, `msg`, then `requestId` and any
 * other fields. No dependency and no runtime API beyond a write function, so the same module
 * runs on Node, Bun and edge runtimes.
 *
 * What may be logged: ids, codes of errors, statuses, durations, paths without their query.
 * What never is: request or response bodies, cookies, Authorization headers, session tokens,
 * verification codes, passwords, query strings. Callers pass only safe fields; as a second line
 * of defence, fields whose names say they hold a secret are replaced by "[redacted]".
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that adds these fields to every line (e.g. the request id) */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Field names that say "secret"; `code` is deliberately not here: it names error codes.
const SECRET_KEY = /pass(word)?|secret|token|cookie|authori[sz]ation|otp|api[-_]?key/i;
const RESERVED = new Set(['time', 'level', 'msg']);

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && value in RANK;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    if (value.stack) out.stack = value.stack;
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Whether a field name says "secret", decided once per name: a process logs a few dozen names, one line per request. */
const secretNames = new Map<string, boolean>();
function secretName(key: string): boolean {
  let secret = secretNames.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (secretNames.size < 1000) secretNames.set(key, secret);
  }
  return secret;
}

function copyFields(record: Record<string, unknown>, source: LogFields) {
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (value === undefined || RESERVED.has(key)) continue;
    record[key] = secretName(key) ? '[redacted]' : serialise(value);
  }
}

function line(level: LogLevel, msg: string, bound: LogFields, fields: LogFields | undefined, now: () => Date): string {
  const record: Record<string, unknown> = { time: now().toISOString(), level, msg };
  copyFields(record, bound);
  if (fields) copyFields(record, fields);
  try {
    return JSON.stringify(record);
  } catch {
    // a circular or otherwise unserialisable field must not lose the line
    return JSON.stringify({
      time: record.time,
      level,
      msg,
      ...(bound.requestId ? { requestId: bound.requestId } : {}),
      logError: 'unserialisable fields',
    });
  }
}

export interface LoggerOptions {
  /** where a finished line goes (without its newline); default stdout, batched */
  write?: (line: string, level: LogLevel) => void;
  /** lines below this level are dropped; default info */
  level?: LogLevel;
  now?: () => Date;
}

type ProcessLike = { stdout?: { write?: (s: string) => unknown }; on?: (event: 'exit', fn: () => void) => unknown };

/**
 * stdout where there is a process (Node, Bun, Deno's node compat), else the console (edge workers).
 * Lines are batched per turn of the event loop: on Linux a write to a pipe is a blocking syscall,
 * and one per request line cost the BFF more CPU than the request itself under load (npm run
 * bench, profiled). Error lines, and whatever waits before them, go out at once; the rest at
 * the latest at the next turn or at exit.
 */
function defaultWrite(): (line: string, level: LogLevel) => void {
  const proc = (globalThis as { process?: ProcessLike }).process;
  const stdout = proc?.stdout;
  if (!stdout?.write) return (l) => console.log(l);
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    stdout.write!(chunk);
  };
  proc!.on?.('exit', flush);
  const later =
    typeof setImmediate === 'function'
      ? (fn: () => void) => setImmediate(fn)
      : (fn: () => void) => void setTimeout(fn, 0);
  return (l, level) => {
    pending.push(`${l}\n`);
    if (level === 'error') flush();
    else if (!scheduled) {
      scheduled = true;
      later(flush);
    }
  };
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const write = options.write ?? defaultWrite();
  const min = RANK[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] >= min) write(line(level, msg, bound, fields, now), level);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => createLogger({ write, level: options.level ?? 'info', now }, { ...bound, ...fields }),
  };
}

/** The process logger of an entry point: level from LOG_LEVEL (debug, info, warn, error). */
export function loggerFromEnv(env: Record<string, string | undefined> = {}): Logger {
  const level = env.LOG_LEVEL;
  return createLogger(isLogLevel(level) ? { level } : {});
}

// An incoming X-Request-Id is kept only if it is a short token of safe characters: a caller
// could otherwise inject fake fields, control characters or megabytes into every line.
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** The request id: the caller's X-Request-Id when it is a safe token (tracing across hops), else a new UUID. */
export function requestIdFor(incoming: string | undefined | null): string {
  return incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/** Drops every line: the default where nothing asked for logs (tests, library use). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
