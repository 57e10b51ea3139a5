/**
 * The bot challenge before a paid code (docs/security.md#abuse-protection-for-paid-messages), in the
 * browser. Loaded only through the client's `onChallenge` hook (parts/base-element.ts), when a code
 * request was answered 403 `captcha_required`: never part of an element's first load.
 *
 * It loads the provider's script named by the tenant config (`config.captcha`, shared/src/captcha.ts)
 * once per page and runs the provider's own browser API:
 * - `tencent`: `new TencentCaptcha(CaptchaAppId, callback, { userLanguage })` and `.show()`; its popup
 *   answers `{ ret: 0, ticket, randstr }` (solved) or `{ ret: 2 }` (closed by the user).
 * - `aliyun` (Captcha 2.0, V3): `window.AliyunCaptchaConfig` before the script, then
 *   `initAliyunCaptcha({ SceneId, mode: 'popup', element, button, success, fail, onClose, onError, getInstance })`.
 *   Its selectors cannot reach into a shadow root, so the element and the (hidden) button are made in
 *   the light DOM with ids of their own, and removed after.
 * - `turnstile`: `turnstile.render(container, …)` in a small panel right under the action that asked
 *   (docs/elements.md: feedback next to its action), with a title, a hint and Cancel; removed after.
 *
 * Answers the solved challenge (`{ ticket, randstr? }`), or null when the user closed it (the request
 * then fails with `captcha_required`, shown by the step next to its button). A script that does not
 * load, or a provider that reports an error, rejects with `captcha_unavailable`.
 */
import { html, render } from 'lit';
import type { CaptchaAnswer, CaptchaPublic } from '../../../shared/src/captcha.ts';
import type { Locale, MessageKey } from '../../../shared/src/i18n/index.ts';
import type { JdApiError, JdClient } from '../client.ts';
import type { JdElement } from './base-element.ts';
import styles from './captcha.css.ts';

/** The providers' globals, as their documentation gives them (only what is used here). */
interface TencentCaptchaResult {
  ret: number;
  ticket?: string;
  randstr?: string;
}
interface AliyunCaptchaInstance {
  show?: () => void;
}
interface AliyunCaptchaOptions {
  SceneId: string;
  mode: 'popup';
  element: string;
  button: string;
  language: 'cn' | 'en';
  success: (captchaVerifyParam: string) => void;
  fail: (result: unknown) => void;
  onClose: () => void;
  onError: (error: unknown) => void;
  getInstance: (instance: AliyunCaptchaInstance) => void;
}
interface TurnstileOptions {
  sitekey: string;
  language: string;
  callback: (token: string) => void;
  'error-callback': (code: string) => void;
}
interface ProviderGlobals {
  TencentCaptcha?: new (
    appId: string,
    callback: (r: TencentCaptchaResult) => void,
    options: { userLanguage: string },
  ) => { show(): void };
  AliyunCaptchaConfig?: { region: string; prefix: string };
  initAliyunCaptcha?: (options: AliyunCaptchaOptions) => void;
  turnstile?: {
    render(container: HTMLElement, options: TurnstileOptions): string | undefined;
    remove(id: string): void;
  };
}
const globals = window as unknown as ProviderGlobals;

/** What this part reads of an element (protected there): its client, the tenant config, its texts. */
interface Host {
  client?: JdClient;
  config?: { captcha?: CaptchaPublic };
  t(key: MessageKey): string;
}
const view = (el: Element | JdElement) => el as unknown as Host;

/** How long a provider's script may take before the check counts as unavailable. */
export const SCRIPT_TIMEOUT_MS = 15_000;

/*
 * Only Lit (and types) are imported: a value import of a module the elements load first (the client,
 * the i18n loader) would split it into a chunk of its own, which costs every first load more than the
 * few bytes of handing those in (widget/build.ts measures it). So the element hands in JdApiError.
 */
let ApiError: typeof JdApiError;
const unavailable = () => new ApiError('captcha_unavailable', 503);

/** Scripts loading or loaded, by URL: each is appended once per page (a failed one is tried again next time). */
const scripts = new Map<string, Promise<void>>();

/**
 * Loads `src` once per page. `ready` tells whether its global is there: a page (or another bundle)
 * that already loaded the script is reused as it is; a `<script>` already in the document with this
 * URL is waited for rather than added again.
 */
export function loadScript(src: string, ready: () => boolean): Promise<void> {
  if (ready()) return Promise.resolve();
  let loading = scripts.get(src);
  if (!loading) {
    const href = new URL(src, location.href).href;
    const present = [...document.scripts].find((s) => s.src === href);
    const script = present ?? document.createElement('script');
    loading = new Promise<void>((resolve, reject) => {
      const fail = () => reject(unavailable());
      const timer = setTimeout(fail, SCRIPT_TIMEOUT_MS);
      script.addEventListener('load', () => (clearTimeout(timer), ready() ? resolve() : fail()), { once: true });
      script.addEventListener('error', () => (clearTimeout(timer), fail()), { once: true });
      if (!present) {
        script.src = src;
        script.async = true;
        document.head.append(script);
      }
    }).catch(() => {
      // the next challenge tries again (the provider may be back by then)
      scripts.delete(src);
      if (!present) script.remove();
      throw unavailable();
    });
    scripts.set(src, loading);
  }
  return loading;
}

/**
 * The element the challenge belongs to: the page's elements with the same key share one client
 * (src/session.ts), whose hook the last of them set; the one holding the focus asked, else `fallback`.
 */
function hostOf(fallback: JdElement): JdElement {
  const client = view(fallback).client;
  let found: JdElement = fallback;
  for (let el = document.activeElement; el?.shadowRoot; el = el.shadowRoot.activeElement)
    if (view(el).client === client) found = el as JdElement;
  return found;
}

let seq = 0;

/** Runs the tenant's challenge for `el` (the client's `onChallenge`). No captcha config: null. */
export async function challenge(el: JdElement, apiError: typeof JdApiError): Promise<CaptchaAnswer | null> {
  ApiError = apiError;
  const host = hostOf(el);
  const config = view(host).config?.captcha;
  if (!config) return null;
  const locale = host.resolvedLocale;
  if (config.provider === 'tencent') return tencent(config, locale);
  if (config.provider === 'aliyun') return aliyun(config, locale);
  return turnstile(host, config, locale);
}

async function tencent(config: CaptchaPublic, locale: Locale): Promise<CaptchaAnswer | null> {
  await loadScript(config.scriptUrl, () => typeof globals.TencentCaptcha === 'function');
  return new Promise((resolve, reject) => {
    try {
      const captcha = new globals.TencentCaptcha!(
        config.siteKey,
        // ret 0: solved (a ticket starting "terror_" is the provider's own fallback: the BFF decides); 2: closed
        (r) =>
          resolve(r.ret === 0 && r.ticket ? { ticket: r.ticket, ...(r.randstr ? { randstr: r.randstr } : {}) } : null),
        { userLanguage: locale === 'en' ? 'en' : 'zh-cn' },
      );
      captcha.show();
    } catch {
      reject(unavailable());
    }
  });
}

async function aliyun(config: CaptchaPublic, locale: Locale): Promise<CaptchaAnswer | null> {
  // read by the script as it loads
  globals.AliyunCaptchaConfig = { region: 'cn', prefix: config.prefix ?? '' };
  await loadScript(config.scriptUrl, () => typeof globals.initAliyunCaptcha === 'function');
  const id = `jd-captcha-${++seq}`;
  const element = document.createElement('div');
  element.id = id;
  const button = document.createElement('button');
  button.id = `${id}-button`;
  button.type = 'button';
  button.hidden = true;
  button.tabIndex = -1;
  document.body.append(element, button);
  try {
    return await new Promise<CaptchaAnswer | null>((resolve, reject) => {
      globals.initAliyunCaptcha!({
        SceneId: config.siteKey,
        mode: 'popup',
        element: `#${id}`,
        button: `#${button.id}`,
        language: locale === 'en' ? 'en' : 'cn',
        success: (captchaVerifyParam) => resolve({ ticket: captchaVerifyParam }),
        // not passed: the popup shows a new puzzle itself
        fail: () => {},
        onClose: () => resolve(null),
        onError: () => reject(unavailable()),
        getInstance: (instance) => (instance?.show ? instance.show() : button.click()),
      });
    });
  } catch (e) {
    throw e instanceof ApiError ? e : unavailable();
  } finally {
    element.remove();
    button.remove();
  }
}

/**
 * The panel goes right under the action that asked: the busy button (parts/send-code.ts's, in its
 * `.code-row`), else the focused control, else the end of the element. Inserted beside Lit's
 * static nodes, so re-renders of the step leave it alone; a new step removes it with the old one.
 */
function placePanel(host: JdElement, panel: HTMLElement): HTMLElement | undefined {
  const root = host.renderRoot as ShadowRoot;
  const action = root.querySelector<HTMLElement>('[aria-busy="true"]') ?? (root.activeElement as HTMLElement | null);
  if (action) (action.closest('.code-row') ?? action).after(panel);
  else root.append(panel);
  return action ?? undefined;
}

async function turnstile(host: JdElement, config: CaptchaPublic, locale: Locale): Promise<CaptchaAnswer | null> {
  host.addStyles(styles);
  // an update waits for the rest of the messages, which have the panel's texts (asked for on the first click)
  host.requestUpdate();
  await host.updateComplete;
  const t = (key: MessageKey) => view(host).t(key);
  const id = `jd-captcha-${++seq}`;
  const panel = document.createElement('div');
  panel.id = id;
  panel.className = 'captcha';
  panel.setAttribute('part', 'captcha');
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', `${id}-title`);
  panel.setAttribute('aria-describedby', `${id}-hint`);
  panel.tabIndex = -1;
  let cancel = () => {};
  const closed = new Promise<null>((resolve) => (cancel = () => resolve(null)));
  const draw = (loading: boolean) =>
    render(
      html`<p id="${id}-title" class="captcha-title" part="captcha-title">${t('captcha.title')}</p>
        <p id="${id}-hint" class="hint" part="hint">${t('captcha.hint')}</p>
        ${loading ? html`<p class="hint" part="hint" role="status">${t('captcha.loading')}</p>` : ''}
        <div class="captcha-box" part="captcha-box"></div>
        <button type="button" part="button captcha-cancel" @click=${() => cancel()}>${t('captcha.cancel')}</button>`,
      panel,
    );
  draw(true);
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      cancel();
    }
  });
  const action = placePanel(host, panel);
  panel.focus();
  // the step it was asked from is gone (another step, a sign-out elsewhere): the challenge ends with it
  const gone = new MutationObserver(() => panel.isConnected || cancel());
  gone.observe(host.renderRoot, { childList: true, subtree: true });
  let widget: string | undefined;
  try {
    const solved = (async () => {
      await loadScript(config.scriptUrl, () => typeof globals.turnstile?.render === 'function');
      draw(false);
      return new Promise<CaptchaAnswer>((resolve, reject) => {
        widget = globals.turnstile!.render(panel.querySelector<HTMLElement>('.captcha-box')!, {
          sitekey: config.siteKey,
          language: locale === 'en' ? 'en' : 'zh-cn',
          callback: (token) => resolve({ ticket: token }),
          'error-callback': () => reject(unavailable()),
        });
      });
    })();
    return await Promise.race([solved, closed]);
  } finally {
    gone.disconnect();
    if (widget !== undefined) globals.turnstile?.remove(widget);
    // focus was in the panel: back to the action (else the user moved it on; leave it there)
    const hadFocus = panel.contains(host.shadowRoot?.activeElement ?? null);
    panel.remove();
    if (hadFocus && action?.isConnected) action.focus();
  }
}
