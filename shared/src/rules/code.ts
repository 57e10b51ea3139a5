/** One-time verification codes: 6 digits (docs/product.md#4-verification-codes). */
export const CODE_LENGTH = 6;
export const CODE_PATTERN = /^\d{6}$/;
export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;
export const CODE_RESEND_SECONDS = 60;
export const CODE_CHANNELS = ['sms', 'voice'] as const;
export type CodeChannel = (typeof CODE_CHANNELS)[number];
/** Purposes a visitor may request a code for without a session (the public endpoint). */
export const CODE_PURPOSES = ['register'] as const;
/**
 * Every purpose a code is issued for: registration, step-up, binding a new contact, unlocking a
 * locked account, resetting a forgotten password, signing in with a phone code.
 */
export type CodePurpose =
  (typeof CODE_PURPOSES)[number] | 'verify_identity' | 'contact_change' | 'unlock' | 'password_reset' | 'phone_sign_in';
export type CodeDeliveryChannel = CodeChannel | 'email';
