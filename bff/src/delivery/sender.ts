/** A message ready to leave the building: what every channel provider receives. */
export interface OutgoingMessage {
  id: string;
  tenantId: string;
  channel: 'sms' | 'voice' | 'email';
  to: string;
  purpose: string;
  locale: string;
  subject: string | null;
  text: string;
}

export type DeliveryResult = { ok: true; providerId?: string } | { ok: false; retryable: boolean; reason: string };

/**
 * One interface for every provider (dev outbox today; Resend, SMS/voice providers in the
 * delivery issue). Providers get messages from the outbox after the state change committed.
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
  async deliver() {
    return { ok: true, providerId: 'dev' };
  },
};
