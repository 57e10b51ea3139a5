/**
 * /widget/*: every file of the widget's build (widget/build.ts: the entries and their chunks), to
 * any site, with the right content type; content-hashed chunks cached for good, entries for 5
 * minutes; nothing outside the build's bare file names (docs/embedding.md).
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/create.ts';
import { staticRoutes, type StaticAssets } from '../src/routes/static.ts';

const FILES: Record<string, string> = {
  'jd-account.js': 'import "./chunk-ABCDEF23.js";',
  'jd-login.js': 'import "./chunk-ABCDEF23.js";',
  'chunk-ABCDEF23.js': 'export const x = 1;',
  'zh-CN-QWERTY23.js': 'export const zhCN = {};',
  'chunk-ABCDEF23.js.map': '{"version":3}',
};
const asked: string[] = [];

function app(assets: StaticAssets) {
  const deps = { db: {} as Db, log: console, config: { dev: false } } as unknown as Parameters<typeof staticRoutes>[1];
  return staticRoutes(assets, deps);
}
const withFiles = app({
  widgetFile: async (name) => {
    asked.push(name);
    return FILES[name];
  },
});

describe('GET /widget/*', () => {
  it('serves an entry, cross-origin, revalidated after 5 minutes', async () => {
    const res = await withFiles.request('/widget/jd-account.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(FILES['jd-account.js']);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('serves hashed chunks (shared and per-locale) as immutable', async () => {
    for (const name of ['chunk-ABCDEF23.js', 'zh-CN-QWERTY23.js']) {
      const res = await withFiles.request(`/widget/${name}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(FILES[name]);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('serves source maps as JSON', async () => {
    const res = await withFiles.request('/widget/chunk-ABCDEF23.js.map');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answers 404 for a missing file', async () => {
    expect((await withFiles.request('/widget/jd-nothing.js')).status).toBe(404);
  });

  it('answers 404 without reading for names outside the build (traversal, dot files, other types)', async () => {
    asked.length = 0;
    for (const path of [
      '/widget/..%2F..%2Fpackage.json',
      '/widget/..%2Fbff%2Fsrc%2Fmain.js',
      '/widget/%2E%2E.js',
      '/widget/.env.js',
      '/widget/jd-account.ts',
      '/widget/index.html',
      '/widget/a/../jd-account.js.x',
      '/widget/sub/chunk-ABCDEF23.js',
    ]) {
      expect((await withFiles.request(path)).status, path).toBe(404);
    }
    expect(asked).toEqual([]);
  });

  it('without widgetFile, serves jd-account.js from widgetJs only', async () => {
    const legacy = app({ widgetJs: async () => 'export {};' });
    expect((await legacy.request('/widget/jd-account.js')).status).toBe(200);
    expect((await legacy.request('/widget/jd-login.js')).status).toBe(404);
  });
});
