/**
 * SMS and voice codes for mainland China (+86) and Hong Kong, Macao, Taiwan (+852/+853/+886)
 * through Tencent Cloud.
 *
 * Why Tencent Cloud:
 * - Mainland SMS can only be sent with an approved signature (签名) and pre-approved templates
 *   (模板); free text is refused by every mainland carrier gateway. Tencent's SendSms takes
 *   exactly that: SmsSdkAppId + SignName + TemplateId + ordered TemplateParamSet, which matches
 *   OutgoingMessage.template ({ key, params }).
 * - The same SendSms call reaches HK/MO/TW (and other international) numbers in E.164 form with
 *   separately approved "international/HK/MO/TW" templates (`intlTemplates`), so one account
 *   covers every region the product offers.
 * - Official SDK on npm, per product: `tencentcloud-sdk-nodejs-sms` (SendSms, API 2021-01-11) on
 *   top of `tencentcloud-sdk-nodejs-common` (TC3-HMAC-SHA256 signing). Voice codes are Tencent's
 *   VMS product (SendCodeVoice / SendTemplateVoice, API 2020-09-02); there is no per-product VMS
 *   package on npm, and the all-products `tencentcloud-sdk-nodejs` is very large, so VMS goes
 *   through the common package's `CommonClient` (same signing, same error type).
 * - Alibaba Cloud (dysmsapi + dyvmsapi) would work equally; Tencent was chosen for the
 *   per-product SDK and one credential/region model for SMS and voice.
 *
 * Voice codes (VMS) are mainland-only: voice to other regions fails as final
 * (`tencent_voice_region_unsupported`) so the caller can offer SMS instead.
 *
 * Error mapping: the SDK throws TencentCloudSDKHttpException with `.code` (API error, HTTP 200),
 * `.httpCode` (non-200 answer) or neither (network, timeout). SendSms can also succeed as a call
 * while a number fails: SendStatusSet[i].Code !== 'Ok'. Rate limits over seconds/an hour,
 * InternalError.* and service unavailability are retryable; auth, permission, parameter,
 * template/signature, balance, blacklist and daily-quota errors are final (retrying cannot help
 * within a code's lifetime).
 */
import tencentCommon from 'tencentcloud-sdk-nodejs-common';
import tencentSms from 'tencentcloud-sdk-nodejs-sms';
import { DEFAULT_TIMEOUT_MS, DeadlineExceeded, failure, isMainlandChina, withDeadline } from './provider-errors.ts';
import type { DeliveryResult, MessageSender, OutgoingMessage } from './sender.ts';

type SmsClientType = InstanceType<typeof tencentSms.sms.v20210111.Client>;
type CommonClientType = InstanceType<typeof tencentCommon.CommonClient>;

export interface TencentSenderConfig {
  secretId: string;
  secretKey: string;
  /** e.g. 'ap-guangzhou' */
  region: string;
  /** SMS application id (SmsSdkAppId), e.g. '1400006666' */
  smsSdkAppId: string;
  /** approved mainland signature text (签名内容, not its id) */
  signName: string;
  /** approved mainland template id per purpose / template key */
  templates: Record<string, string>;
  /** approved international/HK/MO/TW template id per purpose; falls back to `templates` */
  intlTemplates?: Record<string, string>;
  /** signature for international/HK/MO/TW SMS (optional at Tencent) */
  intlSignName?: string;
  /** voice application id (VoiceSdkAppid); without it voice messages fail as final */
  voiceSdkAppId?: string;
  /** voice template id per purpose: use SendTemplateVoice with template params instead of SendCodeVoice */
  voiceTemplates?: Record<string, string>;
  /** times the voice code is played (1–3, default 2) */
  voicePlayTimes?: number;
  /** host[:port] overriding sms./vms.tencentcloudapi.com (a local fake in tests) */
  endpoint?: string;
  protocol?: 'https:' | 'http:';
  /** hard deadline per request; default 10 s */
  timeoutMs?: number;
}

const SMS_ENDPOINT = 'sms.tencentcloudapi.com';
const VMS_ENDPOINT = 'vms.tencentcloudapi.com';
const VMS_VERSION = '2020-09-02';

const RETRYABLE_LIMITS = new Set([
  'LimitExceeded.PhoneNumberThirtySecondLimit',
  'LimitExceeded.PhoneNumberOneHourLimit',
  'LimitExceeded.DeliveryFrequencyLimit',
]);

/** Classifies a Tencent Cloud error code (API-level or per-number SendStatus code). */
export function classifyTencentCode(code: string): { retryable: boolean; kind: string } {
  const top = code.split('.')[0] ?? code;
  if (top === 'RequestLimitExceeded' || RETRYABLE_LIMITS.has(code))
    return { retryable: true, kind: 'tencent_rate_limited' };
  if (top === 'LimitExceeded') return { retryable: false, kind: 'tencent_limit_exceeded' };
  if (top === 'AuthFailure') return { retryable: false, kind: 'tencent_auth_failed' };
  if (top === 'UnauthorizedOperation') return { retryable: false, kind: 'tencent_unauthorized' };
  if (top === 'InternalError') {
    // signature-field and missing-interface errors are configuration, not transient
    if (/Sig|RestApiInterfaceNotExist/.test(code)) return { retryable: false, kind: 'tencent_rejected' };
    return { retryable: true, kind: 'tencent_server_error' };
  }
  if (top === 'ServiceUnavailable' || top === 'ResourceUnavailable' || code === 'FailedOperation.ServiceBusy')
    return { retryable: true, kind: 'tencent_unavailable' };
  if (top === 'InvalidParameter' || top === 'InvalidParameterValue' || top === 'MissingParameter')
    return { retryable: false, kind: 'tencent_invalid_parameter' };
  return { retryable: false, kind: 'tencent_rejected' };
}

interface TencentErrorLike {
  code?: unknown;
  httpCode?: unknown;
}

export function mapTencentError(err: unknown, secrets: string[]): DeliveryResult & { ok: false } {
  if (err instanceof DeadlineExceeded) return failure(true, 'tencent_timeout', [], secrets);
  const e = (err ?? {}) as TencentErrorLike;
  if (typeof e.code === 'string' && e.code) {
    const { retryable, kind } = classifyTencentCode(e.code);
    return failure(retryable, kind, [e.code], secrets);
  }
  if (typeof e.httpCode === 'number') {
    const status = e.httpCode;
    const retryable = status === 429 || status >= 500;
    return failure(retryable, retryable ? 'tencent_http_error' : 'tencent_http_rejected', [status], secrets);
  }
  // no API code, no HTTP status: connection refused/reset, DNS, socket timeout
  return failure(true, 'tencent_unreachable', [], secrets);
}

export function createTencentSender(config: TencentSenderConfig): MessageSender {
  for (const key of ['secretId', 'secretKey', 'region', 'smsSdkAppId', 'signName'] as const) {
    if (!config[key]) throw new Error(`tencent: ${key} is required`);
  }
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = [config.secretKey, config.secretId];
  const protocol = `${config.protocol ?? 'https:'}//`;
  const clientConfig = (endpoint: string) => ({
    credential: { secretId: config.secretId, secretKey: config.secretKey },
    region: config.region,
    profile: {
      httpProfile: {
        endpoint: config.endpoint ?? endpoint,
        protocol,
        reqMethod: 'POST' as const,
        // the SDK's own socket timeout (seconds) cleans up after our hard deadline
        reqTimeout: Math.max(1, Math.ceil(timeoutMs / 1000) + 1),
      },
    },
  });
  const sms: SmsClientType = new tencentSms.sms.v20210111.Client(clientConfig(SMS_ENDPOINT));
  const vms: CommonClientType = new tencentCommon.CommonClient(VMS_ENDPOINT, VMS_VERSION, clientConfig(VMS_ENDPOINT));

  async function sendSms(message: OutgoingMessage): Promise<DeliveryResult> {
    const key = message.template?.key ?? message.purpose;
    const mainland = isMainlandChina(message.to);
    const templateId = mainland ? config.templates[key] : (config.intlTemplates?.[key] ?? config.templates[key]);
    if (!templateId) return failure(false, 'tencent_no_template', [key], secrets);
    if (!message.template) return failure(false, 'tencent_no_template_params', [key], secrets);
    const signName = mainland ? config.signName : config.intlSignName;
    // the SDK types answers as `any`; the shape is checked field by field below
    const answer: unknown = await withDeadline(timeoutMs, (signal) =>
      sms.request(
        'SendSms',
        {
          PhoneNumberSet: [message.to],
          SmsSdkAppId: config.smsSdkAppId,
          TemplateId: templateId,
          TemplateParamSet: message.template!.params,
          ...(signName ? { SignName: signName } : {}),
          SessionContext: message.id,
        },
        { signal },
      ),
    );
    const status = (answer as { SendStatusSet?: Array<{ Code?: string; SerialNo?: string }> }).SendStatusSet?.[0];
    if (!status) return failure(true, 'tencent_bad_answer', [], secrets);
    if (status.Code !== 'Ok') {
      const code = status.Code ?? 'unknown';
      const { retryable, kind } = classifyTencentCode(code);
      return failure(retryable, kind, [code], secrets);
    }
    return { ok: true, ...(status.SerialNo ? { providerId: status.SerialNo } : {}) };
  }

  async function sendVoice(message: OutgoingMessage): Promise<DeliveryResult> {
    if (!config.voiceSdkAppId) return failure(false, 'tencent_voice_not_configured', [], secrets);
    if (!isMainlandChina(message.to)) return failure(false, 'tencent_voice_region_unsupported', [], secrets);
    const key = message.template?.key ?? message.purpose;
    const voiceTemplateId = config.voiceTemplates?.[key];
    const playTimes = config.voicePlayTimes ?? 2;
    let action: string;
    let params: Record<string, unknown>;
    if (voiceTemplateId) {
      if (!message.template) return failure(false, 'tencent_no_template_params', [key], secrets);
      action = 'SendTemplateVoice';
      params = { TemplateId: voiceTemplateId, TemplateParamSet: message.template.params };
    } else {
      if (!message.code || !/^[0-9A-Za-z]{1,12}$/.test(message.code))
        return failure(false, 'tencent_no_voice_code', [], secrets);
      action = 'SendCodeVoice';
      params = { CodeMessage: message.code };
    }
    // the SDK types answers as `any`; the shape is checked field by field below
    const answer: unknown = await withDeadline(timeoutMs, (signal) =>
      vms.request(
        action,
        {
          ...params,
          CalledNumber: message.to,
          VoiceSdkAppid: config.voiceSdkAppId,
          PlayTimes: playTimes,
          SessionContext: message.id,
        },
        { signal },
      ),
    );
    const callId = (answer as { SendStatus?: { CallId?: string } }).SendStatus?.CallId;
    if (!callId) return failure(true, 'tencent_bad_answer', [], secrets);
    return { ok: true, providerId: callId };
  }

  return {
    name: 'tencent',
    async deliver(message: OutgoingMessage): Promise<DeliveryResult> {
      try {
        if (message.channel === 'sms') return await sendSms(message);
        if (message.channel === 'voice') return await sendVoice(message);
        return failure(false, 'tencent_unsupported_channel', [message.channel], secrets);
      } catch (err) {
        return mapTencentError(err, secrets);
      }
    },
  };
}
