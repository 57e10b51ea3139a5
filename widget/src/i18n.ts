/**
 * The widget's i18n: the API of shared/src/i18n/index.ts (widget/build.ts aliases that module to
 * this one), but the messages come in catalogue chunks, imported when an element first needs its
 * locale (JdElement.load awaits loadLocale), so a page downloads one language, not both.
 *
 * Each entry of the build (dist/jd-login.js, dist/jd-account.js, …) has its own catalogue chunk per
 * locale, with only the messages its modules can use, and registers their loaders on evaluation
 * (registerCatalogs, in code widget/build.ts generates). Several entries on one page each register
 * theirs: loadLocale loads every registered catalogue of the locale and merges them into one store,
 * so each entry's elements find their own keys.
 *
 * Until a locale is loaded, t() answers from another loaded one, else ''; elements show their loading state until theirs is in.
 */
import type { ErrorCode } from '../../shared/src/errors.ts';
import type { MessageKey } from '../../shared/src/i18n/en.ts';
import { fill, type Locale } from '../../shared/src/i18n/locale.ts';

export { LOCALES, isLocale, matchLocale, fill, type Locale } from '../../shared/src/i18n/locale.ts';
export type { MessageKey };

type Catalog = Partial<Record<MessageKey, string>>;
type LoadCatalog = () => Promise<Catalog>;

/** One entry's catalogue chunks: a loader per locale. */
export type CatalogLoaders = Record<Locale, LoadCatalog>;

const registered: CatalogLoaders[] = [];
const loaded: Partial<Record<Locale, Catalog>> = {};
const pending = new Map<LoadCatalog, Promise<void>>();

/** Called by each entry of the build when it is evaluated (widget/build.ts). */
export function registerCatalogs(loaders: CatalogLoaders): void {
  registered.push(loaders);
}

/** Loads the locale's catalogue of every registered entry once; later calls share the same promises. */
export function loadLocale(locale: Locale): Promise<void> {
  // a microtask later: esbuild may evaluate the shared chunk that defines an element (which may then
  // ask for its locale) before the body of the entry that registers its catalogues, but the whole
  // module graph is evaluated in one go, so every entry on the page has registered by then
  return Promise.resolve()
    .then(() => Promise.all(registered.map((loaders) => loadCatalog(locale, loaders[locale]))))
    .then(() => {});
}

function loadCatalog(locale: Locale, load: LoadCatalog): Promise<void> {
  let p = pending.get(load);
  if (!p) {
    p = load().then(
      (catalog) => {
        Object.assign((loaded[locale] ??= {}), catalog);
      },
      (e: unknown) => {
        // a failed chunk load (offline) may be retried by the next element or locale change
        pending.delete(load);
        throw e;
      },
    );
    pending.set(load, p);
  }
  return p;
}

/** Looks up a message of a loaded locale (else any loaded one, else the key) and fills its placeholders. */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  return fill(loaded[locale]?.[key] ?? loaded.en?.[key] ?? loaded['zh-CN']?.[key] ?? '', params);
}

export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}` as MessageKey, params);
}
