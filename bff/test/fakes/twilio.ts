/**
 * Fake Twilio REST API (2010-04-01): POST /2010-04-01/Accounts/{sid}/Messages.json and
 * Calls.json, form-encoded, HTTP Basic auth. Errors use Twilio's body shape
 * `{ code, message, more_info, status }`.
 */
import { randomBytes } from 'node:crypto';
import { startHttpFake, type HttpFake } from './http-fake.ts';

export interface FakeTwilio extends HttpFake {
  /** the next request fails with Twilio's error body */
  failNextWith(status: number, code: number, message?: string): void;
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const fake = await startHttpFake((req) => {
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-zA-Z]+)\/(Messages|Calls)\.json$/.exec(req.path);
    if (req.method !== 'POST' || !m) {
      return {
        status: 404,
        body: {
          code: 20404,
          message: 'The requested resource was not found',
          more_info: 'https://www.twilio.com/docs/errors/20404',
          status: 404,
        },
      };
    }
    const [, accountSid, kind] = m;
    const now = new Date().toUTCString();
    if (kind === 'Messages') {
      return {
        status: 201,
        body: {
          sid: sid('SM'),
          account_sid: accountSid,
          to: req.body.To,
          from: req.body.From ?? null,
          messaging_service_sid: req.body.MessagingServiceSid ?? null,
          body: req.body.Body,
          status: 'queued',
          direction: 'outbound-api',
          num_segments: '1',
          date_created: now,
          date_updated: now,
          api_version: '2010-04-01',
          uri: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
        },
      };
    }
    return {
      status: 201,
      body: {
        sid: sid('CA'),
        account_sid: accountSid,
        to: req.body.To,
        from: req.body.From,
        status: 'queued',
        direction: 'outbound-api',
        date_created: now,
        date_updated: now,
        api_version: '2010-04-01',
        uri: `/2010-04-01/Accounts/${accountSid}/Calls.json`,
      },
    };
  });
  return Object.assign(fake, {
    failNextWith(status: number, code: number, message = `error ${code}`) {
      fake.failNext({
        status,
        body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
      });
    },
  });
}
