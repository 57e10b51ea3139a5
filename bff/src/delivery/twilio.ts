/**
 * SMS and voice codes through Twilio's official SDK, for numbers outside the mainland-template
 * world (or as a fallback). SMS sends the full text; voice places a call whose TwiML reads the
 * message with the code spelled digit by digit.
 *
 * The SDK is pointed at another host (a local fake in tests) through its supported hook: a
 * `RequestClient` subclass passed as `httpClient`, which rewrites https://api.twilio.com to
 * `baseUrl`. (`edge`/`region` only pick other twilio.com hosts.)
 */
import twilio from 'twilio';
import { DEFAULT_TIMEOUT_MS, DeadlineExceeded, failure, withDeadline } from './provider-errors.ts';
import type { DeliveryResult, MessageSender, OutgoingMessage } from './sender.ts';

export interface TwilioSayVoice {
  /** TwiML <Say language>, e.g. 'zh-CN', 'cmn-CN', 'en-US' */
  language: string;
  /** TwiML <Say voice>, e.g. 'Polly.Zhiyu'; omitted: Twilio's default for the language */
  voice?: string;
}

export interface TwilioSenderConfig {
  /** AC… */
  accountSid: string;
  authToken: string;
  /** E.164 sender number (SMS and voice caller id) */
  from: string;
  /** MG…: send SMS through a Messaging Service instead of `from` */
  messagingServiceSid?: string;
  /** default https://api.twilio.com; a local fake in tests */
  baseUrl?: string;
  /** hard deadline per request; default 10 s */
  timeoutMs?: number;
  /** <Say> language/voice per message locale; defaults: zh-CN → zh-CN, otherwise en-US */
  say?: Partial<Record<string, TwilioSayVoice>>;
}

const DEFAULT_SAY: Record<string, TwilioSayVoice> = { 'zh-CN': { language: 'zh-CN' }, en: { language: 'en-US' } };

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * The voice script with the code read one digit at a time ("1, 2, 3…" rather than "one hundred
 * twenty-three thousand…"), played twice.
 */
export function buildVoiceTwiml(
  message: Pick<OutgoingMessage, 'text' | 'code' | 'locale'>,
  say: TwilioSayVoice,
): string {
  const zh = message.locale.toLowerCase().startsWith('zh');
  const sep = zh ? '，' : ', ';
  let script = message.text;
  if (message.code) {
    const spelled = [...message.code].join(sep);
    script = script.includes(message.code)
      ? script.split(message.code).join(spelled)
      : `${script}${zh ? '' : ' '}${spelled}`;
  }
  const attrs = [
    `language="${xmlEscape(say.language)}"`,
    ...(say.voice ? [`voice="${xmlEscape(say.voice)}"`] : []),
    'loop="2"',
  ];
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say ${attrs.join(' ')}>${xmlEscape(script)}</Say></Response>`;
}

interface RestExceptionLike {
  status?: unknown;
  code?: unknown;
}

export function mapTwilioError(err: unknown, secrets: string[]): DeliveryResult & { ok: false } {
  if (err instanceof DeadlineExceeded) return failure(true, 'twilio_timeout', [], secrets);
  const e = (err ?? {}) as RestExceptionLike;
  if (err instanceof twilio.RestException || (typeof e.status === 'number' && 'moreInfo' in (err as object))) {
    const status = e.status as number;
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? e.code : null;
    if (status === 429 || code === 20429) return failure(true, 'twilio_rate_limited', [status, code], secrets);
    if (status >= 500) return failure(true, 'twilio_server_error', [status, code], secrets);
    if (status === 401 || status === 403) return failure(false, 'twilio_auth_failed', [status, code], secrets);
    if (status === 404) return failure(false, 'twilio_not_found', [status, code], secrets);
    return failure(false, 'twilio_rejected', [status, code], secrets);
  }
  // axios errors (refused, reset, socket timeout): never include their message, it carries config
  const axiosCode = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : null;
  return failure(true, 'twilio_unreachable', [axiosCode], secrets);
}

/** Sends every SDK request to `baseUrl` instead of https://*.twilio.com. */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(opts);
  }
  override request<TData>(
    opts: Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0] & { data?: TData },
  ) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+\.twilio\.com/, this.baseUrl) });
  }
}

export function createTwilioSender(config: TwilioSenderConfig): MessageSender {
  if (!config.accountSid || !config.authToken) throw new Error('twilio: accountSid and authToken are required');
  if (!config.from && !config.messagingServiceSid) throw new Error('twilio: from is required');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const secrets = [config.authToken];
  // the SDK's own socket timeout cleans up after our hard deadline; no SDK auto-retry (the outbox retries)
  const httpOpts = { timeout: timeoutMs + 1000, autoRetry: false };
  const httpClient = config.baseUrl
    ? new RebasedRequestClient(config.baseUrl.replace(/\/+$/, ''), httpOpts)
    : new twilio.RequestClient(httpOpts);
  const client = twilio(config.accountSid, config.authToken, { httpClient });

  return {
    name: 'twilio',
    async deliver(message: OutgoingMessage): Promise<DeliveryResult> {
      try {
        if (message.channel === 'sms') {
          const sent = await withDeadline(timeoutMs, () =>
            client.messages.create({
              to: message.to,
              body: message.text,
              ...(config.messagingServiceSid
                ? { messagingServiceSid: config.messagingServiceSid }
                : { from: config.from }),
            }),
          );
          return { ok: true, providerId: sent.sid };
        }
        if (message.channel === 'voice') {
          const say = config.say?.[message.locale] ?? DEFAULT_SAY[message.locale] ?? DEFAULT_SAY.en;
          const call = await withDeadline(timeoutMs, () =>
            client.calls.create({ to: message.to, from: config.from, twiml: buildVoiceTwiml(message, say) }),
          );
          return { ok: true, providerId: call.sid };
        }
        return failure(false, 'twilio_unsupported_channel', [message.channel], secrets);
      } catch (err) {
        return mapTwilioError(err, secrets);
      }
    },
  };
}
