/** The fold behind `npm run bench:profile` (bench/perf-fold.ts): which frame a sample is charged to. */
import { describe, expect, it } from 'vitest';
import { foldSamples, placeOf } from '../../bench/perf-fold.ts';

const SCRIPT = `
\t    7f0001 Builtins_LoadIC
\t    7f0002 JS:*visitRaw file:///w/node_modules/kysely/dist/query-compiler/default-query-compiler.js:364:13
\t    7f0003 JS:*signIn file:///w/bff/src/services/sign-in.ts:1:3434

\t    7f0004 __GI___writev
\t    7f0005 JS:*clearBuffer node:internal/streams/writable:744:21
\t    7f0006 JS:*query /w/node_modules/pg/lib/client.js:668:8

\t    7f0007 epoll_pwait
\t    7f0008 uv_run

\t    7f0009 JS:^signCompact file:///w/bff/src/services/tokens.ts:1:3160
`;

describe('perf sample folding', () => {
  it('charges each sample to its innermost JavaScript frame, or to no JavaScript', () => {
    const { samples, byPlace, byFunction } = foldSamples(SCRIPT);
    expect(samples).toBe(4);
    expect(Object.fromEntries(byPlace)).toEqual({
      'kysely/query-compiler': 1,
      'node:streams/writable': 1,
      '(no JavaScript: libuv, GC, compiler, kernel)': 1,
      'bff/src/services/tokens.ts': 1,
    });
    expect(byFunction.get('*clearBuffer node:internal/streams/writable:744:21')).toBe(1);
  });

  it('names packages, scoped packages, our files and Node', () => {
    expect(placeOf('JS:*x /w/node_modules/@hono/node-server/dist/index.mjs:1:1')).toBe('@hono/node-server');
    expect(placeOf('JS:*x /w/node_modules/pg-protocol/dist/parser.js:1:1')).toBe('pg-protocol');
    expect(placeOf('JS:*x file:///w/shared/src/api.ts:1:1')).toBe('shared/src/api.ts');
    expect(placeOf('JS:*x file:///w/bench/bff-floor.ts:1:1')).toBe('bench/bff-floor.ts');
    expect(placeOf('JS:*emit node:events:471:44')).toBe('node:events');
  });
});
