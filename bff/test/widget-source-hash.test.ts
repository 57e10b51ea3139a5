/**
 * `npm start` rebuilds the widget only when its sources changed (widget/source-hash.ts, bff/src/boot.ts):
 * the hash is stable for an unchanged tree and moves with any change of a source's bytes, name or set.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../src/boot.ts';
import { SOURCE_HASH_FILE, WIDGET_SOURCES, widgetSourceHash } from '../../widget/source-hash.ts';

const dir = mkdtempSync(join(tmpdir(), 'jd-source-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the widget source hash', () => {
  it('is stable for an unchanged tree, and moves with any change', () => {
    mkdirSync(join(dir, 'widget/src/parts'), { recursive: true });
    mkdirSync(join(dir, 'shared/src'), { recursive: true });
    writeFileSync(join(dir, 'widget/src/parts/a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'shared/src/b.ts'), 'export const b = 2;\n');
    writeFileSync(join(dir, 'package-lock.json'), '{}\n');
    const first = widgetSourceHash(dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(widgetSourceHash(dir)).toBe(first);

    writeFileSync(join(dir, 'shared/src/b.ts'), 'export const b = 3;\n');
    const edited = widgetSourceHash(dir);
    expect(edited).not.toBe(first);

    writeFileSync(join(dir, 'widget/src/parts/c.ts'), '');
    const added = widgetSourceHash(dir);
    expect(added).not.toBe(edited);

    renameSync(join(dir, 'widget/src/parts/c.ts'), join(dir, 'widget/src/parts/d.ts'));
    expect(widgetSourceHash(dir)).not.toBe(added);

    // a dependency's new version changes the bundle too
    const beforeLock = widgetSourceHash(dir);
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}\n');
    expect(widgetSourceHash(dir)).not.toBe(beforeLock);
  });

  it("covers the repository's own widget sources and the stamp lives in dist/", () => {
    expect(WIDGET_SOURCES).toEqual(expect.arrayContaining(['widget/src', 'shared/src', 'widget/build.ts']));
    expect(SOURCE_HASH_FILE.startsWith('dist/')).toBe(true);
    expect(widgetSourceHash(root)).toMatch(/^[0-9a-f]{64}$/);
  });
});
