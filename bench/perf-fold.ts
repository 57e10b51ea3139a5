/** Folding `perf script` samples for `npm run bench:profile` (bench/profile.ts). */

/** Where a JavaScript frame's code lives: a package, a file of ours, or a part of Node. */
export function placeOf(frame: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/)?(?:([^/]+)\/)?/.exec(frame);
  if (pkg) return pkg[1] === 'kysely' && pkg[2] ? `kysely/${pkg[2]}` : pkg[1];
  const ours = /\/((?:bff|bench|shared)\/src\/[^:]+|bench\/[^:]+)/.exec(frame);
  if (ours) return ours[1];
  const node = /node:(?:internal\/)?([\w-]+(?:\/[\w-]+)?)/.exec(frame);
  if (node) return `node:${node[1]}`;
  return frame.slice(0, 60);
}

/**
 * `perf script -F ip,sym` output: one sample per block, innermost frame first. Each sample goes
 * to its innermost JavaScript frame (`JS:` with --perf-basic-prof), or to "(no JavaScript)".
 */
export function foldSamples(text: string) {
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let samples = 0;
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const block of text.split(/\n\s*\n/)) {
    const frames = block
      .split('\n')
      .map((line) => line.trim().replace(/^[0-9a-f]+\s+/, ''))
      .filter(Boolean);
    if (!frames.length) continue;
    samples++;
    const js = frames.find((f) => f.startsWith('JS:'));
    add(byPlace, js ? placeOf(js) : '(no JavaScript: libuv, GC, compiler, kernel)');
    add(byFunction, js ? js.slice(3, 140) : `(no JavaScript) ${frames[0].slice(0, 80)}`);
  }
  return { samples, byPlace, byFunction };
}
