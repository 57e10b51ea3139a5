/**
 * The widget's styles are written as CSS, in .css files under widget/src; each has a generated
 * sibling module `<name>.css.ts` that the sources import: the CSS minified by esbuild, as a Lit
 * CSSResult. The generated modules are committed, so the sources stay plain TypeScript for any
 * bundler (a portal bundling `jd-account` or `jd-account/react` from source needs no CSS plugin)
 * and for the component tests. `npm run build:widget` (`tsx widget/css-modules.ts --write`)
 * regenerates them; `npm test` fails when one is stale (widget/test-node/css-modules.test.ts).
 */
import { transform } from 'esbuild';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SRC = fileURLToPath(new URL('./src/', import.meta.url));

/** Every .css file under widget/src, absolute. */
export function cssFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cssFiles(join(dir, e.name)) : e.name.endsWith('.css') ? [join(dir, e.name)] : [],
  );
}

/** The module generated from a .css file: its text minified by esbuild (no lowering), as a CSSResult. */
export async function cssModule(path: string): Promise<string> {
  const { code } = await transform(readFileSync(path, 'utf8'), { loader: 'css', minify: true, sourcefile: path });
  const name = relative(SRC, path).replaceAll('\\', '/');
  return [
    `// Generated from ${name.split('/').pop()} by widget/css-modules.ts (npm run build:widget): edit the .css file, not this one.`,
    `import { unsafeCSS } from 'lit';`,
    '',
    `export default unsafeCSS(${JSON.stringify(code.trim())});`,
    '',
  ].join('\n');
}

/** The generated modules that differ from what their .css file makes now (all written when `write`). */
export async function syncCssModules(write: boolean): Promise<string[]> {
  const stale: string[] = [];
  for (const css of cssFiles()) {
    const target = `${css}.ts`;
    const want = await cssModule(css);
    let have = '';
    try {
      have = readFileSync(target, 'utf8');
    } catch {
      // not generated yet
    }
    if (have === want) continue;
    stale.push(relative(SRC, target));
    if (write) writeFileSync(target, want);
  }
  return stale;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const write = process.argv.includes('--write');
  const stale = await syncCssModules(write);
  for (const file of stale) console.log(`${write ? 'wrote' : 'stale'}: widget/src/${file}`);
  if (!write && stale.length) process.exitCode = 1;
}
