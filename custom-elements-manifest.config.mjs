/**
 * Custom Elements Manifest of the widget (`npm run build:manifest` → custom-elements.json, which
 * package.json's "customElements" points at; checked by e2e/custom-elements-manifest.test.ts, which
 * regenerates it and compares it with the committed file).
 *
 * The elements declare reactive properties with `static properties = {…}` (bundle size, see
 * widget/src/parts/base-element.ts); the analyzer's Lit support reads that, with two gaps this
 * plugin closes so the manifest shows only the public API a portal can use:
 * - `{ state: true }` entries are internal state (Lit never observes an attribute for them), but
 *   the analyzer lists them as attributes;
 * - `this.emit(name, …)` in the base class is reported as an event literally called "name".
 * Private and protected members are dropped too: they are not API.
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @returns {import('@custom-elements-manifest/analyzer').Plugin} */
function jdPublicApi() {
  /** class name → names declared `{ state: true }` in its `static properties` */
  const stateByClass = new Map();
  return {
    name: 'jd-public-api',
    analyzePhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      const states = new Set();
      for (const member of node.members) {
        const isStatic = ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static;
        if (!isStatic || !ts.isPropertyDeclaration(member) || member.name.getText() !== 'properties') continue;
        const init = member.initializer;
        if (!init || !ts.isObjectLiteralExpression(init)) continue;
        for (const prop of init.properties) {
          if (!ts.isPropertyAssignment(prop) || !ts.isObjectLiteralExpression(prop.initializer)) continue;
          const isState = prop.initializer.properties.some(
            (o) =>
              ts.isPropertyAssignment(o) &&
              o.name.getText() === 'state' &&
              o.initializer.kind === ts.SyntaxKind.TrueKeyword,
          );
          if (isState) states.add(prop.name.getText());
        }
      }
      stateByClass.set(node.name.getText(), states);
    },
    // before inheritance is applied (package link phase), so subclasses never inherit them
    moduleLinkPhase({ moduleDoc }) {
      for (const decl of moduleDoc.declarations ?? []) {
        const states = stateByClass.get(decl.name);
        if (decl.kind !== 'class' || !states?.size) continue;
        decl.attributes = (decl.attributes ?? []).filter((a) => !states.has(a.fieldName));
        for (const m of decl.members ?? []) if (states.has(m.name)) delete m.attribute;
        if (!decl.attributes.length) delete decl.attributes;
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const decl of mod.declarations ?? []) {
          if (decl.kind !== 'class') continue;
          if (decl.members)
            decl.members = decl.members.filter(
              (m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.name.startsWith('#'),
            );
          // every event of this package is named jd-*: a name without a dash is a variable's name
          if (decl.events) decl.events = decl.events.filter((e) => e.name.includes('-'));
          for (const key of ['members', 'events', 'attributes']) if (decl[key] && !decl[key].length) delete decl[key];
        }
      }
    },
  };
}

const ROOT = fileURLToPath(new URL('.', import.meta.url));

export default {
  globs: ['widget/src/elements/*.ts', 'widget/src/parts/base-element.ts'],
  outdir: '.',
  litelement: true,
  // package.json's "customElements" is set by hand: the analyzer would rewrite the whole file
  packagejson: false,
  plugins: [jdPublicApi()],
  // The analyzer's own module creation, with the files sorted: the glob's order follows the file
  // system's, and the committed manifest must come out byte for byte the same on every machine.
  overrideModuleCreation: ({ ts, globs }) =>
    [...globs]
      .sort()
      .map((glob) =>
        ts.createSourceFile(glob, readFileSync(resolve(ROOT, glob), 'utf8'), ts.ScriptTarget.ES2015, true),
      ),
};
