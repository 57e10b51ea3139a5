/**
 * The live checklist shows the tenant's actual password rule (docs/product.md#2-passwords),
 * read from GET /v1/config: for the NIST SP 800-63B preset that is 8–64 characters, not common,
 * not the account name — no character-class items and no "only letters, digits and symbols" item.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import { $, $$, FakeBff, TEST_CONFIG, typeInto } from './fake-bff.ts';
import { NIST_PASSWORD_POLICY } from '../../shared/src/rules/password.ts';

let bff: FakeBff;

async function mount(locale: string): Promise<JdRegister> {
  // the checklist is on step 2: come back with step 1 done (sessionStorage, as after a reload)
  sessionStorage.setItem(
    'jd-register:pk_test_1',
    JSON.stringify({
      region: 'CN',
      phone: '13800138000',
      code: '123456',
      channel: 'sms',
      accepted: true,
      expiresAt: Date.now() + 600_000,
      verified: true,
      phoneInUse: false,
    }),
  );
  const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1" locale=${locale}></jd-register>`);
  await waitUntil(() => el.shadowRoot!.querySelector('[part~="checklist"] li'), 'checklist did not render');
  return el;
}

function ruleState(el: JdRegister): Record<string, boolean> {
  return Object.fromEntries(
    $$(el, '[part~="checklist"] li').map((li) => [li.dataset['rule'], li.hasAttribute('data-met')]),
  );
}

describe('<jd-register> password checklist for the NIST preset', () => {
  beforeEach(() => {
    sessionStorage.clear();
    // the stored (expanded) form a tenant gets from `passwordPolicy: { "preset": "nist" }`
    bff = new FakeBff({
      'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, passwordPolicy: NIST_PASSWORD_POLICY } }),
    });
  });
  afterEach(() => bff.restore());

  it('lists only length 8–64, not the account name and not common (en)', async () => {
    const el = await mount('en');
    expect(Object.keys(ruleState(el))).to.deep.equal(['length', 'not_account_name', 'not_common']);
    expect($(el, 'li[data-rule="length"]').textContent).to.contain('8–64 characters');
    expect($(el, '[part~="checklist"]').textContent).to.not.contain('English');
  });

  it('accepts spaces and Han characters and counts code points', async () => {
    const el = await mount('en');
    await typeInto(el, '#jd-password', '我的 密码 长'); // 7 code points
    expect(ruleState(el)).to.deep.equal({ length: false, not_account_name: true, not_common: true });
    await typeInto(el, '#jd-password', '我的 密码 很长'); // 8
    expect(ruleState(el)).to.deep.equal({ length: true, not_account_name: true, not_common: true });
    await typeInto(el, '#jd-password', '𠀀'.repeat(64)); // 128 UTF-16 units, 64 code points
    expect(ruleState(el)['length']).to.equal(true);
    await typeInto(el, '#jd-password', 'iloveyou');
    expect(ruleState(el)['not_common']).to.equal(false);
  });

  it('shows the same rule in zh-CN', async () => {
    const el = await mount('zh-CN');
    expect(Object.keys(ruleState(el))).to.deep.equal(['length', 'not_account_name', 'not_common']);
    expect($(el, 'li[data-rule="length"]').textContent).to.match(/8–64/);
    expect($(el, '[part~="checklist"]').textContent).to.not.contain('英文');
  });
});
