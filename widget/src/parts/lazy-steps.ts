/**
 * Step modules an element loads when its flow first reaches them (docs/elements.md#flows): the
 * first step of each element is in its entry's first download, and the rest (the MFA code, the
 * unlock, the lost-device application, the later registration steps, the security dialogs) are
 * separate chunks, so a page with <jd-login> alone downloads what its sign-in form needs and no
 * more (widget/build.ts measures that first load).
 *
 * A step module may export `styles` (one CSSResult or a list, e.g. a part of src/styles.ts): they are added to the element's shadow root when it loads.
 * Loading one also loads the rest of the locale's messages (widget/src/i18n.ts, loadMore): the
 * later steps' texts and the error messages are in that second catalogue chunk.
 *
 * Until a module is in, get() answers undefined and the element renders a loading line marked
 * `data-step-loading` (renderStepLoading), which the flow controller does not move focus to: it
 * waits for the step's own heading.
 */
import { html, type CSSResult, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ErrorParams } from '../../../shared/src/errors.ts';
import { loadMore, type Locale, type MessageKey } from '../../../shared/src/i18n/index.ts';

type Loaders = Record<string, () => Promise<object>>;
type ModuleOf<L extends Loaders, K extends keyof L> = Awaited<ReturnType<L[K]>>;

export interface LazyStepsHost extends ReactiveControllerHost {
  readonly resolvedLocale: Locale;
  /** adds a loaded step's styles to the shadow root (JdElement.addStyles) */
  addStyles(styles: CSSResult): void;
}

export class LazySteps<L extends Loaders> {
  private readonly modules = new Map<keyof L, unknown>();
  private readonly pending = new Map<keyof L, Promise<unknown>>();
  /** a module whose chunk failed to load (offline): the loading line says so and offers a retry */
  private failedName: keyof L | undefined;

  constructor(
    private readonly host: LazyStepsHost,
    private readonly loaders: L,
  ) {}

  /** The module when it is loaded; else undefined, and it starts loading (the host renders again when it is in). */
  get<K extends keyof L>(name: K): ModuleOf<L, K> | undefined {
    const m = this.modules.get(name) as ModuleOf<L, K> | undefined;
    if (!m && this.failedName !== name) void this.load(name).catch(() => {});
    return m;
  }

  /** Loads the module (once) with the rest of the locale's messages. */
  load<K extends keyof L>(name: K): Promise<ModuleOf<L, K>> {
    let p = this.pending.get(name) as Promise<ModuleOf<L, K>> | undefined;
    if (!p) {
      p = Promise.all([this.loaders[name](), loadMore(this.host.resolvedLocale)]).then(
        ([m]) => {
          const styles = (m as { styles?: CSSResult | CSSResult[] }).styles;
          for (const sheet of styles ? [styles].flat() : []) this.host.addStyles(sheet);
          this.modules.set(name, m);
          if (this.failedName === name) this.failedName = undefined;
          this.host.requestUpdate();
          return m as ModuleOf<L, K>;
        },
        (e: unknown) => {
          this.pending.delete(name);
          this.failedName = name;
          this.host.requestUpdate();
          throw e;
        },
      );
      this.pending.set(name, p);
    }
    return p;
  }

  /** True when `name` failed to load (its loading line offers a retry). */
  failed(name: keyof L): boolean {
    return this.failedName === name;
  }

  /** Tries a failed module again. */
  retry(name: keyof L): void {
    this.failedName = undefined;
    void this.load(name).catch(() => {});
  }
}

/** What an element renders while a step module loads, or the network error with a retry when it could not. */
export function renderStepLoading(
  t: (key: MessageKey, params?: ErrorParams) => string,
  failed: boolean,
  retry: () => void,
): TemplateResult {
  return failed
    ? html`<div class="step" data-step-loading>
        <p class="status is-error" part="status" role="alert">${t('error.network_error')}</p>
        <div class="actions"><button type="button" class="btn-secondary" part="button retry" @click=${retry}>${t('common.retry')}</button></div>
      </div>`
    : html`<p class="hint" part="status" role="status" data-step-loading>${t('common.loading')}</p>`;
}
