import type { AppConfig } from '../config.ts';
import type { Db } from '../db/create.ts';
import type { Logger } from '../log.ts';
import type { PasswordHasher } from './passwords.ts';
import type { SessionCache } from './session-cache.ts';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What services need, passed in (no module singletons): tests hand in PGlite and a fixed clock. */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
  config: AppConfig;
  hasher: PasswordHasher;
  /** brief in-process memo of session checks */
  sessionCache: SessionCache;
  /** called after a transaction that queued messages committed (wakes the outbox worker) */
  onEnqueued: () => void;
  /** keyed hash for verification codes */
  hmac: (value: string) => string;
  /** structured JSON lines (bff/src/log.ts); never given secrets */
  log: Logger;
}

/** Who is asking: recorded with codes and sessions, used for per-IP limits. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  locale: 'zh-CN' | 'en';
}
