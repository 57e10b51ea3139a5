/**
 * Attempt limits (docs/security.md#attempt-limits; docs/product.md#17-attempt-limits-and-lockout). Every secret
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
 * A password's subject is the identifier it was sent with (`i:<kind>:<value>`, `i:sub:<primary>/<name>`),
 * whether or not it names an account, so unknown identifiers are throttled and locked exactly like
 * known ones and a throttle on an account's name says nothing about its phone; an MFA code's
 * subject is the account (`a:<id>`) or sub-user (`s:<id>`) of its pending session.
 */
import { AppError } from '../../../shared/src/errors.ts';
import type { Limits } from '../config.ts';
import {
  clearAttempts,
  clearAttemptsByPrefix,
  releaseAttempts,
  reserveAttempts as reserveKeys,
  reserveAttemptsAlong as reserveKeysAlong,
  settleAttempts,
  sweepAttempts,
  type ReadAlong,
  type Reserved,
  type SettleKey,
} from '../db/attempts.ts';
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

/**
 * The client part of a key: an IPv4 address as is, an IPv6 address by its /64 (one subscriber's
 * network: a host picks any of its 2^64 addresses at will).
 */
export function clientOf(ip: string | null): string {
  if (!ip) return 'unknown';
  const bare = ip.replace(/^\[|\](:\d+)?$/g, '').toLowerCase();
  if (!bare.includes(':') || /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(bare)) return bare.replace(/^::ffff:/, '');
  const [head = '', tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = bare.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export const clientKey = (ip: string | null) => `client:${clientOf(ip)}`;
const pairKey = (tenantId: string, subject: string, ip: string | null) => `pair:${tenantId}:${subject}:${clientOf(ip)}`;
const accountKey = (tenantId: string, subject: string) => `acct:${tenantId}:${subject}`;
export const secretKey = (tenantId: string, accountId: string, subUserId: string | null) =>
  `secret:${tenantId}:${accountId}:${subUserId ?? '-'}`;

/** The three limits of a sign-in check of one subject from one client. */
export function signInLimits(tenantId: string, subject: string, ip: string | null): Limit[] {
  return [
    { rule: 'perClient', key: clientKey(ip) },
    { rule: 'perAccountClient', key: pairKey(tenantId, subject, ip), clearOnSuccess: true },
    { rule: 'perAccount', key: accountKey(tenantId, subject), refusal: 'account_locked', clearOnSuccess: true },
  ];
}

/** The limit of secrets checked for a signed-in session's account (or sub-user). */
export const sessionSecretLimits = (
  tenantId: string,
  accountId: string,
  subUserId: string | null,
  ip: string | null,
): Limit[] => [
  { rule: 'sessionSecrets', key: secretKey(tenantId, accountId, subUserId), clearOnSuccess: true },
  { rule: 'perClient', key: clientKey(ip) },
];

function refusalError(refusal: Limit['refusal'], retryAfterSeconds: number): AppError {
  if (refusal === 'account_locked')
    return new AppError('account_locked', {
      minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)),
      seconds: retryAfterSeconds,
    });
  return new AppError('too_many_attempts', { seconds: retryAfterSeconds });
}

/** Reserved attempts: settle them once the check is known. */
export interface Reservation {
  /** the secret was right: the owner's failures are forgotten, the client's attempt given back */
  succeeded(): Promise<void>;
  /** the check never ran (or the answer was not a failure): every attempt is given back */
  cancel(): Promise<void>;
  /**
   * what succeeded() does, as keys in lock order, for a statement that settles them along with
   * its own write instead (db/attempts.ts settlementCtes; sign-in's session insert)
   */
  readonly settlement: readonly SettleKey[];
}

let sweepCountdown = 0;

/**
 * Reserves one attempt on each limit; a refusal gives back what was reserved and throws (429,
 * with the seconds to wait). One statement: the client's own counters first, the account's lock
 * only when they allowed the attempt — so one client's burst is stopped by its own counters and
 * never reaches the account's, and cannot make the account look locked to others even for a moment.
 * A failed check keeps the attempts.
 */
export async function reserveAttempts(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>,
  limits: Limit[],
): Promise<Reservation> {
  const now = deps.clock.now();
  const { first, then } = keyGroups(deps, limits);
  return reservationOf(deps, limits, await reserveKeys(deps.db, first, then, now), now);
}

/**
 * reserveAttempts, sent in one statement with a read that does not depend on it (the sign-in's
 * candidate accounts): one round trip. The read's rows are returned only when the reservation
 * held — a refusal throws exactly as reserveAttempts does, and before the caller sees any row.
 * `present` names a column the read never leaves null.
 */
export async function reserveAttemptsAlong<V extends object, R extends Record<string, unknown>>(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>,
  limits: Limit[],
  read: ReadAlong<V, R>,
  present: keyof R & string,
): Promise<{ reservation: Reservation; rows: R[] }> {
  const now = deps.clock.now();
  const { first, then } = keyGroups(deps, limits);
  const { reserved, rows } = await reserveKeysAlong(deps.db, first, then, now, read, present);
  return { reservation: await reservationOf(deps, limits, reserved, now), rows };
}

/** The statement's `first` and `then` keys with their rules (a lone group is sent as `first`). */
function keyGroups(deps: Pick<ServiceDeps, 'config'>, limits: Limit[]) {
  const rule = (l: Limit) => ({ key: l.key, rule: deps.config.limits[l.rule] });
  const { first, then } = lockGroups(limits);
  return first.length ? { first: first.map(rule), then: then.map(rule) } : { first: then.map(rule), then: [] };
}

async function reservationOf(
  deps: Pick<ServiceDeps, 'db'>,
  limits: Limit[],
  result: Reserved,
  now: Date,
): Promise<Reservation> {
  if (!result.ok) throw refusalError(limits.find((l) => l.key === result.key)!.refusal, result.retryAfterSeconds);
  // now and then, counters idle for longer than any window go
  if (--sweepCountdown <= 0) {
    sweepCountdown = 500;
    await sweepAttempts(deps.db, new Date(now.getTime() - 2 * 24 * 3600 * 1000));
  }
  const settlement = inLockOrder(limits).map((l) => ({ key: l.key, clear: l.clearOnSuccess === true }));
  return {
    settlement,
    succeeded: () => settleAttempts(deps.db, settlement),
    cancel: () =>
      releaseAttempts(
        deps.db,
        inLockOrder(limits).map((l) => l.key),
      ),
  };
}

/** The client's own counters (`first`) and the account's (`then`): reserveAttempts counts the second only when the first allowed it. */
function lockGroups(limits: Limit[]) {
  return {
    first: limits.filter((l) => l.refusal !== 'account_locked'),
    then: limits.filter((l) => l.refusal === 'account_locked'),
  };
}

const byKey = (a: Limit, b: Limit) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The one order in which every statement locks several counters (db/attempts.ts): the `first`
 * group sorted by key, then the `then` group sorted by key — the order the reservation takes them in.
 */
const inLockOrder = (limits: Limit[]) => {
  const { first, then } = lockGroups(limits);
  return [...first.sort(byKey), ...then.sort(byKey)];
};

/** Runs a secret check under reserved attempts: kept when it fails with an AppError, settled otherwise. */
export async function withAttempts<T>(
  deps: Pick<ServiceDeps, 'db' | 'clock' | 'config'>,
  limits: Limit[],
  check: () => Promise<T>,
): Promise<T> {
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

/** The owner proved a security contact: the failures counted under these subjects (and subject prefixes) are forgotten. */
export async function unlockSubjects(
  deps: Pick<ServiceDeps, 'db'>,
  tenantId: string,
  subjects: string[],
  subjectPrefixes: string[] = [],
): Promise<void> {
  await clearAttempts(deps.db, subjects.map((s) => accountKey(tenantId, s)).sort()); // account keys only: sorted is their lock order
  await Promise.all([
    ...subjects.map((s) => clearAttemptsByPrefix(deps.db, `pair:${tenantId}:${s}:`)),
    ...subjectPrefixes.flatMap((p) => [
      clearAttemptsByPrefix(deps.db, `acct:${tenantId}:${p}`),
      clearAttemptsByPrefix(deps.db, `pair:${tenantId}:${p}`),
    ]),
  ]);
}
