/** Request headers of the widget ↔ BFF protocol (zod-free, so the widget can import them). */
export const HEADER_PUBLISHABLE_KEY = 'x-jd-publishable-key';
export const HEADER_SESSION_MODE = 'x-jd-session-mode';
export const HEADER_LOCALE = 'x-jd-locale';
