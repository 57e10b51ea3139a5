/**
 * Bundles the widget (both elements + Lit) into dist/jd-account.js.
 * `tsx widget/build.ts` builds and prints sizes; the BFF imports buildWidget() to build on start
 * when dist/ is missing.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./src/index.ts', import.meta.url));
const OUTFILE = fileURLToPath(new URL('../dist/jd-account.js', import.meta.url));

/** Budget for both elements, Lit included (gzip bytes). */
export const WIDGET_GZIP_BUDGET = 30 * 1024;

/** Modules that must never reach the browser bundle (zod, libphonenumber metadata, the zod-based shared modules). */
const FORBIDDEN = [/node_modules\/zod\//, /node_modules\/libphonenumber-js\//, /shared\/src\/index\.ts$/, /shared\/src\/rules\/phone\.ts$/, /shared\/src\/api\.ts$/, /shared\/src\/tenant\.ts$/];

export interface WidgetBuild {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export async function buildWidget(options: { quiet?: boolean } = {}): Promise<WidgetBuild> {
  const result = await build({
    entryPoints: [ENTRY],
    outfile: OUTFILE,
    absWorkingDir: ROOT,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const leaked = Object.keys(result.metafile.inputs).filter((input) => FORBIDDEN.some((re) => re.test(input)));
  if (leaked.length) throw new Error(`widget bundle must not include: ${leaked.join(', ')}`);
  const code = readFileSync(OUTFILE);
  const out: WidgetBuild = { file: OUTFILE, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
  if (!options.quiet) {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    console.log(`widget: ${OUTFILE} ${kb(out.bytes)} min, ${kb(out.gzipBytes)} gzip (budget ${kb(WIDGET_GZIP_BUDGET)} gzip)`);
  }
  if (out.gzipBytes > WIDGET_GZIP_BUDGET) console.warn(`widget: over the gzip budget by ${out.gzipBytes - WIDGET_GZIP_BUDGET} bytes`);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildWidget().then(
    (r) => {
      if (r.gzipBytes > WIDGET_GZIP_BUDGET) process.exitCode = 1;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
