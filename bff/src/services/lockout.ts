import { AppError } from '../../../shared/src/errors.ts';
import { countFailuresSince } from '../db/audit.ts';
import type { ServiceDeps } from './deps.ts';

/** Account lockout: this many failed passwords or MFA codes within the window lock sign-in for the rest of it. */
export const LOCKOUT_FAILURES = 10;
export const LOCKOUT_WINDOW_MINUTES = 15;

export const lockoutWindowStart = (deps: ServiceDeps) => new Date(deps.clock.now().getTime() - LOCKOUT_WINDOW_MINUTES * 60_000);

/** Refuses before the password is even checked, so a locked account cannot be brute-forced meanwhile. */
export function assertNotLockedCount(recentFailures: number): void {
  if (Number(recentFailures) >= LOCKOUT_FAILURES) throw new AppError('account_locked', { minutes: LOCKOUT_WINDOW_MINUTES });
}

/** The lockout of a primary account (subUserId null) or of one sub-user: each counts only its own failures. */
export async function assertNotLocked(deps: ServiceDeps, tenantId: string, accountId: string, subUserId: string | null = null): Promise<void> {
  assertNotLockedCount(await countFailuresSince(deps.db, tenantId, accountId, ['sign_in_failed', 'mfa_failed'], lockoutWindowStart(deps), subUserId));
}
