import { generate } from 'otplib';
import { expect } from 'vitest';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import type { Harness } from './harness.ts';

export const epochOf = (d: Date) => Math.floor(d.getTime() / 1000);

/** Registers a user (token mode) and binds virtual MFA through the API, as the widget would. */
export async function userWithMfa(h: Harness, opts: { number: string; name: string; password?: string }) {
  const password = opts.password ?? 'Mfa#Pass2026';
  const reg = await h.register(
    { accountName: opts.name, number: opts.number, password },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  const token = reg.json.session.token as string;
  const call = (path: string, body?: unknown, t = token, method?: string) =>
    h.request(`/v1/security${path}`, {
      token: t,
      ...(body !== undefined ? { body } : {}),
      ...(method ? { method } : {}),
      locale: 'en',
    });
  await call('/step-up/start', { method: 'phone' });
  const code = (await readDevOutbox(h.db, { to: `+86${opts.number}`, limit: 1 }))[0].code!;
  expect((await call('/step-up/verify', { method: 'phone', code })).status).toBe(200);
  const setup = await call('/mfa/setup', {});
  expect(setup.status).toBe(200);
  const secret = setup.json.secret as string;
  const confirmed = await call('/mfa/confirm', { code: await generate({ secret, epoch: epochOf(h.clock.now()) }) });
  expect(confirmed.status).toBe(200);
  h.clock.advance(30); // the confirming code's step is spent
  return {
    ...opts,
    password,
    token,
    call,
    secret,
    accountId: reg.json.account.id as string,
    recoveryCodes: confirmed.json.recoveryCodes as string[],
    setup: setup.json,
  };
}
