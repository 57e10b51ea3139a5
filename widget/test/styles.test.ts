import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import { LitElement, html as litHtml } from 'lit';
import { choiceStyles } from '../src/parts/choice.ts';
import { checklistStyles } from '../src/parts/password-checklist.ts';
import recoveryCodeStyles from '../src/steps/security/recovery-codes.css.ts';
import { securityStyles } from '../src/steps/security/styles.ts';
import { base, tokens } from '../src/styles.ts';

/** A test-only element with the styles and the markup vocabulary of docs/elements.md. */
class StyleHost extends LitElement {
  static override styles = [tokens, base, choiceStyles, checklistStyles, securityStyles, recoveryCodeStyles];
  override render() {
    return litHtml`<div class="root" lang=${this.dataset.locale ?? 'en'}>
      <section class="step" aria-labelledby="t">
        <h2 id="t" class="step-title" tabindex="-1">已绑定 成功</h2>
        <div class="field">
          <label class="label" for="phone">Phone</label>
          <input id="phone" aria-invalid="true" aria-describedby="phone-err" />
          <p class="field-error" id="phone-err">Wrong</p>
        </div>
        <div class="field">
          <label class="label" for="ok">Name</label>
          <input id="ok" aria-invalid="false" />
        </div>
        <div class="field">
          <div class="password">
            <input id="pw" type="password" aria-invalid="false" /><button type="button" class="reveal">o</button>
          </div>
        </div>
        <ol class="codes"><li>aaaa-bbbb</li><li>cccc-dddd</li><li>eeee-ffff</li></ol>
        <ul class="rows"><li class="row-item">a</li><li class="row-item">b</li></ul>
      </section>
      <dialog class="dialog">
        <h3 class="step-title" tabindex="-1">删除子账号并撤销全部会话</h3>
        <ul class="rows"><li class="row-item">a</li><li class="row-item">b</li></ul>
        <div class="actions">
          <button class="btn-primary">Confirm and remove the device</button>
          <button class="btn-secondary">Download the recovery codes</button>
          <button class="btn-link">Cancel</button>
        </div>
      </dialog>
    </div>`;
  }
}
customElements.define('jd-style-host', StyleHost);

const $ = (host: Element, sel: string) => host.shadowRoot!.querySelector<HTMLElement>(sel)!;

/** the computed colour of a CSS colour value, for comparing colours written differently */
function resolved(host: Element, value: string): string {
  const probe = document.createElement('span');
  probe.style.color = value;
  host.shadowRoot!.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  return c;
}

describe('shared styles', () => {
  afterEach(() => emulateMedia({ colorScheme: 'light' }));

  it('keeps every dialog button inside a 360 px wide viewport, without row dividers', async () => {
    await setViewport({ width: 360, height: 640 });
    try {
      const host = await fixture<StyleHost>(html`<jd-style-host data-locale="zh-CN"></jd-style-host>`);
      const dialog = $(host, 'dialog') as HTMLDialogElement;
      dialog.showModal();
      const buttons = [...dialog.querySelectorAll('button')];
      expect(buttons).to.have.length(3);
      for (const b of buttons) {
        const r = b.getBoundingClientRect();
        expect(r.width).to.be.greaterThan(0);
        expect(r.left).to.be.at.least(0);
        expect(r.right).to.be.at.most(360);
        expect(r.bottom).to.be.at.most(640);
        expect(b.scrollWidth).to.be.at.most(b.clientWidth + 1);
      }
      const items = dialog.querySelectorAll<HTMLElement>('.row-item');
      expect(getComputedStyle(items[1]).borderTopStyle).to.equal('none');
      // outside dialogs the rows keep their dividers
      expect(getComputedStyle($(host, '.step .row-item + .row-item')).borderTopStyle).to.equal('solid');
      dialog.close();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it("gives an invalid input the error colour's border, over the general input rule", async () => {
    const host = await fixture<StyleHost>(html`<jd-style-host></jd-style-host>`);
    const error = resolved(host, 'var(--_error)');
    expect(getComputedStyle($(host, '#phone')).borderTopColor).to.equal(error);
    expect(getComputedStyle($(host, '#ok')).borderTopColor).not.to.equal(error);
    // the error text carries an icon, so it is not told by colour alone
    expect(getComputedStyle($(host, '.field-error'), '::before').content).not.to.equal('none');
  });

  it('lays recovery codes out in two columns', async () => {
    const host = await fixture<StyleHost>(html`<jd-style-host></jd-style-host>`);
    expect(getComputedStyle($(host, '.codes')).gridTemplateColumns.split(' ')).to.have.length(2);
  });

  it('keeps Chinese words whole under a zh root, and not under an en one', async () => {
    const zh = await fixture<StyleHost>(html`<jd-style-host data-locale="zh-CN"></jd-style-host>`);
    expect(getComputedStyle($(zh, '.step-title')).wordBreak).to.equal('keep-all');
    expect(getComputedStyle($(zh, '.step-title')).fontFamily).to.match(/^"?PingFang SC/);
    const en = await fixture<StyleHost>(html`<jd-style-host></jd-style-host>`);
    expect(getComputedStyle($(en, '.step-title')).wordBreak).to.equal('normal');
  });

  it("puts the password reveal button inside the input's box", async () => {
    const host = await fixture<StyleHost>(html`<jd-style-host></jd-style-host>`);
    const input = $(host, '#pw').getBoundingClientRect();
    const reveal = $(host, '.reveal').getBoundingClientRect();
    expect(reveal.width).to.be.greaterThan(0);
    expect(reveal.left).to.be.at.least(input.left);
    expect(reveal.right).to.be.at.most(input.right);
    expect(reveal.top).to.be.at.least(input.top);
    expect(reveal.bottom).to.be.at.most(input.bottom);
  });

  it('switches to the dark colours when the page prefers a dark scheme', async () => {
    const host = await fixture<StyleHost>(html`<jd-style-host></jd-style-host>`);
    await emulateMedia({ colorScheme: 'light' });
    const light = getComputedStyle(host).backgroundColor;
    await emulateMedia({ colorScheme: 'dark' });
    const dark = getComputedStyle(host).backgroundColor;
    expect(dark).not.to.equal(light);
    expect(dark).to.equal('rgb(28, 30, 34)');
  });
});
