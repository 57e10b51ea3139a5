/** Request headers of the widget ↔ BFF protocol (zod-free, so the widget can import them). */
export const HEADER_PUBLISHABLE_KEY = 'x-jd-publishable-key';
export const HEADER_SESSION_MODE = 'x-jd-session-mode';
export const HEADER_LOCALE = 'x-jd-locale';
/** a create request's retry key (bff/src/http/idempotency.ts): a retry with it answers the first run's answer */
export const HEADER_IDEMPOTENCY_KEY = 'idempotency-key';
