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
  /** the language of this request's answers and messages: the request's, else the tenant's default */
  locale: 'zh-CN' | 'en';
  /**
   * The language the request itself names (X-JD-Locale, else Accept-Language), recorded on the
   * account as its last locale (docs/product.md#19-languages); absent when it names none.
   */
  preferredLocale?: 'zh-CN' | 'en' | undefined;
}
