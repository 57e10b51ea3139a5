/**
 * What the widget bundle is built from, as one hash: every file under widget/src and shared/src,
 * the build scripts and the lockfile (a dependency's new version changes the bundle too). `npm
 * start` rebuilds dist/ only when this differs from the hash stamped by the last build
 * (bff/src/boot.ts; docs/operating.md#configuration). No esbuild here: checking costs a few
 * milliseconds of reading, building costs a second.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const WIDGET_SOURCES = [
  'widget/src',
  'shared/src',
  'widget/build.ts',
  'widget/prune-messages.ts',
  'widget/source-hash.ts',
  'package-lock.json',
];

/** The stamp beside the build: the hash of the sources it was built from. */
export const SOURCE_HASH_FILE = 'dist/.source-hash';

function filesUnder(path: string): string[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return [];
  if (stat.isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** sha256 over each source file's path (from `root`) and bytes, in one order. */
export function widgetSourceHash(root: string, sources: readonly string[] = WIDGET_SOURCES): string {
  const hash = createHash('sha256');
  for (const file of sources.flatMap((s) => filesUnder(join(root, s)))) {
    hash.update(relative(root, file)).update('\u0000').update(readFileSync(file)).update('\u0000');
  }
  return hash.digest('hex');
}
