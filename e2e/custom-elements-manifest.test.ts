/**
 * The Custom Elements Manifest that ships with the package (custom-elements.json, package.json
 * "customElements"): regenerated from the widget sources with the project's analyzer config, it
 * must list each element's public API — and equal the committed file, so the shipped manifest
 * is never stale (`npm run build:manifest` rewrites it).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  END,
  REFERENCE_PAGE,
  START,
  elementReference,
  type Manifest as ReferenceManifest,
} from '../scripts/element-reference.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WIDGET_SRC = join(ROOT, 'widget/src');

interface Named {
  name: string;
  description?: string;
}
interface ElementDoc extends Named {
  kind: string;
  tagName?: string;
  customElement?: boolean;
  attributes?: (Named & { fieldName?: string })[];
  members?: (Named & { kind: string; attribute?: string; privacy?: string })[];
  events?: Named[];
  cssProperties?: Named[];
  cssParts?: Named[];
  slots?: Named[];
}
interface Manifest {
  schemaVersion: string;
  modules: { path: string; declarations?: ElementDoc[]; exports?: { kind: string; name: string }[] }[];
}

/** The analyzer's CLI, run in-process without writing: the same config `npm run build:manifest` uses. */
async function generate(): Promise<Manifest> {
  // cli.js has no type declarations; the specifier is widened so tsc does not look for them
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const { cli } = (await import('@custom-elements-manifest/analyzer/cli.js' as string)) as {
    cli: (o: { argv: string[]; cwd: string; noWrite: boolean }) => Promise<Manifest>;
  };
  return cli({
    argv: ['analyze', '--quiet', '--config', 'custom-elements-manifest.config.mjs'],
    cwd: ROOT,
    noWrite: true,
  });
}

let manifest: Manifest;
const elements = new Map<string, ElementDoc & { path: string }>();
beforeAll(async () => {
  manifest = await generate();
  for (const mod of manifest.modules) {
    for (const d of mod.declarations ?? [])
      if (d.customElement && d.tagName) elements.set(d.tagName, { ...d, path: mod.path });
  }
}, 60_000);

const el = (tag: string) => {
  const d = elements.get(tag);
  if (!d) throw new Error(`${tag} is not in the manifest`);
  return d;
};
const names = (list: Named[] | undefined) => (list ?? []).map((x) => x.name);

/**
 * The part names an element's templates use: its own file, the base class, and every widget
 * module it imports, directly or through others (the step modules render most of them).
 */
function partsUsedBy(elementPath: string): Set<string> {
  const file = join(ROOT, elementPath);
  const files = new Set([file, join(WIDGET_SRC, 'parts/base-element.ts')]);
  for (const f of files)
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.{1,2}\/[\w./-]+\.ts)'/g)) {
      const imported = resolve(dirname(f), m[1]);
      if (imported.startsWith(WIDGET_SRC)) files.add(imported);
    }
  const used = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    // part="a b", part='a', and the outcomes of part=${cond ? 'a b' : 'c'} (not the literals of its condition)
    const values = [...text.matchAll(/part=(?:"([^"]*)"|'([^']*)'|\$\{([^}]*)\})/g)].flatMap((m) =>
      m[3] !== undefined ? [...m[3].matchAll(/[?:]\s*'([^']*)'/g)].map((s) => s[1]) : [m[1] ?? m[2]],
    );
    for (const v of values) for (const token of v.split(/\s+/)) if (token && !token.includes('$')) used.add(token);
  }
  return used;
}

describe('custom-elements.json', () => {
  it('describes the three elements, each with its class and module', () => {
    expect([...elements.keys()].sort()).toEqual(['jd-login', 'jd-register', 'jd-security-settings']);
    expect(el('jd-register')).toMatchObject({ name: 'JdRegister', path: 'widget/src/elements/jd-register.ts' });
    expect(el('jd-login')).toMatchObject({ name: 'JdLogin', path: 'widget/src/elements/jd-login.ts' });
    expect(el('jd-security-settings')).toMatchObject({
      name: 'JdSecuritySettings',
      path: 'widget/src/elements/jd-security-settings.ts',
    });
  });

  it('lists the configuration attributes, inherited ones included, mapped to their properties', () => {
    const common = ['publishable-key', 'api-base', 'locale', 'session-mode'];
    const own: Record<string, string[]> = {
      'jd-register': ['login-url'],
      'jd-login': ['register-url', 'view'],
      'jd-security-settings': ['login-url'],
    };
    for (const [tag, attrs] of Object.entries(own)) {
      expect(names(el(tag).attributes).sort()).toEqual([...common, ...attrs].sort());
      const byAttr = Object.fromEntries((el(tag).attributes ?? []).map((a) => [a.name, a.fieldName]));
      expect(byAttr).toMatchObject({
        'publishable-key': 'publishableKey',
        'api-base': 'apiBase',
        'session-mode': 'sessionMode',
        locale: 'locale',
      });
      for (const a of el(tag).attributes ?? []) expect(a.description, `${tag} ${a.name}`).toBeTruthy();
    }
  });

  it('keeps internal state and private members out (static properties with state: true are not attributes)', () => {
    for (const tag of elements.keys()) {
      const members = el(tag).members ?? [];
      expect(members.filter((m) => m.privacy === 'private' || m.privacy === 'protected')).toEqual([]);
      expect(names(members)).not.toContain('errors');
      expect(names(members)).not.toContain('config');
    }
    expect(names(el('jd-login').members)).toEqual(
      expect.arrayContaining(['publishableKey', 'registerUrl', 'resolvedLocale', 'refresh']),
    );
    expect(names(el('jd-security-settings').members)).toContain('refresh');
  });

  it('lists the events each element fires, with a description of its detail', () => {
    expect(names(el('jd-register').events).sort()).toEqual(['jd-error', 'jd-navigate', 'jd-register']);
    expect(names(el('jd-login').events)).toEqual(
      expect.arrayContaining([
        'jd-login',
        'jd-logout',
        'jd-session',
        'jd-error',
        'jd-navigate',
        'jd-mfa-application-submitted',
      ]),
    );
    expect(names(el('jd-security-settings').events)).toEqual(
      expect.arrayContaining(['jd-security-change', 'jd-error']),
    );
    for (const tag of elements.keys()) {
      for (const e of el(tag).events ?? []) {
        expect(e.name, tag).toMatch(/^jd-[a-z-]+$/);
        expect(e.description, `${tag} ${e.name}`).toMatch(/detail/);
      }
    }
  });

  it('documents every theming token of the shared styles (styles/*.css) on every element (not the internal --jd-brand-* defaults)', () => {
    const styles = ['tokens.css', 'base.css']
      .map((f) => readFileSync(join(WIDGET_SRC, 'styles', f), 'utf8'))
      .join('\n');
    const tokens = new Set(
      [...styles.matchAll(/var\((--jd-[a-z-]+)/g)].map((m) => m[1]).filter((t) => !t.startsWith('--jd-brand-')),
    );
    expect(tokens.size).toBeGreaterThanOrEqual(14);
    for (const tag of elements.keys()) {
      const documented = names(el(tag).cssProperties);
      expect(documented, tag).toEqual(expect.arrayContaining([...tokens]));
      expect(
        documented.filter((t) => t.startsWith('--jd-brand-')),
        tag,
      ).toEqual([]);
    }
  });

  it('documents every part an element renders (by name, or in backticks in a related part)', () => {
    const undocumented: Record<string, string[]> = {};
    for (const tag of elements.keys()) {
      const parts = el(tag).cssParts ?? [];
      const documented = new Set(names(parts));
      for (const p of parts)
        for (const m of (p.description ?? '').matchAll(/`([a-z -]+)`/g))
          for (const t of m[1].split(' ')) documented.add(t);
      const used = partsUsedBy(el(tag).path);
      expect(used.size, tag).toBeGreaterThan(5);
      undocumented[tag] = [...used].filter((p) => !documented.has(p));
    }
    expect(undocumented).toEqual({ 'jd-register': [], 'jd-login': [], 'jd-security-settings': [] });
    expect(names(el('jd-login').cssParts)).toEqual(
      expect.arrayContaining(['form', 'input', 'submit', 'error', 'status']),
    );
  });

  it('lists the header and footer slots', () => {
    for (const tag of elements.keys()) expect(names(el(tag).slots).sort(), tag).toEqual(['footer', 'header']);
  });

  it('is the committed custom-elements.json that package.json points at (run `npm run build:manifest` after changing an element)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { customElements?: string };
    expect(pkg.customElements).toBe('custom-elements.json');
    const committed = readFileSync(join(ROOT, pkg.customElements!), 'utf8');
    // byte for byte as the CLI writes it (cli.js: JSON.stringify(manifest, null, 2) + newline)
    const fresh = `${JSON.stringify(manifest, null, 2)}\n`;
    expect(committed === fresh, 'custom-elements.json is stale: run `npm run build:manifest`').toBe(true);
  });

  it('docs/elements.md is the element reference generated from the manifest (scripts/element-reference.ts)', () => {
    const page = readFileSync(join(ROOT, REFERENCE_PAGE), 'utf8');
    const block = page.slice(page.indexOf(START), page.indexOf(END) + END.length);
    expect(block.startsWith(START), `${REFERENCE_PAGE} has no element-reference block`).toBe(true);
    const reference = elementReference(manifest as ReferenceManifest);
    // it says what matters: every tag, attribute and event is in it
    for (const tag of elements.keys()) {
      expect(reference).toContain(`### \`<${tag}>\``);
      for (const name of [...names(el(tag).attributes), ...names(el(tag).events)])
        expect(reference).toContain(`| \`${name}\` |`);
    }
    // and each inherited member once, not once per element
    expect(reference.split('| `publishable-key` |').length - 1).toBe(1);
    expect(reference.split('| `getToken(): Promise<string>` |').length - 1).toBe(1);
    expect(block === reference, `${REFERENCE_PAGE} is stale: run \`npm run build:manifest\``).toBe(true);
  });
});
