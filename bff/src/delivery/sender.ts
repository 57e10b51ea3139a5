/** A message ready to leave the building: what every channel provider receives. */
export interface OutgoingMessage {
  id: string;
  tenantId: string;
  channel: 'sms' | 'voice' | 'email';
  /** E.164 phone or email address */
  to: string;
  purpose: string;
  locale: string;
  subject: string | null;
  /** full plain text: SMS body, email text, voice script */
  text: string;
  /** email HTML body */
  html?: string | null;
  /** for providers that send pre-approved templates (mainland SMS): template key + ordered params */
  template?: { key: string; params: string[] } | null;
  /** the bare code, for voice-code APIs */
  code?: string | null;
}

export type DeliveryResult = { ok: true; providerId?: string } | { ok: false; retryable: boolean; reason: string };

/**
 * One interface for every provider (dev outbox, Resend, Tencent Cloud, Twilio). Providers get
 * messages from the outbox after the state change committed; `deliver` never throws.
 */
export interface MessageSender {
  readonly name: string;
  deliver(message: OutgoingMessage): Promise<DeliveryResult>;
}

/**
 * Development: the outbox table itself is the mailbox (GET /dev/outbox reads it), so delivering
 * is only acknowledging.
 */
export const devSender: MessageSender = {
  name: 'dev-outbox',
  deliver(message) {
    return Promise.resolve({ ok: true, providerId: `dev-${message.id}` });
  },
};

/** Picks the sender for a tenant and channel (tenant config, else environment, else dev/none). */
export type SenderResolver = (tenantId: string, channel: OutgoingMessage['channel']) => Promise<MessageSender>;
