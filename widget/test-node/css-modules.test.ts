/**
 * The generated style modules (widget/css-modules.ts): every .css file under widget/src has its
 * `.css.ts` module, and each is what the .css file makes now (run `npm run build:widget` after
 * editing a .css file). The module is the CSS minified: no comment, no indentation left.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cssFiles, syncCssModules } from '../css-modules.ts';

describe('generated style modules', () => {
  it('exist for every .css file and are current', async () => {
    expect(cssFiles().length).toBeGreaterThanOrEqual(7);
    expect(await syncCssModules(false)).toEqual([]);
  });

  it('ship the CSS minified', () => {
    for (const css of cssFiles()) {
      const source = readFileSync(css, 'utf8');
      const generated = readFileSync(`${css}.ts`, 'utf8');
      const text = JSON.parse(/unsafeCSS\((".*")\);/.exec(generated)![1]) as string;
      expect(text, css).not.toMatch(/\/\*|\n {2}/);
      expect(text.length, css).toBeLessThan(source.length);
    }
  });
});
