/**
 * The real delivery adapters (Resend, Tencent Cloud SMS/VMS, Twilio) against local fakes of
 * their HTTP APIs: request shape and authentication, success mapping, and error mapping to
 * retryable/final results. No traffic leaves 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResendSender } from '../src/delivery/resend.ts';
import type { DeliveryResult, OutgoingMessage } from '../src/delivery/sender.ts';
import { classifyTencentCode, createTencentSender } from '../src/delivery/tencent.ts';
import { buildVoiceTwiml, createTwilioSender } from '../src/delivery/twilio.ts';
import { closedPortUrl } from './fakes/http-fake.ts';
import { startFakeResend, type FakeResend } from './fakes/resend.ts';
import { startFakeTencent, verifyTc3, type FakeTencent } from './fakes/tencent.ts';
import { startFakeTwilio, type FakeTwilio } from './fakes/twilio.ts';

let seq = 0;
function msg(over: Partial<OutgoingMessage>): OutgoingMessage {
  return {
    id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    tenantId: 'tenant-1',
    channel: 'sms',
    to: '+8613800138000',
    purpose: 'register',
    locale: 'zh-CN',
    subject: null,
    text: '您的注册验证码是123456，10分钟内有效。',
    template: { key: 'register', params: ['123456', '10'] },
    code: '123456',
    ...over,
  };
}

function expectFailure(result: DeliveryResult, retryable: boolean, reasonPrefix: string, secrets: string[]) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.retryable).toBe(retryable);
  expect(result.reason.startsWith(reasonPrefix)).toBe(true);
  expect(result.reason).toMatch(/^[a-z0-9_]+(:[A-Za-z0-9._-]+)*$/);
  for (const s of secrets) expect(result.reason).not.toContain(s);
}

// ---------------------------------------------------------------------------------------------
describe('Resend adapter', () => {
  const apiKey = 're_test_SECRETKEY_abcdef123456';
  const secrets = [apiKey, 'SECRETKEY'];
  let fake: FakeResend;
  beforeAll(async () => {
    fake = await startFakeResend();
  });
  afterAll(() => fake.close());
  const sender = (timeoutMs?: number) =>
    createResendSender({
      apiKey,
      from: 'JD Account <no-reply@mail.example.com>',
      baseUrl: fake.url,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  const email = (over: Partial<OutgoingMessage> = {}) =>
    msg({
      channel: 'email',
      to: 'user@example.com',
      purpose: 'email_verification',
      locale: 'en',
      subject: 'Verify your email',
      text: 'Open https://auth.example.com/v1/email/verify?token=t to verify.',
      html: '<p>Open <a href="https://auth.example.com/v1/email/verify?token=t">this link</a>.</p>',
      template: null,
      code: null,
      ...over,
    });

  it('sends from/to/subject/text/html with Bearer auth and the message id as Idempotency-Key', async () => {
    const m = email();
    const result = await sender().deliver(m);
    expect(result.ok).toBe(true);
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/emails');
    expect(req.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(req.headers['idempotency-key']).toBe(m.id);
    expect(req.body).toMatchObject({
      from: 'JD Account <no-reply@mail.example.com>',
      to: ['user@example.com'],
      subject: m.subject,
      text: m.text,
      html: m.html,
    });
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('leaves html out when the message has none', async () => {
    await sender().deliver(email({ html: null }));
    expect(fake.requests.at(-1)!.body).not.toHaveProperty('html');
  });

  it.each([
    [500, 'internal_server_error', true, 'resend_server_error:500'],
    [503, 'application_error', true, 'resend_server_error:503'],
    [429, 'rate_limit_exceeded', true, 'resend_rate_limited:429'],
    [429, 'daily_quota_exceeded', false, 'resend_quota_exceeded:429'],
    [409, 'concurrent_idempotent_requests', true, 'resend_conflict:409'],
    [401, 'missing_api_key', false, 'resend_auth_failed:401'],
    [403, 'invalid_api_key', false, 'resend_auth_failed:403'],
    [422, 'validation_error', false, 'resend_rejected:422'],
    [422, 'invalid_from_address', false, 'resend_rejected:422'],
  ] as const)('maps HTTP %i %s → retryable=%s', async (status, name, retryable, reason) => {
    // a provider message that echoes the key must not leak into the reason
    fake.failNextWith(status, name, `API key ${apiKey} is not valid`);
    expectFailure(await sender().deliver(email()), retryable, reason, secrets);
  });

  it('maps a non-JSON 502 from a proxy to a retryable failure', async () => {
    fake.failNext({ status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } });
    expectFailure(await sender().deliver(email()), true, 'resend_server_error:502', secrets);
  });

  it('turns a hung provider into a retryable timeout within timeoutMs', async () => {
    fake.hangNext();
    const started = Date.now();
    const result = await sender(200).deliver(email());
    expect(Date.now() - started).toBeLessThan(2000);
    expectFailure(result, true, 'resend_timeout', secrets);
  });

  it('maps an unreachable host to a retryable failure', async () => {
    const s = createResendSender({ apiKey, from: 'a@example.com', baseUrl: await closedPortUrl() });
    expectFailure(await s.deliver(email()), true, 'resend_unreachable', secrets);
  });

  it('refuses non-email channels as final', async () => {
    expectFailure(await sender().deliver(msg({ channel: 'sms' })), false, 'resend_unsupported_channel', secrets);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Tencent Cloud adapter (SMS SendSms, VMS SendCodeVoice)', () => {
  const secretId = 'AKIDtestSECRETIDxxxxxxxxxxxxxxxx';
  const secretKey = 'tencentSECRETKEYyyyyyyyyyyyyyyyy';
  const secrets = [secretId, secretKey];
  let fake: FakeTencent;
  beforeAll(async () => {
    fake = await startFakeTencent();
  });
  afterAll(() => fake.close());
  const sender = (over: { timeoutMs?: number; endpoint?: string } = {}) =>
    createTencentSender({
      secretId,
      secretKey,
      region: 'ap-guangzhou',
      smsSdkAppId: '1400006666',
      signName: '京东账号',
      templates: { register: '1000001', verify_identity: '1000002' },
      intlTemplates: { register: '2000001' },
      voiceSdkAppId: '1400009999',
      endpoint: over.endpoint ?? fake.host,
      protocol: 'http:',
      ...(over.timeoutMs ? { timeoutMs: over.timeoutMs } : {}),
    });

  it('sends a mainland SMS: SendSms with sign, template id and params, TC3-signed with the SecretId', async () => {
    const m = msg({});
    const result = await sender().deliver(m);
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^2433:/) });
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/');
    expect(req.headers['x-tc-action']).toBe('SendSms');
    expect(req.headers['x-tc-version']).toBe('2021-01-11');
    expect(req.headers['x-tc-region']).toBe('ap-guangzhou');
    expect(req.body).toEqual({
      PhoneNumberSet: ['+8613800138000'],
      SmsSdkAppId: '1400006666',
      TemplateId: '1000001',
      TemplateParamSet: ['123456', '10'],
      SignName: '京东账号',
      SessionContext: m.id,
    });
    const sig = verifyTc3(req, secretKey);
    expect(sig).toMatchObject({ valid: true, secretId, signedHeaders: 'content-type;host' });
    expect(String(req.headers.authorization)).not.toContain(secretKey);
    expect(req.rawBody).not.toContain(secretKey);
    // a wrong key does not verify: the check is real
    expect(verifyTc3(req, 'wrong-key').valid).toBe(false);
  });

  it('sends HK/MO/TW numbers in +E.164 with the international template and no mainland sign', async () => {
    for (const to of ['+85261234567', '+85366123456', '+886912345678']) {
      expect((await sender().deliver(msg({ to }))).ok).toBe(true);
      const body = fake.requests.at(-1)!.body;
      expect(body).toMatchObject({ PhoneNumberSet: [to], TemplateId: '2000001', TemplateParamSet: ['123456', '10'] });
      expect(body).not.toHaveProperty('SignName');
    }
  });

  it('falls back to the mainland template table when no international one is configured', async () => {
    expect(
      (
        await sender().deliver(
          msg({
            to: '+85261234567',
            purpose: 'verify_identity',
            template: { key: 'verify_identity', params: ['654321', '5'] },
          }),
        )
      ).ok,
    ).toBe(true);
    expect(fake.requests.at(-1)!.body).toMatchObject({ TemplateId: '1000002', TemplateParamSet: ['654321', '5'] });
  });

  it('fails as final, without calling Tencent, when no template is configured or no params given', async () => {
    const before = fake.requests.length;
    expectFailure(
      await sender().deliver(msg({ purpose: 'mfa_change', template: { key: 'mfa_change', params: [] } })),
      false,
      'tencent_no_template:mfa_change',
      secrets,
    );
    expectFailure(await sender().deliver(msg({ template: null })), false, 'tencent_no_template_params', secrets);
    expect(fake.requests.length).toBe(before);
  });

  it('sends a voice code through VMS SendCodeVoice', async () => {
    const m = msg({ channel: 'voice', code: '482913' });
    const result = await sender().deliver(m);
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const req = fake.requests.at(-1)!;
    expect(req.headers['x-tc-action']).toBe('SendCodeVoice');
    expect(req.headers['x-tc-version']).toBe('2020-09-02');
    expect(req.body).toEqual({
      CodeMessage: '482913',
      CalledNumber: '+8613800138000',
      VoiceSdkAppid: '1400009999',
      PlayTimes: 2,
      SessionContext: m.id,
    });
    expect(verifyTc3(req, secretKey)).toMatchObject({ valid: true, secretId });
  });

  it('refuses voice outside the mainland and voice without a code as final', async () => {
    const before = fake.requests.length;
    expectFailure(
      await sender().deliver(msg({ channel: 'voice', to: '+85261234567' })),
      false,
      'tencent_voice_region_unsupported',
      secrets,
    );
    expectFailure(
      await sender().deliver(msg({ channel: 'voice', code: null })),
      false,
      'tencent_no_voice_code',
      secrets,
    );
    expect(fake.requests.length).toBe(before);
  });

  it.each([
    ['AuthFailure.SignatureFailure', false, 'tencent_auth_failed'],
    ['AuthFailure.SecretIdNotFound', false, 'tencent_auth_failed'],
    ['UnauthorizedOperation.SmsSdkAppIdVerifyFail', false, 'tencent_unauthorized'],
    ['InvalidParameterValue.IncorrectPhoneNumber', false, 'tencent_invalid_parameter'],
    ['FailedOperation.TemplateIncorrectOrUnapproved', false, 'tencent_rejected'],
    ['FailedOperation.InsufficientBalanceInSmsPackage', false, 'tencent_rejected'],
    ['RequestLimitExceeded', true, 'tencent_rate_limited'],
    ['LimitExceeded.PhoneNumberThirtySecondLimit', true, 'tencent_rate_limited'],
    ['LimitExceeded.PhoneNumberDailyLimit', false, 'tencent_limit_exceeded'],
    ['InternalError.Timeout', true, 'tencent_server_error'],
    ['InternalError.SigFieldMissing', false, 'tencent_rejected'],
  ] as const)('maps API error %s → retryable=%s', async (code, retryable, kind) => {
    fake.failNextWith(code, `bad secret ${secretKey}`);
    expectFailure(await sender().deliver(msg({})), retryable, `${kind}:${code}`, secrets);
  });

  it('maps a per-number SendStatus failure (call succeeded, number failed)', async () => {
    fake.failNextNumber('LimitExceeded.PhoneNumberOneHourLimit');
    expectFailure(
      await sender().deliver(msg({})),
      true,
      'tencent_rate_limited:LimitExceeded.PhoneNumberOneHourLimit',
      secrets,
    );
    fake.failNextNumber('FailedOperation.PhoneNumberInBlacklist');
    expectFailure(
      await sender().deliver(msg({})),
      false,
      'tencent_rejected:FailedOperation.PhoneNumberInBlacklist',
      secrets,
    );
  });

  it('maps voice API errors the same way', async () => {
    fake.failNextWith('LimitExceeded.PhoneNumberThirtySecondLimit');
    expectFailure(await sender().deliver(msg({ channel: 'voice' })), true, 'tencent_rate_limited', secrets);
  });

  it('maps gateway HTTP errors: 500/502 retryable, 403 final', async () => {
    fake.failNext({ status: 500, body: 'oops', headers: { 'content-type': 'text/plain' } });
    expectFailure(await sender().deliver(msg({})), true, 'tencent_http_error:500', secrets);
    fake.failNext({ status: 502, body: 'bad gateway', headers: { 'content-type': 'text/plain' } });
    expectFailure(await sender().deliver(msg({})), true, 'tencent_http_error:502', secrets);
    fake.failNext({ status: 403, body: 'forbidden', headers: { 'content-type': 'text/plain' } });
    expectFailure(await sender().deliver(msg({})), false, 'tencent_http_rejected:403', secrets);
  });

  it('turns a hung provider into a retryable timeout within timeoutMs', async () => {
    fake.hangNext();
    const started = Date.now();
    const result = await sender({ timeoutMs: 200 }).deliver(msg({}));
    expect(Date.now() - started).toBeLessThan(2000);
    expectFailure(result, true, 'tencent_timeout', secrets);
  });

  it('maps an unreachable endpoint to a retryable failure', async () => {
    const endpoint = new URL(await closedPortUrl()).host;
    expectFailure(await sender({ endpoint }).deliver(msg({})), true, 'tencent_unreachable', secrets);
  });

  it('classifies codes without a request too', () => {
    expect(classifyTencentCode('ServiceUnavailable')).toEqual({ retryable: true, kind: 'tencent_unavailable' });
    expect(classifyTencentCode('MissingParameter')).toEqual({ retryable: false, kind: 'tencent_invalid_parameter' });
  });
});

// ---------------------------------------------------------------------------------------------
describe('Twilio adapter', () => {
  const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = 'twilioAUTHTOKENzzzzzzzzzzzzzzzzz';
  const secrets = [authToken];
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await startFakeTwilio();
  });
  afterAll(() => fake.close());
  const sender = (over: { timeoutMs?: number; baseUrl?: string } = {}) =>
    createTwilioSender({
      accountSid,
      authToken,
      from: '+15005550006',
      baseUrl: over.baseUrl ?? fake.url,
      ...(over.timeoutMs ? { timeoutMs: over.timeoutMs } : {}),
    });
  const basic = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  it('sends an SMS: Messages.json, form-encoded To/From/Body, Basic auth', async () => {
    const m = msg({ to: '+85261234567', locale: 'en', text: 'Your code is 123456. It expires in 10 minutes.' });
    const result = await sender().deliver(m);
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(req.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBe(basic);
    expect(req.body).toEqual({ To: '+85261234567', From: '+15005550006', Body: m.text });
  });

  it('uses a Messaging Service when configured', async () => {
    const s = createTwilioSender({
      accountSid,
      authToken,
      from: '+15005550006',
      messagingServiceSid: 'MG0123',
      baseUrl: fake.url,
    });
    expect((await s.deliver(msg({}))).ok).toBe(true);
    expect(fake.requests.at(-1)!.body).toMatchObject({ MessagingServiceSid: 'MG0123' });
    expect(fake.requests.at(-1)!.body).not.toHaveProperty('From');
  });

  it('places a voice call whose TwiML reads the code digit by digit, XML-escaped', async () => {
    const m = msg({
      channel: 'voice',
      to: '+886912345678',
      text: '您的验证码是123456 <请勿泄露> & 10分钟内有效',
      code: '123456',
    });
    const result = await sender().deliver(m);
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${accountSid}/Calls.json`);
    expect(req.headers.authorization).toBe(basic);
    expect(req.body).toMatchObject({ To: '+886912345678', From: '+15005550006' });
    const twiml = String(req.body.Twiml);
    expect(twiml).toContain('<Say language="zh-CN" loop="2">');
    expect(twiml).toContain('1，2，3，4，5，6');
    expect(twiml).not.toContain('123456');
    expect(twiml).toContain('&lt;请勿泄露&gt; &amp; 10分钟内有效');
    expect(twiml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Say [^>]+>[^<>]*<\/Say><\/Response>$/);
  });

  it('builds English TwiML and appends the code when the script lacks it', () => {
    const twiml = buildVoiceTwiml(
      { locale: 'en', text: 'Your "JD" code is', code: '0042' },
      { language: 'en-US', voice: 'Polly.Joanna' },
    );
    expect(twiml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US" voice="Polly.Joanna" loop="2">Your &quot;JD&quot; code is 0, 0, 4, 2</Say></Response>',
    );
  });

  it.each([
    [500, 20500, true, 'twilio_server_error:500:20500'],
    [503, 20503, true, 'twilio_server_error:503:20503'],
    [429, 20429, true, 'twilio_rate_limited:429:20429'],
    [401, 20003, false, 'twilio_auth_failed:401:20003'],
    [400, 21211, false, 'twilio_rejected:400:21211'],
    [400, 21610, false, 'twilio_rejected:400:21610'],
    [404, 20404, false, 'twilio_not_found:404:20404'],
  ] as const)('maps HTTP %i (code %i) → retryable=%s', async (status, code, retryable, reason) => {
    fake.failNextWith(status, code, `Authenticate with ${authToken}`);
    expectFailure(await sender().deliver(msg({})), retryable, reason, secrets);
  });

  it('turns a hung provider into a retryable timeout within timeoutMs', async () => {
    fake.hangNext();
    const started = Date.now();
    const result = await sender({ timeoutMs: 200 }).deliver(msg({ channel: 'voice' }));
    expect(Date.now() - started).toBeLessThan(2000);
    expectFailure(result, true, 'twilio_timeout', secrets);
  });

  it('maps an unreachable host to a retryable failure', async () => {
    expectFailure(
      await sender({ baseUrl: await closedPortUrl() }).deliver(msg({})),
      true,
      'twilio_unreachable',
      secrets,
    );
  });

  it('refuses email as final', async () => {
    expectFailure(
      await sender().deliver(msg({ channel: 'email', to: 'a@example.com' })),
      false,
      'twilio_unsupported_channel',
      secrets,
    );
  });
});
