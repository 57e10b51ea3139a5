/**
 * The build-time message pruning (widget/prune-messages.ts): a bundle keeps exactly the catalogue
 * entries its sources can ask for, and nothing is pruned when a key is built in a way the scan
 * cannot follow.
 */
import { expect } from '@open-wc/testing';
import { isMessageKeyUsed, pruneCatalog, usedMessageKeys } from '../prune-messages.ts';

const CATALOG = `/** a catalogue in the shape of shared/src/i18n/en.ts */
export const en = {
  // errors
  'error.required': 'This field is required.',
  'error.file_too_large': 'The file is too large (at most {mb} MB).',
  'login.title': 'Sign in',
  'login.register': 'Register',
  'mfa.lost_help':
    'Without your MFA device, support can remove MFA: a long text, on its own line.',
  'mfa.code': 'MFA code',
  'mfa.codes_intro': 'Save these recovery codes.',
  'event.sign_in': 'Signed in',
  'security.contact_phone': 'Contact phone',
  'security.contact_email': 'Contact email',
  'security.title': 'Security settings',
} as const;

export type MessageKey = keyof typeof en;
`;

/** Evaluates a pruned catalogue as the bundle would (the TypeScript bits removed). */
function load(source: string): Record<string, string> {
  const js = source.replace('export const en =', 'return').replace(/ as const;[\s\S]*$/, ';');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the generated bundle source is what this test checks
  return new Function(js)() as Record<string, string>;
}

describe('message pruning (widget/prune-messages.ts)', () => {
  it('keeps literal keys and whole prefixes built in templates or by concatenation', () => {
    const used = usedMessageKeys([
      "this.t('login.title'); const k = cond ? 'mfa.lost_help' : 'login.title';",
      'const key = `error.${code}` as MessageKey;',
      "t(locale, 'event.' + type);",
    ])!;
    expect([...used.prefixes].sort()).to.deep.equal(['error', 'event']);
    expect(isMessageKeyUsed('login.title', used)).to.equal(true);
    expect(isMessageKeyUsed('error.anything_new', used)).to.equal(true);
    expect(isMessageKeyUsed('event.sign_in', used)).to.equal(true);
    expect(isMessageKeyUsed('login.register', used)).to.equal(false);
    expect(isMessageKeyUsed('security.title', used)).to.equal(false);
  });

  it('drops the unused entries, one-line and two-line, and keeps the module valid', () => {
    const used = usedMessageKeys(["t('login.title'); t('mfa.code'); x = `error.${c}`;"])!;
    const pruned = pruneCatalog(CATALOG, used);
    const en = load(pruned);
    expect(Object.keys(en)).to.deep.equal([
      'error.required',
      'error.file_too_large',
      'login.title',
      'mfa.code',
      'mfa.codes_intro',
    ]);
    expect(en['error.file_too_large']).to.equal('The file is too large (at most {mb} MB).');
    expect(pruned).to.contain('// errors').and.contain('export type MessageKey = keyof typeof en;');
    expect(pruned).to.not.contain('long text');
    // everything used: the catalogue comes back unchanged
    const all = usedMessageKeys([
      "t('mfa.lost_help')",
      '`login.${a}` `security.${b}` `event.${c}` `mfa.${d}` `error.${e}`',
    ])!;
    expect(pruneCatalog(CATALOG, all)).to.equal(CATALOG);
    expect(load(pruneCatalog(CATALOG, all))['mfa.lost_help']).to.contain('long text');
  });

  it('keeps the keys a literal may be completed into (the start of a key)', () => {
    const used = usedMessageKeys(["const base = 'security.contact'; t(`${base}_phone` as MessageKey);"])!;
    const en = load(pruneCatalog(CATALOG, used));
    expect(Object.keys(en)).to.deep.equal(['security.contact_phone', 'security.contact_email']);
  });

  it('prunes nothing when a key is built from an unknown start', () => {
    expect(usedMessageKeys(['t(`${group}.title` as MessageKey)'])).to.equal(null);
    expect(usedMessageKeys(['t(`${group}.${name}` as MessageKey)'])).to.equal(null);
    expect(usedMessageKeys(["t((group + '.title') as MessageKey)"])).to.equal(null);
    // ordinary templates are no reason to give up
    expect(
      usedMessageKeys(['html`<p id="${id}-error">${text}</p>`; `#${CONTROL_ID.password}`; `${n} s`']),
    ).to.not.equal(null);
  });
});
