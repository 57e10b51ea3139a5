/**
 * Bundles the widget into dist/ with code splitting (esbuild, ESM): one entry per element
 * (jd-login.js, jd-register.js, jd-security-settings.js), jd-register-login.js (the pair) and
 * jd-account.js (all three, what existing embeds load), sharing chunks (Lit, the client, the parts);
 * each entry has a message catalogue chunk per locale, imported for the page's locale only
 * (widget/src/i18n.ts, which replaces shared/src/i18n/index.ts in the bundle). `tsx widget/build.ts`
 * builds, prints sizes and exits non-zero when a size ceiling is exceeded (`npm test` runs it); the
 * BFF imports buildWidget() to build on start when dist/ is missing.
 *
 * An entry's catalogues carry only the messages its own modules can use (widget/prune-messages.ts),
 * so a page with <jd-login> alone does not download the security settings' texts: a first,
 * unminified pass finds the modules each entry bundles (its metafile's import graph) and scans them;
 * in the second, each entry is wrapped in a module that registers its own pruned catalogues
 * (virtual modules, one per entry and locale) with widget/src/i18n.ts, which merges those of all
 * the entries on a page.
 *
 * The styles are .css files, minified by esbuild into generated `.css.ts` modules (widget/css-modules.ts);
 * html`` templates ship as written (their indentation costs ~60 B brotli on <jd-login>'s first load).
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Locale } from '../shared/src/i18n/locale.ts';
import { pruneCatalogBy, splitMessageKeys, usedMessageKeys } from './prune-messages.ts';
import { SOURCE_HASH_FILE, widgetSourceHash } from './source-hash.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** The entry points, by output name (dist/<name>.js). */
const ENTRIES = {
  'jd-account': src('index.ts'),
  'jd-login': src('entries/jd-login.ts'),
  'jd-register': src('entries/jd-register.ts'),
  'jd-security-settings': src('entries/jd-security-settings.ts'),
  'jd-register-login': src('entries/jd-register-login.ts'),
};
export type EntryName = keyof typeof ENTRIES;

/** The message catalogues, by absolute (esbuild's onLoad) or relative (metafile) path */
const CATALOG = /(?:^|[\\/])shared[\\/]src[\\/]i18n[\\/](?:en|zh-CN)\.ts$/;
/** Each locale's catalogue module and the name it exports. */
const CATALOGS: Record<Locale, { file: string; name: string }> = {
  en: { file: resolve(ROOT, 'shared/src/i18n/en.ts'), name: 'en' },
  'zh-CN': { file: resolve(ROOT, 'shared/src/i18n/zh-CN.ts'), name: 'zhCN' },
};
/**
 * The second pass's virtual modules: `jd-entry:<entry>` wraps an entry, `jd-catalog:<entry>/<tier>/<locale>`
 * is one of its two catalogue chunks per locale, `first` (what its first steps show) or `rest`
 * (esbuild names the chunk after the locale: <locale>-HASH.js).
 */
const ENTRY_NS = 'jd-entry';
const CATALOG_NS = 'jd-catalog';
type Tier = 'first' | 'rest';
const catalogModule = (entry: EntryName, tier: Tier, locale: Locale) => `${CATALOG_NS}:${entry}/${tier}/${locale}`;
/** Which keys each tier of an entry's catalogue keeps (splitMessageKeys). */
type TierKeys = Record<Tier, (key: string) => boolean>;
/** shared/src/i18n/index.ts, which the bundle replaces with widget/src/i18n.ts (one catalogue per locale, on demand) */
const SHARED_I18N = resolve(ROOT, 'shared/src/i18n/index.ts');
const WIDGET_I18N = src('i18n.ts');
/** Chunk file names end in esbuild's content hash: served with an immutable cache header (bff/src/routes/static.ts). */
export const HASHED_CHUNK = /^[A-Za-z0-9_-]+-[A-Z0-9]{8}\.js(?:\.map)?$/;

/**
 * The targets of docs/benchmarks.md: what a page with <jd-login> alone downloads first
 * (dist/jd-login.js, the chunks it imports and one locale's first catalogue chunk, brotli q11) at most 12 KiB,
 * and all three elements (dist/jd-account.js) at most 25 KiB. `npm run bench` reports them as
 * PASS/MISS; they are not met yet (see docs/benchmarks.md), so they do not fail the build.
 */
export const LOGIN_BROTLI_BUDGET = 12 * 1024;
export const ALL_BROTLI_BUDGET = 25 * 1024;

/**
 * What fails the build (and so `npm test`): growth past what was measured, plus ~3 %: the first
 * loads once the later steps became step modules loaded on demand, with their own catalogue
 * chunks (jd-login.js 20,694 B, jd-account.js 34,331 B). Lower them as the bundles shrink towards
 * the targets above; raising them is a decision, not a drift. Raised once, for the account life
 * cycle (docs/product.md sections 21–24): the entry points on the first screens ("Forgot
 * password?", "Sign in with a verification code", "Cancel closing", the security settings' close
 * account section) and their client methods measured jd-login.js 21,503 B and jd-account.js
 * 35,958 B; the flows themselves are step modules loaded on demand. Raised again for "Log in with
 * …" (docs/product.md#25-sign-in-with-an-upstream-account): the provider buttons under the sign-in
 * and registration forms, the check for a handle in the URL, the security settings' linked
 * accounts section and the client's federation methods measured jd-login.js 23,087 B (+1,400) and
 * jd-account.js 38,498 B (+2,200); taking the handle, the resume, the activation step and the
 * link/unlink/credentials dialogs are step modules loaded on demand. Raised for the bot challenge
 * before a paid code (docs/security.md#abuse-protection-for-paid-messages): its error messages in
 * the first catalogues and the client's `onChallenge` retry measured jd-login.js 23,200 B (+119 on
 * 23,081) and jd-account.js 38,618 B (+139 on 38,479); the challenge itself (widget/src/parts/captcha.ts)
 * is a chunk loaded only when a code request is answered `captcha_required`.
 */
export const LOGIN_BROTLI_CEILING = 23_250;
export const ALL_BROTLI_CEILING = 38_650;

/** Modules that must never reach the browser bundle (zod, libphonenumber metadata, the zod-based shared modules). */
const FORBIDDEN = [
  /node_modules\/zod\//,
  /node_modules\/libphonenumber-js\//,
  /shared\/src\/index\.ts$/,
  /shared\/src\/rules\/phone\.ts$/,
  /shared\/src\/api\.ts$/,
  /shared\/src\/tenant\.ts$/,
  /shared\/src\/i18n\/index\.ts$/,
];

const OPTIONS = {
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  bundle: true,
  format: 'esm',
  splitting: true,
  outdir: DIST,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
} satisfies BuildOptions;

export interface BundleSize {
  /** the entry and every chunk it imports statically, plus the largest locale's first catalogue chunk */
  files: string[];
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
  /** what it may load later (its step chunks and the larger rest catalogue), brotli, each file on its own */
  laterBrotliBytes: number;
}

export interface WidgetBuild {
  /** dist/jd-account.js (all three elements) */
  file: string;
  entries: Record<EntryName, BundleSize>;
  /** the heaviest input modules of jd-account.js, by minified bytes in the output (esbuild's metafile) */
  heaviest: { input: string; bytes: number }[];
}

function checkInputs(metafile: Metafile): void {
  const leaked = Object.keys(metafile.inputs).filter((input) => FORBIDDEN.some((re) => re.test(input)));
  if (leaked.length) throw new Error(`widget bundle must not include: ${leaked.join(', ')}`);
}

/** Replaces shared/src/i18n/index.ts (both catalogues, static) with widget/src/i18n.ts (one per locale, dynamic). */
function widgetI18n(): Plugin {
  return {
    name: 'jd-widget-i18n',
    setup(b) {
      b.onResolve({ filter: /[\\/]i18n[\\/]index\.ts$/ }, (args) =>
        resolve(args.resolveDir, args.path) === SHARED_I18N ? { path: WIDGET_I18N } : undefined,
      );
    },
  };
}

/**
 * The second pass's entries: each entry point is a wrapper that registers the entry's own catalogue
 * chunks (two per locale, pruned to `used`) with widget/src/i18n.ts, then re-exports the entry's module.
 */
function entryCatalogs(used: Record<EntryName, TierKeys>): Plugin {
  const locales = Object.keys(CATALOGS) as Locale[];
  return {
    name: 'jd-entry-catalogs',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(?:${ENTRY_NS}|${CATALOG_NS}):`) }, (args) => {
        const colon = args.path.indexOf(':');
        return { path: args.path.slice(colon + 1), namespace: args.path.slice(0, colon) };
      });
      b.onLoad({ filter: /.*/, namespace: ENTRY_NS }, (args) => {
        const entry = args.path as EntryName;
        const load = (tier: Tier, l: Locale) =>
          `${tier}: () => import(${JSON.stringify(catalogModule(entry, tier, l))}).then((m) => m.${CATALOGS[l].name})`;
        const loaders = locales.map((l) => `${JSON.stringify(l)}: { ${load('first', l)}, ${load('rest', l)} }`);
        return {
          contents: [
            `import { registerCatalogs } from ${JSON.stringify(WIDGET_I18N)};`,
            `export * from ${JSON.stringify(ENTRIES[entry])};`,
            `registerCatalogs({ ${loaders.join(', ')} });`,
          ].join('\n'),
          resolveDir: ROOT,
          loader: 'js',
        };
      });
      b.onLoad({ filter: /.*/, namespace: CATALOG_NS }, (args) => {
        const [entry, tier, locale] = args.path.split('/') as [EntryName, Tier, Locale];
        const source = readFileSync(CATALOGS[locale].file, 'utf8');
        return {
          contents: pruneCatalogBy(source, used[entry][tier]),
          resolveDir: dirname(CATALOGS[locale].file),
          loader: 'ts',
        };
      });
    },
  };
}

/**
 * The widget's own modules (not Lit's, not the catalogues) an entry bundles, from the first pass's
 * import graph, by relative path: all of them, or (`upFront`) only those it loads before any
 * dynamic import().
 */
function entrySources(metafile: Metafile, entry: EntryName, upFront = false): string[] {
  const seen = new Set<string>();
  const visit = (input: string) => {
    if (seen.has(input) || !metafile.inputs[input]) return;
    seen.add(input);
    for (const i of metafile.inputs[input].imports)
      if (!i.external && !(upFront && i.kind === 'dynamic-import')) visit(i.path);
  };
  visit(relative(ROOT, ENTRIES[entry]).replaceAll('\\', '/'));
  return [...seen].filter((input) => !input.startsWith('node_modules/') && !CATALOG.test(input));
}

const brotli = (code: Uint8Array) =>
  brotliCompressSync(code, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
      [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
      [zlib.BROTLI_PARAM_SIZE_HINT]: code.length,
    },
  }).length;

/**
 * What loading an entry costs: the entry, the chunks it imports statically (transitively), and the
 * larger of its own catalogue chunks (a page loads one locale). Each file is compressed on its own, as served.
 */
export function entrySize(
  metafile: Metafile,
  outputs: Map<string, Uint8Array>,
  name: EntryName,
  entry: string,
): BundleSize {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  const isCatalog = (file: string) => Object.keys(metafile.outputs[file].inputs).some((i) => i.startsWith(CATALOG_NS));
  const largestCatalog = (tier: Tier) =>
    Object.entries(metafile.outputs)
      .filter(
        ([file, o]) =>
          file.endsWith('.js') &&
          Object.keys(o.inputs).some((input) => input.startsWith(`${CATALOG_NS}:${name}/${tier}/`)),
      )
      .map(([file]) => file)
      .sort((a, b) => (outputs.get(b)?.length ?? 0) - (outputs.get(a)?.length ?? 0))[0];
  const first = largestCatalog('first');
  if (first) seen.add(first);
  // later: the chunks its dynamic imports reach (but the catalogues: one locale's rest counts)
  const later = new Set<string>();
  const visitLater = (file: string) => {
    for (const i of metafile.outputs[file]?.imports ?? [])
      if (!seen.has(i.path) && !later.has(i.path) && !isCatalog(i.path)) {
        later.add(i.path);
        visitLater(i.path);
      }
  };
  for (const file of [...seen]) visitLater(file);
  const rest = largestCatalog('rest');
  if (rest) later.add(rest);
  const files = [...seen];
  const sum = (f: (code: Uint8Array) => number, list = files) => list.reduce((n, file) => n + f(outputs.get(file)!), 0);
  return {
    files: files.map((f) => basename(f)),
    bytes: sum((c) => c.length),
    gzipBytes: sum((c) => gzipSync(c, { level: 9 }).length),
    brotliBytes: sum(brotli),
    laterBrotliBytes: sum(brotli, [...later]),
  };
}

/** Scans each entry's own sources (not Lit's, not the catalogues') for the messages they use, then bundles each entry with only those. */
async function bundle(): Promise<WidgetBuild> {
  const scan = await build({
    ...OPTIONS,
    minify: false,
    write: false,
    plugins: [widgetI18n()],
  });
  checkInputs(scan.metafile);
  const names = Object.keys(ENTRIES) as EntryName[];
  const keysOf = (inputs: string[]) =>
    usedMessageKeys(inputs.map((input) => readFileSync(resolve(ROOT, input), 'utf8')));
  const used = Object.fromEntries(
    names.map((name) => [
      name,
      splitMessageKeys(keysOf(entrySources(scan.metafile, name, true)), keysOf(entrySources(scan.metafile, name))),
    ]),
  ) as Record<EntryName, TierKeys>;
  const result = await build({
    ...OPTIONS,
    entryPoints: Object.fromEntries(names.map((name) => [name, `${ENTRY_NS}:${name}`])),
    sourcemap: 'linked',
    write: false,
    plugins: [widgetI18n(), entryCatalogs(used)],
  });
  checkInputs(result.metafile);
  // the catalogues reach the bundle only as the entries' pruned chunks, never whole
  const whole = Object.keys(result.metafile.inputs).filter((input) => CATALOG.test(input));
  if (whole.length) throw new Error(`widget modules must not import a catalogue (${whole.join(', ')}): use t()`);
  // written aside, then renamed over: a BFF serving dist/ while another process (a second BFF, a
  // test) rebuilds never reads half a file; chunks of earlier builds stay (a page that loaded an
  // older entry may still ask for them) until they are a day old
  mkdirSync(DIST, { recursive: true });
  const outputs = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const aside = `${file.path}.${process.pid}.tmp`;
    writeFileSync(aside, file.contents);
    renameSync(aside, file.path);
    outputs.set(resolve(file.path).slice(ROOT.length).replaceAll('\\', '/'), file.contents);
  }
  removeOldChunks(new Set(result.outputFiles.map((f) => basename(f.path))));
  const meta = result.metafile;
  const rel = (name: EntryName) =>
    Object.keys(meta.outputs).find((o) => o.endsWith(`/${name}.js`) && meta.outputs[o].entryPoint)!;
  const entries = Object.fromEntries(names.map((name) => [name, entrySize(meta, outputs, name, rel(name))])) as Record<
    EntryName,
    BundleSize
  >;
  const account = new Set(entries['jd-account'].files);
  const weights = new Map<string, number>();
  for (const [file, o] of Object.entries(meta.outputs))
    if (account.has(basename(file)))
      for (const [input, { bytesInOutput }] of Object.entries(o.inputs))
        weights.set(input, (weights.get(input) ?? 0) + bytesInOutput);
  const heaviest = [...weights]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([input, bytes]) => ({ input, bytes }));
  return { file: join(DIST, 'jd-account.js'), entries, heaviest };
}

/** Deletes chunks (and their maps) that this build did not write and that are over a day old. */
function removeOldChunks(keep: Set<string>): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(DIST))
    if (HASHED_CHUNK.test(name) && !keep.has(name)) {
      const path = join(DIST, name);
      try {
        if (statMtime(path) < dayAgo) rmSync(path);
      } catch {
        // another build removed it first
      }
    }
}

function statMtime(path: string): number {
  return statSync(path).mtimeMs;
}

/** The sizes over budget, as messages (empty when all fit). */
export function overBudget(b: WidgetBuild): string[] {
  const over: string[] = [];
  const check = (name: EntryName, budget: number) => {
    const s = b.entries[name].brotliBytes;
    if (s > budget)
      over.push(`${name}.js (+ chunks, one locale) is ${s - budget} B over its ${budget} B brotli ceiling`);
  };
  check('jd-login', LOGIN_BROTLI_CEILING);
  check('jd-account', ALL_BROTLI_CEILING);
  return over;
}

/** The target of an entry, if it has one. */
export function budgetOf(name: EntryName): number | undefined {
  return name === 'jd-login' ? LOGIN_BROTLI_BUDGET : name === 'jd-account' ? ALL_BROTLI_BUDGET : undefined;
}

/** Builds dist/ (every entry and chunk) and measures each entry; prints the sizes unless quiet (how the BFF builds on start). */
export async function buildWidget(options: { quiet?: boolean } = {}): Promise<WidgetBuild> {
  // the hash of what is built, taken before: a source changed meanwhile makes the next start build again
  const sources = widgetSourceHash(ROOT);
  const out = await bundle();
  writeFileSync(resolve(ROOT, SOURCE_HASH_FILE), `${sources}\n`);
  if (!options.quiet) {
    for (const [name, s] of Object.entries(out.entries)) {
      const budget = budgetOf(name as EntryName);
      console.log(
        `widget: ${name}.js + ${s.files.length - 1} chunks (one locale, first load): ${s.bytes} B min, ${s.gzipBytes} B gzip, ${s.brotliBytes} B brotli${budget ? ` (target ${budget} B brotli)` : ''}; later steps and messages ${s.laterBrotliBytes} B brotli`,
      );
    }
    console.log(
      `widget: heaviest modules of jd-account.js (min bytes): ${out.heaviest.map((h) => `${h.input} ${h.bytes}`).join(', ')}`,
    );
  }
  for (const message of overBudget(out)) console.warn(`widget: ${message}`);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildWidget().then(
    (r) => {
      if (overBudget(r).length) process.exitCode = 1;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
