/**
 * Build-time transform that lets the widget's Lit templates and CSS be written indented while the
 * bundle ships them flush-left: Lit and esbuild keep template text verbatim, so every indenting
 * space would count against the gzip budget (widget/build.ts). The Web Test Runner config applies
 * the same transform, so component tests render what the bundle ships.
 *
 * Only the static text of templates tagged `html`, `svg` or `css` changes: the spaces and tabs
 * right after each newline are dropped (the newline stays). `${…}` expressions are code; they are
 * scanned as code (strings, comments, regular expressions, braces) so that templates nested in
 * them are found and processed too. Untagged and otherwise-tagged templates are left alone. The
 * transform never adds or removes a line, so line numbers (and source maps by line) hold.
 *
 * `css` templates are minified as well (minifyCss): styles.ts is written formatted, and the
 * bundle must not pay for its whitespace and comments. The lines a css text loses are kept as
 * newlines at its end, so the line count still holds.
 */

const TAGS = new Set(['html', 'svg', 'css']);

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

/**
 * Whitespace and comments out of a piece of CSS (the static text between two `${…}`): runs of
 * whitespace become one space, none is kept around `{ } ; , >` or after `:` (a space before a
 * `:` is a descendant combinator and stays), nor before a `}`'s last `;`. Quoted strings are
 * kept as written. An edge next to an expression keeps its one space, so `.a ${b} .c` holds.
 */
export function minifyCss(text: string): string {
  const newlines = text.split('\n').length - 1;
  // comments out first, reading strings on the way: an apostrophe in a comment starts no string
  const uncommented = text.replace(/\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, (m) =>
    m.startsWith('/*') ? '' : m,
  );
  const min = uncommented
    .split(/('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(/\s+/g, ' ')
            .replace(/ ?([{};,>]) ?/g, '$1')
            .replace(/: /g, ':')
            .replace(/\( /g, '(')
            .replace(/ \)/g, ')')
            .replace(/;}/g, '}'),
    )
    .join('');
  return min + '\n'.repeat(newlines);
}

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[\w$\u0080-\uffff]/.test(c);

export function stripTemplateIndent(source: string): string {
  let i = 0;
  let out = '';
  /** The last significant token before `i` in code: a word, or a punctuator character. */
  let lastWord = '';
  let lastPunct = '';

  const fail = (what: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new SyntaxError(`stripTemplateIndent: ${what} at line ${line}`);
  };

  /** Copies a '…' or "…" string. */
  const quoted = (q: string): void => {
    const start = i++;
    while (i < source.length && source[i] !== q) {
      if (source[i] === '\\') i++;
      else if (source[i] === '\n') fail('unterminated string');
      i++;
    }
    if (i >= source.length) fail('unterminated string');
    i++;
    out += source.slice(start, i);
  };

  /** Copies a regular expression literal (with its flags). */
  const regex = (): void => {
    const start = i++;
    let inClass = false;
    while (i < source.length) {
      const c = source[i];
      if (c === '\\') i++;
      else if (c === '\n') fail('unterminated regular expression');
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      i++;
    }
    if (i >= source.length) fail('unterminated regular expression');
    i++;
    while (isIdentChar(source[i])) i++;
    out += source.slice(start, i);
  };

  /** A template literal starting at the backtick at `i`; `strip` for html/svg/css tags, `css` minifies too. */
  const template = (strip: boolean, css = false): void => {
    out += '`';
    i++;
    // css: the static text since the last `${…}`, minified when it ends
    let cssStart = out.length;
    const flushCss = () => {
      if (css) out = out.slice(0, cssStart) + minifyCss(out.slice(cssStart));
    };
    for (;;) {
      if (i >= source.length) fail('unterminated template literal');
      const c = source[i];
      if (c === '`') {
        flushCss();
        out += c;
        i++;
        return;
      }
      if (c === '\\') {
        // An escape, or a line continuation: its next line is indented source too.
        out += source.slice(i, i + 2);
        i += 2;
        if (strip && source[i - 1] === '\n') while (source[i] === ' ' || source[i] === '\t') i++;
        continue;
      }
      if (c === '$' && source[i + 1] === '{') {
        flushCss();
        out += '${';
        i += 2;
        code(true);
        out += '}';
        i++;
        cssStart = out.length;
        continue;
      }
      out += c;
      i++;
      if (strip && c === '\n') while (source[i] === ' ' || source[i] === '\t') i++;
    }
  };

  /** Copies code up to the end of the source or, with `inExpression`, up to the `}` closing a `${`. */
  const code = (inExpression: boolean): void => {
    let depth = 0;
    lastWord = '';
    lastPunct = '(';
    while (i < source.length) {
      const c = source[i];
      const next = source[i + 1];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        out += c;
        i++;
      } else if (c === '/' && next === '/') {
        const end = source.indexOf('\n', i);
        const stop = end < 0 ? source.length : end;
        out += source.slice(i, stop);
        i = stop;
      } else if (c === '/' && next === '*') {
        const end = source.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment');
        out += source.slice(i, end + 2);
        i = end + 2;
      } else if (c === "'" || c === '"') {
        quoted(c);
        lastWord = '';
        lastPunct = ')'; // a value: a following `/` divides
      } else if (c === '`') {
        template(lastWord !== '' && TAGS.has(lastWord), lastWord === 'css');
        lastWord = '';
        lastPunct = ')';
      } else if (c === '/') {
        const regexAllowed = lastWord ? REGEX_AFTER_WORD.has(lastWord) : !/[)\]]/.test(lastPunct);
        if (regexAllowed) {
          regex();
          lastWord = '';
          lastPunct = ')';
        } else {
          out += c;
          i++;
          lastWord = '';
          lastPunct = c;
        }
      } else if (isIdentChar(c)) {
        const start = i;
        while (isIdentChar(source[i])) i++;
        const word = source.slice(start, i);
        out += word;
        // A number, or a property name other than a tag (`x.return / 2`, but `lit.html```), ends like a value.
        const property = lastWord === '' && lastPunct === '.';
        if (/^\d/.test(word) || (property && !TAGS.has(word))) {
          lastWord = '';
          lastPunct = ')';
        } else lastWord = word;
      } else {
        if (c === '{') depth++;
        else if (c === '}') {
          if (depth === 0 && inExpression) return;
          depth--;
        }
        out += c;
        i++;
        lastWord = '';
        lastPunct = c;
      }
    }
    if (inExpression) fail('unterminated ${ expression');
  };

  code(false);
  return out;
}
