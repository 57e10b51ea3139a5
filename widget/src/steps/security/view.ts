/**
 * What the security-settings steps share: the view <jd-security-settings> hands each row and
 * dialog step (docs/elements.md#flows), the element as the dialogs' actions see it (SecurityHost),
 * and the badges, actions and rows the page is built from. Steps and rows are render functions,
 * not elements.
 *
 * The page (rows.ts, sub-users.ts) loads with the element; the dialogs' steps are step modules
 * (src/parts/lazy-steps.ts) loaded when a dialog first reaches them — step-up.ts, contact-change.ts,
 * password.ts, mfa-bind.ts, sub-user-dialogs.ts — each holding its render functions and its
 * actions, which act on the element through SecurityHost (their shared helpers: fields.ts).
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Locale, MessageKey } from '../../../../shared/src/i18n/index.ts';
import type { ErrorParams } from '../../../../shared/src/errors.ts';
import type { SecurityOverview } from '../../../../shared/src/api.ts';
import type { TenantPublicConfig } from '../../../../shared/src/tenant.ts';
import type { JdApiError, JdClient } from '../../client.ts';
import type { FlowController, FlowFieldError, FlowStatus } from '../../flow.ts';
import type { CountdownController } from '../../parts/countdown.ts';
import type { LazySteps } from '../../parts/lazy-steps.ts';
import type { Dialog, DialogState, PageState, SecurityChange, Step, Value, Values } from './state.ts';

/** A dialog step: its body and the label of its submit button (none: only Close). */
export interface StepView {
  body: unknown;
  submit?: MessageKey;
}

/** The open dialog's state. */
export type OpenDialog = Exclude<DialogState, { step: 'closed' }>;

/** What a step or row may read and do; the element builds it for each render. */
export interface SecurityView {
  readonly locale: Locale;
  readonly config: TenantPublicConfig | undefined;
  readonly page: FlowController<PageState>;
  readonly dlg: FlowController<DialogState>;
  /** the primary account's overview (undefined for a sub-user) */
  readonly overview: SecurityOverview | undefined;
  /** the open dialog's values ({} when closed) */
  readonly values: Values;
  /** seconds before another code may be sent, 0 when it may */
  readonly resendIn: number;
  t(key: MessageKey, params?: ErrorParams): string;
  errorText(e: FlowFieldError): string;
  act: SecurityActions;
  /** what the dialog modules' own actions work with */
  host: SecurityHost;
}

/** The element's actions for the page's rows and the dialog's frame. */
export interface SecurityActions {
  /** the user edited a value: keep it, drop the field's error */
  set: (f: Value, value: string) => void;
  open: (dialog: Dialog, e: Event, values?: Values) => void;
  /** a change from a row; resolves whether it was saved */
  rowCall: (row: string, what: SecurityChange, call: (c: JdClient) => Promise<unknown>) => Promise<boolean>;
  resendLink: () => void;
  close: () => void;
  submit: (e: Event) => void;
  /** the <dialog>'s close event */
  closed: () => void;
}

/** The dialogs' step modules, loaded when a dialog first reaches one of their steps. */
export const securitySteps = {
  stepUp: () => import('./step-up.ts'),
  contact: () => import('./contact-change.ts'),
  password: () => import('./password.ts'),
  mfa: () => import('./mfa-bind.ts'),
  sub: () => import('./sub-user-dialogs.ts'),
  phoneApply: () => import('./phone-application.ts'),
  closing: () => import('./closing.ts'),
  federation: () => import('./federation.ts'),
};
export type SecurityStepModule = keyof typeof securitySteps;

/** The module drawing each dialog step (`wait` and `link` are the dialog frame's own). */
export const STEP_MODULE: Partial<Record<Step, SecurityStepModule>> = {
  method: 'stepUp',
  step_up: 'stepUp',
  support: 'stepUp',
  value: 'contact',
  code: 'contact',
  password: 'password',
  qr: 'mfa',
  codes: 'mfa',
  unbind: 'mfa',
  own_pw: 'mfa',
  sub_create: 'sub',
  sub_delete: 'sub',
  sub_disassociate: 'sub',
  sub_password: 'sub',
  phone_apply: 'phoneApply',
  phone_applied: 'phoneApply',
  export_data: 'closing',
  close_account: 'closing',
  fed_link: 'federation',
  fed_unlink: 'federation',
  credentials: 'federation',
};

/** The element, as the dialog modules' actions see it. */
export interface SecurityHost {
  readonly page: FlowController<PageState>;
  readonly dlg: FlowController<DialogState>;
  readonly client: JdClient | undefined;
  readonly config: TenantPublicConfig | undefined;
  /** the primary account's overview (undefined for a sub-user) */
  readonly overview: SecurityOverview | undefined;
  /** seconds before another code may be sent */
  readonly countdown: CountdownController;
  readonly steps: LazySteps<typeof securitySteps>;
  /** the shadow root (a download link is clicked there) */
  readonly root: ParentNode;
  /** A failed request: `jd-error`, and the live region says it; answers the error and its message. */
  report(e: unknown): { err: JdApiError; message: FlowStatus };
  /** The live region says `s`. */
  say(s: FlowStatus): void;
  /** A change is saved: close the dialog; "saved" shows in `row` (default: the row that opened it); tell the page. */
  saved(
    what: SecurityChange,
    key: MessageKey,
    overview?: SecurityOverview,
    params?: ErrorParams,
    row?: string,
  ): Promise<void>;
  closeDialog(): void;
  /** The account was closed: its session is gone, every element of the page signs out. */
  signedOut(): void;
  /** After the dialog closes, focus goes to `selector` (when what opened it is gone). */
  focusAfterClose(selector: string): void;
  refresh(): Promise<void>;
  emit(name: string, detail: unknown): void;
  focusFirstInvalid(): Promise<void>;
}

/** A date and time in the element's locale ('' for none). */
export function when(v: SecurityView, iso: string | null): string {
  return iso
    ? new Intl.DateTimeFormat(v.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
    : '';
}

/**
 * The status of an action, right after the action's buttons (markup vocabulary in
 * docs/elements.md): `part="status success"` while it reports a success.
 */
export function statusLine(v: SecurityView, s: FlowStatus | undefined): TemplateResult | typeof nothing {
  return s
    ? html`<p class="status is-${s.tone}" part=${s.tone === 'ok' ? 'status success' : 'status'} role="status">${v.t(s.key, s.params)}</p>`
    : nothing;
}

// ---- the page's rows ------------------------------------------------------------

export function badge(v: SecurityView, key: MessageKey, warn = false): TemplateResult {
  return html`<span class=${warn ? 'badge warn' : 'badge'} part=${warn ? 'badge badge-warn' : 'badge badge-ok'}>${v.t(key)}</span>`;
}

/** A row's action button, described by the row's name (`jd-row-<row>`). */
export function action(v: SecurityView, row: string, key: MessageKey, onClick: (e: Event) => void): TemplateResult {
  return html`<button type="button" part="button action" data-action=${key.slice(key.indexOf('.') + 1)} aria-describedby="jd-row-${row}" @click=${onClick}>
    ${v.t(key)}
  </button>`;
}

/** One setting (`data-row`, parts `row` and `row-<id>`): name, value, badges, actions, and the status of its last change. */
export function row(
  v: SecurityView,
  id: string,
  name: MessageKey,
  value: string,
  extra: unknown,
  actions: unknown = nothing,
): TemplateResult {
  return html`<li class="row-item" part="row row-${id}" data-row=${id}>
    <span class="row-label name" id="jd-row-${id}">${v.t(name)}</span>
    <span class="row-value value" part="value">${value}</span>
    ${extra}
    <span class="row-action">${actions}</span>
    ${statusLine(v, v.page.statusOf(`row-${id}`))}
  </li>`;
}
