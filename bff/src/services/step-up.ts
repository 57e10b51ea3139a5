/**
 * The step-up guard (docs/product.md#9-step-up-verification: a passed step-up is a 10-minute
 * grant bound to that session). One rule for every sensitive change — contacts, password, every MFA change — so
 * the account center and the MFA service can never disagree on when a grant has ended.
 */
import { AppError } from '../../../shared/src/errors.ts';
import type { Clock } from './deps.ts';
import type { SessionAuth } from './sessions.ts';

/** How long a passed step-up lets this session make sensitive changes. */
export const STEP_UP_SECONDS = 600;

/** Whether the session holds a step-up grant that has not ended: it ends at `stepUpUntil` itself. */
export function stepUpActive(deps: { clock: Clock }, auth: Pick<SessionAuth, 'stepUpUntil'>): boolean {
  return auth.stepUpUntil !== null && auth.stepUpUntil > deps.clock.now();
}

/** Throws 403 step_up_required unless the session holds an active step-up grant. */
export function requireStepUp(deps: { clock: Clock }, auth: Pick<SessionAuth, 'stepUpUntil'>): void {
  if (!stepUpActive(deps, auth)) throw new AppError('step_up_required');
}
