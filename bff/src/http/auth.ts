import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../shared/src/errors.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { authenticateSession, type SessionAuth } from '../services/sessions.ts';
import type { AppContext, AppEnv } from './context.ts';
import { readSessionToken } from './session.ts';

/**
 * Routes behind it act for the signed-in account of this tenant; anything else is 401. With
 * `primaryOnly`, a sub-user's session is refused (it may not manage the primary's contacts or
 * sub-users).
 */
export function requireSession(
  deps: ServiceDeps,
  opts: { primaryOnly?: boolean; allowMfaPending?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = readSessionToken(c);
    const auth = token ? await authenticateSession(deps, c.get('tenant').id, token) : undefined;
    if (!auth) throw new AppError('not_signed_in');
    // a pending session can do nothing here — except apply to disassociate a lost device
    if (auth.mfaPending && !opts.allowMfaPending) throw new AppError('mfa_required');
    if (opts.primaryOnly && auth.subUserId) throw new AppError('sub_user_forbidden');
    c.set('auth', auth);
    c.header('cache-control', 'no-store');
    await next();
  };
}

export function sessionAuth(c: AppContext): SessionAuth {
  return c.get('auth')!;
}
