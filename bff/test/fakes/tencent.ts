/**
 * Fake Tencent Cloud API 3.0 endpoint (SMS SendSms, VMS SendCodeVoice/SendTemplateVoice):
 * POST / with JSON body, the action in X-TC-Action, TC3-HMAC-SHA256 Authorization. API errors
 * answer HTTP 200 with `{ Response: { Error: { Code, Message }, RequestId } }`, as Tencent does.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { startHttpFake, type HttpFake, type RecordedRequest } from './http-fake.ts';

export interface FakeTencent extends HttpFake {
  /** the next call fails with a Tencent API error (HTTP 200, Response.Error) */
  failNextWith(code: string, message?: string): void;
  /** the next SendSms call succeeds as a call but the number fails with this SendStatus code */
  failNextNumber(code: string, message?: string): void;
}

function header(req: RecordedRequest, name: string): string {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();

/**
 * Checks a request's TC3-HMAC-SHA256 signature the way Tencent's gateway does (canonical request
 * over content-type and host, payload hash, date/service scope) and returns what it signed.
 */
export function verifyTc3(req: RecordedRequest, secretKey: string) {
  const auth = header(req, 'authorization');
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { valid: false as const, reason: 'malformed' };
  const [, secretId, date, service, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const timestamp = header(req, 'x-tc-timestamp');
  const hostname = header(req, 'host').replace(/:\d+$/, '');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${h === 'host' ? hostname : header(req, h)}\n`)
    .join('');
  const url = new URL(req.path, 'http://x');
  const canonicalRequest = [
    'POST',
    url.pathname,
    url.search.slice(1),
    canonicalHeaders,
    signedHeaders,
    sha256hex(req.rawBody),
  ].join('\n');
  const stringToSign = [
    'TC3-HMAC-SHA256',
    timestamp,
    `${date}/${service}/tc3_request`,
    sha256hex(canonicalRequest),
  ].join('\n');
  const kSigning = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  const dateOk = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10) === date;
  return { valid: expected === signature && dateOk, secretId, service, date, signedHeaders };
}

export async function startFakeTencent(): Promise<FakeTencent> {
  const pendingNumberFailures: Array<{ code: string; message: string }> = [];
  const fake = await startHttpFake((req) => {
    const action = header(req, 'x-tc-action');
    const RequestId = randomUUID();
    if (action === 'SendSms') {
      const phones = (req.body.PhoneNumberSet as string[] | undefined) ?? [];
      const numberFailure = pendingNumberFailures.shift();
      return {
        status: 200,
        body: {
          Response: {
            SendStatusSet: phones.map((PhoneNumber) => ({
              SerialNo: numberFailure ? '' : `2433:${randomUUID()}`,
              PhoneNumber,
              Fee: numberFailure ? 0 : 1,
              SessionContext: req.body.SessionContext ?? '',
              Code: numberFailure?.code ?? 'Ok',
              Message: numberFailure?.message ?? 'send success',
              IsoCode: PhoneNumber.startsWith('+86') ? 'CN' : 'DEF',
            })),
            RequestId,
          },
        },
      };
    }
    if (action === 'SendCodeVoice' || action === 'SendTemplateVoice') {
      return {
        status: 200,
        body: {
          Response: { SendStatus: { CallId: randomUUID(), SessionContext: req.body.SessionContext ?? '' }, RequestId },
        },
      };
    }
    return {
      status: 200,
      body: { Response: { Error: { Code: 'InvalidAction', Message: `unknown action ${action}` }, RequestId } },
    };
  });
  return Object.assign(fake, {
    failNextWith(code: string, message = code) {
      fake.failNext({
        status: 200,
        body: { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } },
      });
    },
    failNextNumber(code: string, message = code) {
      pendingNumberFailures.push({ code, message });
    },
  });
}
