/**
 * The widget's i18n: the API of shared/src/i18n/index.ts (widget/build.ts aliases that module to
 * this one), but the messages come in catalogue chunks, imported when an element first needs its
 * locale (JdElement.load awaits loadLocale), so a page downloads one language, not both.
 *
 * Each locale comes in two chunks: `first`, the texts written in the modules an entry loads up
 * front (the first step of its elements), and `rest`, everything else the entry can show (later
 * steps, loaded with them, and the error messages). loadMore() loads the rest; a step module's
 * load asks for it, the first focus in an element does (JdElement), and so does t() for a key
 * that is not in yet, so a text is never missing for longer than one chunk's download; the
 * elements render again when it arrives (onMessagesLoaded).
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

/** One entry's catalogue chunks: per locale, the first-load messages and the rest. */
export type CatalogLoaders = Record<Locale, { first: LoadCatalog; rest: LoadCatalog }>;

const registered: CatalogLoaders[] = [];
const loaded: Partial<Record<Locale, Catalog>> = {};
const pending = new Map<LoadCatalog, Promise<void>>();
/** the chunks that have arrived */
const done = new Set<LoadCatalog>();
/** per locale, the loadMore() in flight (JdElement holds its renders for it: messagesPending) */
const inFlight: Partial<Record<Locale, Promise<void>>> = {};
/** per locale, how many registered entries' rest chunks loadMore() asked for (a later entry's are asked for again) */
const moreAskedFor: Partial<Record<Locale, number>> = {};
const listeners = new Set<() => void>();

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
    .then(() => Promise.all(registered.map((loaders) => loadCatalog(locale, loaders[locale].first))))
    .then(() => {});
}

/** Loads the rest of the locale's messages (and the first part, if not yet); listeners hear when new ones arrived. */
export function loadMore(locale: Locale): Promise<void> {
  const p = Promise.resolve()
    .then(() => {
      const fresh = registered.some((loaders) => !pending.has(loaders[locale].rest));
      moreAskedFor[locale] = registered.length;
      return Promise.all(
        registered.flatMap((loaders) => [
          loadCatalog(locale, loaders[locale].first),
          loadCatalog(locale, loaders[locale].rest),
        ]),
      ).then(() => fresh);
    })
    .then((fresh) => {
      if (fresh) for (const listener of listeners) listener();
    })
    .finally(() => {
      if (inFlight[locale] === p) delete inFlight[locale];
    });
  inFlight[locale] = p;
  return p;
}

/** The loadMore() of `locale` still in flight, if any. */
export function messagesPending(locale: Locale): Promise<void> | undefined {
  return inFlight[locale];
}

/** Calls `listener` whenever more messages have arrived; answers the unsubscribe function. */
export function onMessagesLoaded(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function loadCatalog(locale: Locale, load: LoadCatalog): Promise<void> {
  let p = pending.get(load);
  if (!p) {
    p = load().then(
      (catalog) => {
        Object.assign((loaded[locale] ??= {}), catalog);
        done.add(load);
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

/** Looks up a message of a loaded locale (else any loaded one, else '') and fills its placeholders. */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text = loaded[locale]?.[key];
  // not in yet: it is in the rest of the messages (or nowhere, then once per entry)
  // (not before every entry's first part is in: an element's loading line asks before its own is)
  if (
    text === undefined &&
    (moreAskedFor[locale] ?? -1) < registered.length &&
    registered.every((loaders) => done.has(loaders[locale].first))
  ) {
    moreAskedFor[locale] = registered.length;
    // failed (offline): asked for again by the next render that misses a text
    void loadMore(locale).catch(() => (moreAskedFor[locale] = -1));
  }
  return fill(text ?? loaded.en?.[key] ?? loaded['zh-CN']?.[key] ?? '', params);
}

export function errorMessage(locale: Locale, code: ErrorCode, params?: Record<string, string | number>): string {
  return t(locale, `error.${code}` as MessageKey, params);
}
