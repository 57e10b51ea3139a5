import { describe, expect, it } from 'vitest';
import { hasInvalidTextChars, withoutInvalidTextChars } from '../src/rules/text.ts';

/** The text rule's boundaries (shared/src/rules/text.ts): C0, DEL, C1 and lone surrogates are out; everything else is text. */
describe('the text rule', () => {
  const cases: [string, string, boolean, boolean][] = [
    // name, value, refused in a single-line field, refused in a multi-line field
    ['NUL', 'a\u0000', true, true],
    ['U+001F (last C0)', 'a\u001f', true, true],
    ['space', 'a b', false, false],
    ['tilde', '~', false, false],
    ['DEL', 'a\u007f', true, true],
    ['U+0080 (first C1)', 'a\u0080', true, true],
    ['U+009F (last C1)', 'a\u009f', true, true],
    ['no-break space U+00A0', 'a\u00a0b', false, false],
    ['TAB', 'a\tb', true, false],
    ['LF', 'a\nb', true, false],
    ['CR', 'a\rb', true, false],
    ['vertical tab', 'a\u000bb', true, true],
    ['form feed', 'a\u000cb', true, true],
    ['Han', '张三', false, false],
    ['an emoji (a surrogate pair)', 'a😀b', false, false],
    ['a lone high surrogate', 'a\ud83d', true, true],
    ['a lone high surrogate before text', '\ud83db', true, true],
    ['a lone low surrogate', '\ude00b', true, true],
    ['a reversed pair', '\ude00\ud83d', true, true],
    ['the replacement character (what broken UTF-8 decodes to)', 'a\ufffd', false, false],
    ['empty', '', false, false],
  ];
  it.each(cases)('%s', (_name, value, single, multi) => {
    expect(hasInvalidTextChars(value)).toBe(single);
    expect(hasInvalidTextChars(value, { multiline: true })).toBe(multi);
  });

  it('drops what it refuses, for values that are only recorded', () => {
    expect(withoutInvalidTextChars('ag\u0000ent\u0085\u001b[31m\ud800😀')).toBe('agent[31m😀');
  });
});
