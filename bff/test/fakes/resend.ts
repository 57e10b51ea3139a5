/**
 * Fake Resend API: POST /emails answers `{ id }`; errors use Resend's body shape
 * `{ statusCode, name, message }`.
 *
 * Idempotency-Key as Resend documents it (resend.com/docs/dashboard/emails/idempotency-keys):
 * a key is kept 24 hours; the same key with the same payload within them gets the first
 * answer again and sends nothing; the same key with another payload is 409
 * `invalid_idempotent_request`; a key outside 1–256 characters is 400 `invalid_idempotency_key`.
 * Only a sent email keeps its key (an error answer does not). Keys are scoped per API key here
 * (Resend scopes them to the account). Concurrent requests with one key (409
 * `concurrent_idempotent_requests`) cannot happen in this fake: it answers synchronously.
 */
import { randomUUID } from 'node:crypto';
import { startHttpFake, type FakeAnswer, type HttpFake, type RecordedRequest } from './http-fake.ts';

export interface FakeResend extends HttpFake {
  /** the next request fails with Resend's error body */
  failNextWith(statusCode: number, name: string, message?: string): void;
  /** the emails actually sent: one per accepted request, none for an idempotent replay */
  readonly emails: Array<{ id: string; idempotencyKey: string | null; request: RecordedRequest }>;
}

const KEY_TTL_MS = 24 * 3600 * 1000;

const error = (statusCode: number, name: string, message: string): FakeAnswer => ({
  status: statusCode,
  body: { statusCode, name, message },
});

/** `now`: the fake's clock for the 24-hour key window (default the real one). */
export async function startFakeResend(options: { now?: () => number } = {}): Promise<FakeResend> {
  const now = options.now ?? Date.now;
  const emails: FakeResend['emails'] = [];
  const keys = new Map<string, { payload: string; answer: FakeAnswer; at: number }>();

  const fake = await startHttpFake((req) => {
    if (req.method !== 'POST' || req.path !== '/emails')
      return error(404, 'not_found', 'The requested endpoint does not exist.');
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : null;
    if (key !== null && (key.length < 1 || key.length > 256))
      return error(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
    const scoped = key === null ? null : `${req.headers.authorization ?? ''}\n${key}`;
    if (scoped !== null) {
      const seen = keys.get(scoped);
      if (seen && now() - seen.at < KEY_TTL_MS) {
        if (seen.payload !== req.rawBody)
          return error(
            409,
            'invalid_idempotent_request',
            'Same idempotency key used with a different request payload.',
          );
        return seen.answer;
      }
    }
    const answer: FakeAnswer = { status: 200, body: { id: randomUUID() } };
    emails.push({ id: (answer.body as { id: string }).id, idempotencyKey: key, request: req });
    if (scoped !== null) keys.set(scoped, { payload: req.rawBody, answer, at: now() });
    return answer;
  });
  return Object.assign(fake, {
    emails,
    failNextWith(statusCode: number, name: string, message = name) {
      fake.failNext({ status: statusCode, body: { statusCode, name, message } });
    },
  });
}
