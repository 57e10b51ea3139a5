/**
 * Attempt limits (README "Security model"; PRODUCT.md "Abuse, lockout and limits"). Every secret
 * check reserves its attempt on each key that limits it BEFORE the secret is checked — one atomic
 * upsert per key (bff/src/db/attempts.ts) — so a burst of concurrent requests checks no more
 * secrets than the caps allow, on any number of replicas sharing the database.
 *
 * Keys:
 *  - `client:<ip>`                     failed checks per client address, across tenants
 *  - `pair:<tenant>:<subject>:<ip>`    failed sign-in checks per (account, client): progressive delay
 *  - `acct:<tenant>:<subject>`         failed sign-in checks per account from all clients: locked,
 *                                      and the owner lifts it with a code (services/unlock.ts)
 *  - `secret:<tenant>:<account>:<sub>` wrong secrets behind a session: never lock the sign-in
 * A subject is the account (`a:<id>`), a sub-user (`s:<id>`) or, when the identifier names no
 * account, the identifier itself (`i:<kind>:<value>`): unknown identifiers are throttled and
 * locked exactly like known ones, so the answers cannot tell them apart.
 */
import { AppError } from '../../../shared/src/errors.ts';
import type { Limits } from '../config.ts';
import { clearAttempts, clearAttemptsByPrefix, releaseAttempts, reserveAttempts as reserveKeys, settleAttempts, sweepAttempts } from '../db/attempts.ts';
import type { ServiceDeps } from './deps.ts';

type LimitName = keyof Limits;

export interface Limit {
  rule: LimitName;
  key: string;
  /** what a refusal answers: this client is throttled, or the account is locked for everyone */
  refusal?: 'too_many_attempts' | 'account_locked';
  /** on success the key is forgotten (an owner's own failures), else one attempt is given back */
  clearOnSuccess?: boolean;
}

export const clientKey = (ip: string | null) => `client:${ip ?? 'unknown'}`;
export const pairKey = (tenantId: string, subject: string, ip: string | null) => `pair:${tenantId}:${subject}:${ip ?? 'unknown'}`;
export const accountKey = (tenantId: string, subject: string) => `acct:${tenantId}:${subject}`;
export const secretKey = (tenantId: string, accountId: string, subUserId: string | null) => `secret:${tenantId}:${accountId}:${subUserId ?? '-'}`;

/** The three limits of a sign-in check of one subject from one client. */
export function signInLimits(tenantId: string, subject: string, ip: string | null): Limit[] {
  return [
    { rule: 'perClient', key: clientKey(ip) },
    { rule: 'perAccountClient', key: pairKey(tenantId, subject, ip), clearOnSuccess: true },
    { rule: 'perAccount', key: accountKey(tenantId, subject), refusal: 'account_locked', clearOnSuccess: true },
  ];
}

/** The limit of secrets checked for a signed-in session's account (or sub-user). */
export const sessionSecretLimits = (tenantId: string, accountId: string, subUserId: string | null, ip: string | null): Limit[] => [
  { rule: 'sessionSecrets', key: secretKey(tenantId, accountId, subUserId), clearOnSuccess: true },
  { rule: 'perClient', key: clientKey(ip) },
];

export function refusalError(refusal: Limit['refusal'], retryAfterSeconds: number): AppError {
  if (refusal === 'account_locked') return new AppError('account_locked', { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)), seconds: retryAfterSeconds });
  return new AppError('too_many_attempts', { seconds: retryAfterSeconds });
}

/** Reserved attempts: settle them once the check is known. */
export interface Reservation {
  /** the secret was right: the owner's failures are forgotten, the client's attempt given back */
  succeeded(): Promise<void>;
  /** the check never ran (or the answer was not a failure): every attempt is given back */
  cancel(): Promise<void>;
}

let sweepCountdown = 0;

/**
 * Reserves one attempt on each limit; a refusal gives back what was reserved and throws (429,
 * with the seconds to wait). Two statements at most: the client's own counters first, then the
 * account's lock — so one client's burst is stopped by its own counters and never reaches the
 * account's, and cannot make the account look locked to others even for a moment.
 * A failed check keeps the attempts.
 */
export async function reserveAttempts(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>, limits: Limit[]): Promise<Reservation> {
  const now = deps.clock.now();
  const phases = [limits.filter((l) => l.refusal !== 'account_locked'), limits.filter((l) => l.refusal === 'account_locked')].filter((p) => p.length);
  const taken: Limit[] = [];
  for (const phase of phases) {
    const result = await reserveKeys(deps.db, phase.map((l) => ({ key: l.key, rule: deps.config.limits[l.rule] })), now);
    if (!result.ok) {
      await releaseAttempts(deps.db, taken.map((t) => t.key));
      throw refusalError(phase.find((l) => l.key === result.key)!.refusal, result.retryAfterSeconds);
    }
    taken.push(...phase);
  }
  // now and then, counters idle for longer than any window go
  if (--sweepCountdown <= 0) {
    sweepCountdown = 500;
    await sweepAttempts(deps.db, new Date(now.getTime() - 2 * 24 * 3600 * 1000));
  }
  return {
    succeeded: () =>
      settleAttempts(
        deps.db,
        taken.filter((t) => t.clearOnSuccess).map((t) => t.key),
        taken.filter((t) => !t.clearOnSuccess).map((t) => t.key),
      ),
    cancel: () => releaseAttempts(deps.db, taken.map((t) => t.key)),
  };
}

/** Runs a secret check under reserved attempts: kept when it fails with an AppError, settled otherwise. */
export async function withAttempts<T>(deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>, limits: Limit[], check: () => Promise<T>): Promise<T> {
  const reservation = await reserveAttempts(deps, limits);
  let result: T;
  try {
    result = await check();
  } catch (err) {
    // a refused secret stays counted; anything else (a fault) was not a guess
    if (!(err instanceof AppError)) await reservation.cancel().catch(() => {});
    throw err;
  }
  await reservation.succeeded();
  return result;
}

/** The owner proved a security contact: every failure counted against the account is forgotten. */
export async function unlockSubject(deps: Pick<ServiceDeps, 'db'>, tenantId: string, subject: string): Promise<void> {
  await clearAttempts(deps.db, [accountKey(tenantId, subject)]);
  await clearAttemptsByPrefix(deps.db, `pair:${tenantId}:${subject}:`);
}
