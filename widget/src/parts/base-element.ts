/**
 * What jd-register and jd-login share: the configuration attributes, the BFF client, the
 * tenant config load, locale resolution, the status (aria-live) region and event helpers.
 *
 * Template style in widget/src: html`` content is indented by nesting (2 spaces), each tag's
 * attributes on one line; Lit ships the text as written. Styles are .css files (src/styles.ts).
 */
import {
  LitElement,
  adoptStyles,
  html,
  nothing,
  type CSSResult,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import type { ErrorCode, ErrorParams } from '../../../shared/src/errors.ts';
import {
  errorMessage,
  isLocale,
  loadLocale,
  loadMore,
  matchLocale,
  messagesPending,
  onMessagesLoaded,
  t,
  type Locale,
  type MessageKey,
} from '../../../shared/src/i18n/index.ts';
import type { SessionMode } from '../../../shared/src/api.ts';
import type { TenantPublicConfig } from '../../../shared/src/tenant.ts';
import { isBrandColor, isCornerRadius, isHttpsUrl } from '../../../shared/src/rules/branding.ts';
import { JdApiError, defaultSessionMode, type JdClient } from '../client.ts';
import { sessionStoreFor, type SessionState, type SessionStore } from '../session.ts';

type StoreOptions = Parameters<typeof sessionStoreFor>[0];
import { base, tokens } from '../styles.ts';

/** A message to show, kept as key + params so a locale change re-renders it. */
export interface StatusMessage {
  tone: 'error' | 'ok' | 'info';
  key: MessageKey;
  params?: ErrorParams | undefined;
}

export interface FieldError {
  code: ErrorCode;
  params?: ErrorParams | undefined;
}

/** What the user does first in an element: the rest of the messages are loaded then (widget/src/i18n.ts). */
const MORE_ON = ['focusin', 'pointerdown', 'keydown', 'click'] as const;

export function toApiError(e: unknown): JdApiError {
  return e instanceof JdApiError ? e : new JdApiError('internal_error', 0);
}

export abstract class JdElement extends LitElement {
  static override styles = [tokens, base];

  /*
   * Reactive properties declared with `static properties` rather than decorators: esbuild's
   * lowering of standard accessor decorators costs ~40 bytes gzip per property, and the three
   * elements must fit the bundle budget (widget/build.ts).
   */
  static override properties: PropertyDeclarations = {
    publishableKey: { attribute: 'publishable-key', reflect: true },
    apiBase: { attribute: 'api-base', reflect: true },
    locale: { reflect: true },
    sessionMode: { attribute: 'session-mode', reflect: true },
    config: { state: true },
    loading: { state: true },
    loadError: { state: true },
    status: { state: true },
    session: { state: true },
  };

  /** The tenant's publishable key (`pk_…`). */
  declare publishableKey: string | undefined;
  /** Base URL of the BFF; empty = same origin as the page. */
  declare apiBase: string | undefined;
  /** `zh-CN` or `en`; default: the tenant's default locale, then the browser's language. */
  declare locale: string | undefined;
  /** `cookie` or `token`; default: cookie on the same origin, token across origins. */
  declare sessionMode: SessionMode | undefined;

  declare protected config: TenantPublicConfig | undefined;
  declare protected loading: boolean;
  declare protected loadError: FieldError | undefined;
  declare protected status: StatusMessage | undefined;
  /** The page's session (src/session.ts), shared by every element with the same api-base and key. */
  declare protected session: SessionState;

  protected client: JdClient | undefined;
  protected store: SessionStore | undefined;
  private storeOptions: StoreOptions | undefined;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeMessages: (() => void) | undefined;
  private loadSeq = 0;
  /** styles of the step modules loaded so far (addStyles) */
  private readonly extraStyles: CSSResult[] = [];

  constructor() {
    super();
    this.loading = true;
    this.session = { status: 'unknown' };
    // the user is about to do something: the rest of the messages (errors, later steps) come now,
    // so a message is in before it is needed (widget/src/i18n.ts); a click is heard before the
    // button's own handler (capture), so the error it may cause waits for its text (scheduleUpdate)
    const more = () => {
      for (const type of MORE_ON) this.removeEventListener(type, more, true);
      void loadMore(this.resolvedLocale).catch(() => {});
    };
    for (const type of MORE_ON) this.addEventListener(type, more, true);
  }

  /**
   * While the rest of the messages is on its way (at most a few seconds), renders wait for it: an
   * error set now is shown with its text, never as an empty line first.
   */
  protected override async scheduleUpdate(): Promise<void> {
    const more = messagesPending(this.resolvedLocale);
    if (more) await Promise.race([more.catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    await super.scheduleUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // back on the page (moved, or re-added): the page's store, which may be a new one by now
    if (this.storeOptions && !this.unsubscribe) this.useStore(this.storeOptions);
    this.unsubscribeMessages = onMessagesLoaded(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeMessages?.();
  }

  /**
   * Adds a lazily loaded step's styles (src/parts/lazy-steps.ts) to the shadow root, after the element's own.
   * @internal
   */
  addStyles(styles: CSSResult): void {
    if (this.extraStyles.includes(styles)) return;
    this.extraStyles.push(styles);
    const root = this.renderRoot;
    if (root instanceof ShadowRoot)
      adoptStyles(root, [...(this.constructor as typeof LitElement).elementStyles, ...this.extraStyles]);
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    // a step loaded before the element was first rendered
    if (this.extraStyles.length && root instanceof ShadowRoot)
      adoptStyles(root, [...(this.constructor as typeof LitElement).elementStyles, ...this.extraStyles]);
    return root;
  }

  /**
   * Takes the page's store for these options and follows its session: every change, from any
   * element or tab, lands in sessionChanged(). Without a key there is no session to follow.
   */
  private useStore(options: StoreOptions): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const store = sessionStoreFor(options);
    this.store = store;
    this.client = store.client;
    // a paid code may be refused until a bot challenge is solved: its part loads only then
    store.client.onChallenge = () => import('./captcha.ts').then((m) => m.challenge(this, JdApiError));
    if (!options.publishableKey || !this.isConnected) return;
    this.unsubscribe = store.subscribe((next) => {
      const previous = this.session;
      this.session = next;
      this.sessionChanged(next, previous);
    });
  }

  /**
   * The page's session changed (or was first learned). Elements override it to leave a flow that
   * belongs to the old identity: its steps and messages must not survive into another one.
   */
  protected sessionChanged(_next: SessionState, _previous: SessionState): void {}

  /**
   * A fresh token for the portal's own backend: an ES256 JWT (~5 minutes) that it verifies
   * against the tenant's JWKS (docs/embedding.md#tokens-for-your-backend). Cached, and fetched anew a
   * minute before it expires, so call it before each request to your backend. Rejects with a
   * JdApiError (`code` `not_signed_in`, or `mfa_required` while the MFA step is due) without a
   * full session. Any of the elements on the page answers for the same session.
   */
  getToken(): Promise<string> {
    return this.client ? this.client.accessToken() : Promise.reject(new JdApiError('not_signed_in', 401));
  }

  /** The locale in use: attribute, else tenant default, else browser, else zh-CN (docs/product.md#19-languages). */
  get resolvedLocale(): Locale {
    if (isLocale(this.locale)) return this.locale;
    const fromAttr = matchLocale(this.locale);
    if (fromAttr) return fromAttr;
    if (this.config && isLocale(this.config.defaultLocale)) return this.config.defaultLocale;
    return matchLocale(typeof navigator === 'undefined' ? undefined : navigator.language) ?? 'zh-CN';
  }

  protected t(key: MessageKey, params?: ErrorParams): string {
    return t(this.resolvedLocale, key, params);
  }

  protected errorText(e: FieldError): string {
    return errorMessage(this.resolvedLocale, e.code, e.params);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.client || changed.has('publishableKey') || changed.has('apiBase') || changed.has('sessionMode')) {
      const apiBase = this.apiBase ?? '';
      this.storeOptions = {
        publishableKey: this.publishableKey ?? '',
        apiBase,
        // an empty or unknown attribute value means "choose by origin"
        sessionMode:
          this.sessionMode === 'cookie' || this.sessionMode === 'token'
            ? this.sessionMode
            : defaultSessionMode(apiBase),
        locale: this.resolvedLocale,
      };
      this.useStore(this.storeOptions);
      void this.load(this.client!);
    }
    this.client!.locale = this.resolvedLocale;
    // the widget build loads one catalogue per locale (widget/src/i18n.ts); until the new one is
    // in, t() answers from the one already loaded. Also while the config loads: load() fetches the
    // locale it resolved before the change, and nothing else would fetch this one
    if (changed.has('locale'))
      void loadLocale(this.resolvedLocale).then(
        () => this.requestUpdate(),
        () => {},
      );
  }

  private async load(client: JdClient): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    this.loadError = undefined;
    if (!this.publishableKey) {
      await loadLocale(this.resolvedLocale).catch(() => {});
      if (seq !== this.loadSeq) return;
      this.loading = false;
      this.loadError = { code: 'tenant_unknown' };
      return;
    }
    try {
      const [config] = await Promise.all([client.config(), this.loadExtra(client)]);
      if (seq !== this.loadSeq) return;
      this.config = config;
      // the locale may come from the config (its default): load its messages before the first real render
      await loadLocale(this.resolvedLocale);
      if (seq !== this.loadSeq) return;
      client.locale = this.resolvedLocale;
      this.applyBranding(config);
      this.configLoaded(config);
    } catch (e) {
      if (seq !== this.loadSeq) return;
      const err = toApiError(e);
      // the error is said in the page's language: its messages may not have loaded yet
      await loadLocale(this.resolvedLocale).catch(() => {});
      if (seq !== this.loadSeq) return;
      this.loadError = { code: err.code, params: err.params };
      this.fireError(err.code, err.params);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  /**
   * The tenant's branding becomes the default of the theming tokens (styles.ts reads
   * --jd-brand-* only where the portal set no --jd-color-primary / --jd-radius of its own).
   * Values are checked again here: only #rrggbb and 0–24 px ever reach the style.
   */
  private applyBranding(config: TenantPublicConfig): void {
    const b = config.branding;
    const color = isBrandColor(b?.primaryColor) ? b.primaryColor : '';
    const radius = isCornerRadius(b?.cornerRadius) ? `${b.cornerRadius}px` : '';
    this.style.setProperty('--jd-brand-primary', color);
    this.style.setProperty('--jd-brand-radius', radius);
  }

  /**
   * The tenant's logo above the title (`part="logo"`), named by the tenant's display name. Only an
   * https URL, checked again here: a config that slipped past the BFF's check must not load an
   * http (mixed-content) or other-scheme image. `height` keeps a large image in its place without
   * inline styles (a strict CSP may forbid them); `::part(logo)` can size it.
   */
  protected renderLogo(): TemplateResult | typeof nothing {
    const c = this.config;
    const url = c?.branding?.logoUrl;
    return isHttpsUrl(url)
      ? html`<img part="logo" src=${url} alt=${c!.displayName[this.resolvedLocale] ?? ''} height="32" />`
      : nothing;
  }

  /** Extra requests to make while the config loads (jd-login asks for the current session). */
  protected async loadExtra(_client: JdClient): Promise<void> {}

  protected configLoaded(_config: TenantPublicConfig): void {}

  protected emit<T>(name: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
  }

  protected fireError(code: ErrorCode, params?: ErrorParams): void {
    this.emit('jd-error', { code, message: errorMessage(this.resolvedLocale, code, params) });
  }

  /** Moves focus to the first control marked invalid (after the render that marks it). */
  protected async focusFirstInvalid(): Promise<void> {
    await this.updateComplete;
    const el = this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]');
    el?.focus();
  }

  /** The loading / load-error state, or undefined when the form can render. */
  protected renderLoadState(): TemplateResult | undefined {
    if (this.loading) {
      return html`<p part="status" class="hint" role="status">${this.t('common.loading')}</p>`;
    }
    if (this.loadError || !this.config) {
      return html`<p part="error" class="status is-error" role="alert">
        ${this.errorText(this.loadError ?? { code: 'internal_error' })}
      </p>`;
    }
    return undefined;
  }

  /** The polite live region: announces form errors, sent codes, success. Always in the DOM. */
  protected renderStatus(): TemplateResult {
    const s = this.status;
    return html`<div part=${s?.tone === 'ok' ? 'status success' : 'status'} class=${s ? `status is-${s.tone}` : 'status'} aria-live="polite" aria-atomic="true">${s ? this.t(s.key, s.params) : nothing}</div>`;
  }

  protected navigate(to: 'login' | 'register', href: string, event: Event): void {
    const ev = new CustomEvent('jd-navigate', { detail: { to }, bubbles: true, composed: true, cancelable: true });
    this.dispatchEvent(ev);
    // Without an href there is nowhere to go: the portal switches elements on jd-navigate.
    if (!href || ev.defaultPrevented) event.preventDefault();
  }
}
