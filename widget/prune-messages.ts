/**
 * Build-time pruning of the message catalogues (shared/src/i18n/en.ts, zh-CN.ts) for a widget
 * bundle: one catalogue serves the BFF and all three elements, but each entry of the bundle
 * (dist/jd-login.js, …) needs only the messages its own modules can ask for. widget/build.ts scans
 * each entry's sources with usedMessageKeys() and gives the entry catalogue chunks with the other
 * entries dropped by pruneCatalog(); <jd-login> alone then downloads neither the security
 * settings' texts nor the registration form's (only the parts it shares, such as the phone code).
 *
 * Why scanning works: a message key reaches t() either as a literal (TypeScript's MessageKey
 * union allows nothing else) or built from a prefix (`error.${code}` cast to MessageKey). So a
 * bundle uses exactly the keys written literally in its sources plus whole prefixes built in
 * templates or by concatenation. A key built any other way (`${group}.title`, `x + '.title'`)
 * cannot be told from the sources: then nothing is pruned.
 *
 * Pure functions, no Node APIs: tested in the browser (widget/test/prune-messages.test.ts).
 */

export interface UsedMessageKeys {
  /** quoted `word.word` strings: full keys, or the start of keys completed at run time */
  literals: Set<string>;
  /** first segments used whole: `error` from `error.${code}` or `'error.' + code` */
  prefixes: Set<string>;
}

/** The keys the given sources can use, or null when a key is built in a way the scan cannot follow. */
export function usedMessageKeys(sources: readonly string[]): UsedMessageKeys | null {
  const text = sources.join('\n');
  // `${a}.title`, `${a}.${b}`, x + '.title': the start of the key is not in the source
  if (/\$\{[^{}]*\}\.[A-Za-z_$]/.test(text) || /\+\s*['"`]\.[A-Za-z_]/.test(text)) return null;
  const literals = new Set([...text.matchAll(/['"`]([A-Za-z_]+\.[A-Za-z0-9_.]+)['"`]/g)].map((m) => m[1]));
  const prefixes = new Set(
    [...text.matchAll(/`([A-Za-z_]+)\.\$\{/g), ...text.matchAll(/['"]([A-Za-z_]+)\.['"]\s*\+/g)].map((m) => m[1]),
  );
  return { literals, prefixes };
}

export function isMessageKeyUsed(key: string, used: UsedMessageKeys): boolean {
  if (used.prefixes.has(key.slice(0, key.indexOf('.'))) || used.literals.has(key)) return true;
  // a literal that starts a key (`${kind}_phone` completing 'security.contact'): keep what it may become
  for (const l of used.literals) if (key.startsWith(l)) return true;
  return false;
}

/**
 * Drops the unused entries of a catalogue module. Entries are written one per line
 * (`  'key': 'text',`) or with the text on the following, further indented lines; everything
 * else (comments, the export, types) is kept as it is.
 */
export function pruneCatalog(source: string, used: UsedMessageKeys): string {
  return pruneCatalogBy(source, (key) => isMessageKeyUsed(key, used));
}

/** pruneCatalog() with any rule: keeps the entries whose key `keep` accepts. */
export function pruneCatalogBy(source: string, keep: (key: string) => boolean): string {
  return source.replace(/^ {2}'([^'\n]+)':[^\n]*\n(?: {4}[^\n]*\n)*/gm, (entry, key: string) =>
    keep(key) ? entry : '',
  );
}

/**
 * How an entry's messages split into its two catalogue chunks (widget/src/i18n.ts): `first`
 * keeps what the modules it loads up front write (`first`, their keys), except the error
 * messages they reach only through `error.${code}`; `rest` keeps every other key the entry can
 * use (`all`: its lazily loaded steps too). null: the scan could not follow a key; all in `first`.
 */
export function splitMessageKeys(
  first: UsedMessageKeys | null,
  all: UsedMessageKeys | null,
): { first: (key: string) => boolean; rest: (key: string) => boolean } {
  if (!first || !all) return { first: () => true, rest: () => false };
  const upFront: UsedMessageKeys = {
    literals: first.literals,
    prefixes: new Set([...first.prefixes].filter((p) => p !== 'error')),
  };
  const inFirst = (key: string) => isMessageKeyUsed(key, upFront);
  return { first: inFirst, rest: (key) => !inFirst(key) && isMessageKeyUsed(key, all) };
}
