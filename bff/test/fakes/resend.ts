/**
 * Fake Resend API: POST /emails answers `{ id }`; errors use Resend's body shape
 * `{ statusCode, name, message }`.
 */
import { randomUUID } from 'node:crypto';
import { startHttpFake, type HttpFake } from './http-fake.ts';

export interface FakeResend extends HttpFake {
  /** the next request fails with Resend's error body */
  failNextWith(statusCode: number, name: string, message?: string): void;
}

export async function startFakeResend(): Promise<FakeResend> {
  const fake = await startHttpFake((req) => {
    if (req.method === 'POST' && req.path === '/emails') return { status: 200, body: { id: randomUUID() } };
    return { status: 404, body: { statusCode: 404, name: 'not_found', message: 'The requested endpoint does not exist.' } };
  });
  return Object.assign(fake, {
    failNextWith(statusCode: number, name: string, message = name) {
      fake.failNext({ status: statusCode, body: { statusCode, name, message } });
    },
  });
}
