/**
 * The widget part of `npm run bench` (bench/run.ts), also runnable alone: `tsx bench/bundle.ts`.
 * Builds dist/ (widget/build.ts) and reports what a page downloads first for <jd-login> alone
 * (dist/jd-login.js) and for all three elements (dist/jd-account.js): the entry, the chunks it
 * imports statically and its own first catalogue chunk of one locale, each compressed on its own,
 * brotli q11, against the budgets LOGIN_BROTLI_BUDGET and ALL_BROTLI_BUDGET; and, beside it, what
 * it loads later (the step modules and the rest of the messages).
 */
import { pathToFileURL } from 'node:url';
import { ALL_BROTLI_BUDGET, LOGIN_BROTLI_BUDGET, buildWidget, type BundleSize } from '../widget/build.ts';

export interface BundleTarget extends BundleSize {
  entry: string;
  budgetBrotliBytes: number;
}

export type BundleResult =
  | { ok: true; login: BundleTarget; all: BundleTarget; heaviest: { input: string; bytes: number }[] }
  | { ok: false; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds (three attempts: another helper's edit may be mid-write) and measures. */
export async function measureBundle(log: (msg: string) => void): Promise<BundleResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const b = await buildWidget({ quiet: true });
      const target = (entry: 'jd-login' | 'jd-account', budget: number): BundleTarget => ({
        entry: `dist/${entry}.js`,
        budgetBrotliBytes: budget,
        ...b.entries[entry],
      });
      const out = {
        ok: true as const,
        login: target('jd-login', LOGIN_BROTLI_BUDGET),
        all: target('jd-account', ALL_BROTLI_BUDGET),
        heaviest: b.heaviest,
      };
      for (const t of [out.login, out.all])
        log(
          `bundle ${t.entry} + ${t.files.length - 1} chunks, one locale, first load: ${t.bytes} B min, ${t.gzipBytes} B gzip -9, ${t.brotliBytes} B brotli q11 (budget ${t.budgetBrotliBytes} B brotli); later ${t.laterBrotliBytes} B brotli`,
        );
      log(`heaviest modules (min bytes): ${out.heaviest.map((h) => `${h.input} ${h.bytes}`).join(', ')}`);
      return out;
    } catch (e) {
      lastError = e;
      log(`widget build attempt ${attempt} failed (${String((e as Error)?.message ?? e).split('\n')[0]})`);
      if (attempt < 3) await sleep(10_000);
    }
  }
  return {
    ok: false,
    reason: `widget build failed (another edit in progress?): ${String((lastError as Error)?.message ?? lastError).split('\n')[0]}`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await measureBundle((m) => console.log(`[bench] ${m}`));
  if (!r.ok) {
    console.error(r.reason);
    process.exitCode = 1;
  }
}
