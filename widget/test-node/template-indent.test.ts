/**
 * The build-time template transform (widget/template-indent.ts): indentation inside html/svg/css
 * templates goes, everything else — code in `${…}`, strings, comments, other templates — stays.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stripTemplateIndent as strip } from '../template-indent.ts';

describe('stripTemplateIndent', () => {
  it('drops the spaces and tabs after each newline in an html template, keeping the newlines', () => {
    const src = 'const t = html`<div>\n  <p>a b</p>\n\t\t<span> c </span>\n</div>`;';
    expect(strip(src)).toBe('const t = html`<div>\n<p>a b</p>\n<span> c </span>\n</div>`;');
  });

  it('produces what the flush-left template is, so flush-left sources pass unchanged', () => {
    const flush =
      "return html`<fieldset part=\"section\">\n<legend>${this.t('x')}</legend>\n${this.renderError('x')}\n</fieldset>`;";
    const indented =
      "return html`<fieldset part=\"section\">\n      <legend>${this.t('x')}</legend>\n      ${this.renderError('x')}\n    </fieldset>`;";
    expect(strip(indented)).toBe(flush);
    expect(strip(flush)).toBe(flush);
  });

  it('strips css and svg templates too, and a tag separated from its template by whitespace', () => {
    expect(strip('css`\n  :host{display:block}\n  p{margin:0}\n`')).toBe('css` :host{display:block}p{margin:0}\n\n\n`');
    expect(strip('svg`<g>\n  <path d="M0 0"/>\n</g>`')).toBe('svg`<g>\n<path d="M0 0"/>\n</g>`');
    expect(strip('html `<p>\n  x</p>`')).toBe('html `<p>\nx</p>`');
    expect(strip('lit.html`<p>\n  x</p>`')).toBe('lit.html`<p>\nx</p>`');
  });

  it('leaves untagged and otherwise-tagged templates alone', () => {
    const src =
      'const a = `x\n  y`;\nconst b = String.raw`x\n  y`;\nconst c = myhtml`x\n  y`;\nconst d = html2`x\n  y`;\nreturn `x\n  y`;';
    expect(strip(src)).toBe(src);
  });

  it('never touches code inside ${} but processes templates nested in it', () => {
    const src = [
      'html`<ul>',
      '  ${items.map(',
      '    (i) => html`<li>',
      '      ${i.label}',
      '    </li>`,',
      '  )}',
      '</ul>`',
    ].join('\n');
    expect(strip(src)).toBe(
      ['html`<ul>', '${items.map(', '    (i) => html`<li>', '${i.label}', '</li>`,', '  )}', '</ul>`'].join('\n'),
    );
  });

  it('keeps an untagged template inside an html expression verbatim, and strips an html one inside that', () => {
    const src = 'html`<p id=${`a\n  b${html`<i>\n  x</i>`}\n  c`}>\n  d</p>`';
    expect(strip(src)).toBe('html`<p id=${`a\n  b${html`<i>\nx</i>`}\n  c`}>\nd</p>`');
  });

  it('follows object literals and blocks in expressions to their closing brace', () => {
    const src =
      "html`<p>\n  ${this.t('k', { n: { m: 1 } })}\n  ${(() => {\n    if (a) { return 1; }\n    return 2;\n  })()}\n  </p>`";
    expect(strip(src)).toBe(
      "html`<p>\n${this.t('k', { n: { m: 1 } })}\n${(() => {\n    if (a) { return 1; }\n    return 2;\n  })()}\n</p>`",
    );
  });

  it('is not fooled by backticks, braces and quotes in strings, comments and regular expressions', () => {
    const src = [
      "const s = '`html`' + \"}`\" + '\\'`';",
      '// a comment with html` and }',
      '/* block: css` { */',
      'const r = /[`/]}`/g.test(x) ? a / 2 / b : 0;',
      'html`<p>',
      '  ${\'}\' + "`" /* } ` */ + `}` // `}\n}',
      '  ${/`}/.source}',
      '</p>`;',
      'const u = `',
      '  kept`;',
    ].join('\n');
    expect(strip(src)).toBe(
      [
        "const s = '`html`' + \"}`\" + '\\'`';",
        '// a comment with html` and }',
        '/* block: css` { */',
        'const r = /[`/]}`/g.test(x) ? a / 2 / b : 0;',
        'html`<p>',
        '${\'}\' + "`" /* } ` */ + `}` // `}\n}',
        '${/`}/.source}',
        '</p>`;',
        'const u = `',
        '  kept`;',
      ].join('\n'),
    );
  });

  it('tells a division from a regular expression by what precedes the slash', () => {
    const src =
      'const a = o.return / 2 + n / `${1}` / 3; const r = (x) => { return /`/.test(x) ? html`<b>\n  y</b>` : 0 };';
    expect(strip(src)).toBe(
      'const a = o.return / 2 + n / `${1}` / 3; const r = (x) => { return /`/.test(x) ? html`<b>\ny</b>` : 0 };',
    );
    expect(strip('x = (a) / `\n  b` / html`<i>\n  c</i>`')).toBe('x = (a) / `\n  b` / html`<i>\nc</i>`');
  });

  it('treats escapes in template text as text: an escaped backtick or ${ does not end or open anything', () => {
    const src = 'html`<code>\\`</code>\n  \\${x}\n  <b>\\\\</b>`';
    expect(strip(src)).toBe('html`<code>\\`</code>\n\\${x}\n<b>\\\\</b>`');
  });

  it('keeps whitespace that is not at a line start, CRLF line ends, and the number of lines', () => {
    expect(strip('html`<p>a  b\t</p>\r\n    <i>x</i>`')).toBe('html`<p>a  b\t</p>\r\n<i>x</i>`');
    const src = 'html`<a>\n  <b>\n    ${x}\n  </b>\n</a>`';
    expect(strip(src).split('\n')).toHaveLength(src.split('\n').length);
  });

  it('refuses sources it cannot scan rather than guessing', () => {
    expect(() => strip('html`<p>\n  ${x')).toThrow(SyntaxError);
    expect(() => strip('const a = `unterminated')).toThrow(/template literal/);
    expect(() => strip("const a = 'open\n';")).toThrow(/string/);
  });

  it('minifies css templates, keeping strings, descendant combinators, expression edges and the line count', () => {
    const src =
      "css`\n  /* why */\n  :host :lang(zh) > p,\n  a {\n    content: '  a ,b ';\n    margin: calc(1px + 2px);\n  }\n  .a ${x} .b { color: red; }\n`";
    expect(strip(src)).toBe(
      "css` :host :lang(zh)>p,a{content:'  a ,b ';margin:calc(1px + 2px)}.a \n\n\n\n\n\n\n${x} .b{color:red}\n`",
    );
  });

  it('an apostrophe in a css comment starts no string: what follows is still minified', () => {
    const src = "css`\n  /* the step's\n     heading */\n  a {\n    color: red;\n  }\n  b { content: 'x' }\n`";
    expect(strip(src)).toBe("css` a{color:red}b{content:'x'}\n\n\n\n\n\n\n`");
  });

  it('scans every widget source, only ever removing whitespace and css comments, and is idempotent', () => {
    const dirs = [
      '../src',
      '../src/elements',
      '../src/parts',
      '../src/steps/login',
      '../src/steps/register',
      '../src/steps/security',
    ].map((d) => fileURLToPath(new URL(d, import.meta.url)));
    const files = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(d, f)),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      const out = strip(src);
      const bare = (text: string) =>
        text
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s/g, '')
          .replace(/;}/g, '}');
      expect(bare(out), file).toBe(bare(src));
      expect(out.split('\n').length, file).toBe(src.split('\n').length);
      expect(strip(out), file).toBe(out);
    }
  });
});
