/**
 * The `detail` of each event the elements fire (types only: nothing here reaches the bundle), and
 * their entries in the DOM's event maps, so that
 * `document.addEventListener('jd-login', (e) => e.detail.account.id)` is typed. All of them bubble
 * and are composed (widget/src/parts/base-element.ts `emit`); the manifest (custom-elements.json)
 * and docs/elements.md describe when each fires.
 */
import type { ErrorCode } from '../../shared/src/errors.ts';
import type { AccountSummary, SecurityOverview, SessionSummary } from '../../shared/src/api.ts';
import type { Agreement } from '../../shared/src/tenant.ts';
import type { SecurityChange } from './elements/jd-security-settings.ts';

/** `jd-register`, `jd-login`, `jd-session`: who is signed in now. */
export interface JdSignedInDetail {
  account: AccountSummary;
  session: SessionSummary;
}

/** `jd-error`: a request failed; `message` is localised for the element's locale. */
export interface JdErrorDetail {
  code: ErrorCode;
  message: string;
}

/** `jd-navigate` (cancelable): the user asked for the other form; without the element's `*-url` the portal switches elements. */
export interface JdNavigateDetail {
  to: 'login' | 'register';
}

/** `jd-mfa-application-submitted`: a lost-device application was queued for the tenant's review. */
export interface JdMfaApplicationDetail {
  id: string;
}

/** `jd-security-change`: `overview` is undefined when a sub-user bound its own MFA (it has no overview). */
export interface JdSecurityChangeDetail {
  what: SecurityChange;
  overview: SecurityOverview | undefined;
}

/** `jd-agreements-required`: the sign-in waits for these agreement versions to be accepted (<jd-login>'s consent step). */
export interface JdAgreementsRequiredDetail {
  agreements: Agreement[];
}

/** `jd-logout`: nothing to tell. */
export type JdLogoutDetail = Record<string, never>;

/** Every event of the package, by name. */
export interface JdEventMap {
  'jd-register': CustomEvent<JdSignedInDetail>;
  'jd-login': CustomEvent<JdSignedInDetail>;
  'jd-session': CustomEvent<JdSignedInDetail>;
  'jd-logout': CustomEvent<JdLogoutDetail>;
  'jd-agreements-required': CustomEvent<JdAgreementsRequiredDetail>;
  'jd-error': CustomEvent<JdErrorDetail>;
  'jd-navigate': CustomEvent<JdNavigateDetail>;
  'jd-mfa-application-submitted': CustomEvent<JdMfaApplicationDetail>;
  'jd-security-change': CustomEvent<JdSecurityChangeDetail>;
}

declare global {
  // The events bubble and are composed: any ancestor, the document or the window can listen. This
  // map is the one HTMLElementEventMap, DocumentEventMap and WindowEventMap all extend.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging needs an interface; its members are JdEventMap's
  interface GlobalEventHandlersEventMap extends JdEventMap {}
}
