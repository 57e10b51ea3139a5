import type { AppConfig } from './config.ts';
import type { Db } from './db/create.ts';
import { createHmac } from './crypto.ts';
import { silentLogger } from './log.ts';
import { systemClock, type ServiceDeps } from './services/deps.ts';
import { argon2Hasher } from './services/passwords.ts';
import { SessionCache } from './services/session-cache.ts';

/** The Node wiring of service dependencies (argon2 native binding, dev outbox sender). */
export function nodeDeps(db: Db, config: AppConfig, overrides: Partial<ServiceDeps> = {}): ServiceDeps {
  return {
    db,
    config,
    clock: systemClock,
    hasher: argon2Hasher(config.argon2),
    onEnqueued: () => {},
    sessionCache: new SessionCache(config.session.cacheMs),
    hmac: createHmac(config.secret),
    // entry points pass the process logger; tests pass a capturing one or keep this (quiet)
    log: silentLogger,
    ...overrides,
  };
}
