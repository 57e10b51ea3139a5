/**
 * The bot challenge before a paid code (docs/security.md#abuse-protection-for-paid-messages): a code
 * request answered 403 `captcha_required` runs the tenant's provider (its lazily loaded part,
 * widget/src/parts/captcha.ts) and is sent once more with the answer. The providers' browser APIs
 * are stubbed on window by a data: URL script (no network).
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import type { CaptchaPublic } from '../../shared/src/captcha.ts';
import { $, FakeBff, TEST_CONFIG, errorAnswer, typeInto, type RecordedRequest } from './fake-bff.ts';

/** What a stub does when the provider's API is called: set by each test. */
interface Stubs {
  tencent?: (appId: string, callback: (r: unknown) => void, options: { userLanguage: string }) => void;
  aliyun?: (options: Record<string, unknown> & { element: string; button: string }) => void;
  turnstile?: (container: HTMLElement, options: Record<string, unknown>) => void;
  removed?: string[];
}
type StubWindow = Window & {
  __captcha: Stubs;
  TencentCaptcha?: unknown;
  initAliyunCaptcha?: unknown;
  AliyunCaptchaConfig?: { region: string; prefix: string };
  turnstile?: unknown;
};
const w = window as unknown as StubWindow;

/** The providers' scripts, as data: URLs defining their globals (delegating to window.__captcha). */
const SCRIPTS: Record<CaptchaPublic['provider'], string> = {
  tencent: `data:text/javascript,${encodeURIComponent(
    'window.TencentCaptcha = function (appId, cb, opts) { this.show = () => window.__captcha.tencent(appId, cb, opts); };',
  )}`,
  aliyun: `data:text/javascript,${encodeURIComponent(
    'window.__aliyunConfigSeen = window.AliyunCaptchaConfig; window.initAliyunCaptcha = (o) => window.__captcha.aliyun(o);',
  )}`,
  turnstile: `data:text/javascript,${encodeURIComponent(
    'window.turnstile = { render: (c, o) => (window.__captcha.turnstile(c, o), "w1"), remove: (id) => window.__captcha.removed.push(id) };',
  )}`,
};

const SENT = {
  status: 202,
  body: { channel: 'sms', sentTo: '138****8000', expiresIn: 600, resendAfter: 60, deliveryId: null },
};

let bff: FakeBff;

function setUp(captcha: CaptchaPublic): void {
  w.__captcha = { removed: [] };
  bff = new FakeBff({
    'GET /v1/config': () => ({ status: 200, body: { ...TEST_CONFIG, captcha } }),
    'POST /v1/verification-codes': (req) =>
      (req.body as { captcha?: unknown }).captcha ? SENT : errorAnswer(403, 'captcha_required'),
  });
  sessionStorage.clear();
}

const config = (provider: CaptchaPublic['provider'], scriptUrl = SCRIPTS[provider]): CaptchaPublic => ({
  provider,
  scriptUrl,
  siteKey: provider === 'tencent' ? '190000001' : 'key_1',
  ...(provider === 'aliyun' ? { prefix: 'pfx1' } : {}),
});

const captchaChunkLoaded = () =>
  performance.getEntriesByType('resource').some((e) => e.name.includes('/widget/src/parts/captcha.ts'));

async function mountAndSend(locale = 'en'): Promise<JdRegister> {
  const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1" locale=${locale}></jd-register>`);
  await waitUntil(() => el.shadowRoot!.querySelector('section.step'), 'step did not render');
  await typeInto(el, '#jd-phone', '13800138000');
  $<HTMLButtonElement>(el, '#jd-send-code').click();
  return el;
}

const sends = (): RecordedRequest[] => bff.find('POST', '/v1/verification-codes');
const sendStatus = (el: JdRegister) => el.shadowRoot!.querySelector<HTMLElement>('.status[data-action="send"]');

describe('bot challenge before a paid code', () => {
  afterEach(() => bff.restore());

  it('loads the captcha chunk only when a challenge is asked for', async () => {
    setUp(config('tencent'));
    bff.routes['POST /v1/verification-codes'] = () => SENT;
    const el = await mountAndSend();
    await waitUntil(() => sendStatus(el)?.textContent.includes('138****8000'), 'code sent');
    expect(captchaChunkLoaded()).to.equal(false);
  });

  describe('tencent', () => {
    it('solved: the request is sent again with ticket and randstr, and the code step goes on', async () => {
      setUp(config('tencent'));
      let seen: { appId: string; lang: string } | undefined;
      w.__captcha.tencent = (appId, cb, o) => {
        seen = { appId, lang: o.userLanguage };
        setTimeout(() => cb({ ret: 0, ticket: 't-123', randstr: '@abc' }));
      };
      expect(captchaChunkLoaded()).to.equal(false);
      const el = await mountAndSend();
      await waitUntil(() => sends().length === 2, 'sent again');
      expect(captchaChunkLoaded()).to.equal(true);
      expect(seen).to.deep.equal({ appId: '190000001', lang: 'en' });
      expect(sends()[0].body).to.not.have.property('captcha');
      expect(sends()[1].body).to.deep.include({
        phone: { region: 'CN', number: '13800138000' },
        captcha: { ticket: 't-123', randstr: '@abc' },
      });
      await waitUntil(() => sendStatus(el)?.textContent.includes('138****8000'), 'code sent');
      expect(document.querySelectorAll(`script[src="${SCRIPTS.tencent}"]`)).to.have.length(1);
    });

    it('closed by the user (ret 2): a localized message next to Send code, nothing more sent', async () => {
      setUp(config('tencent'));
      w.__captcha.tencent = (_a, cb, o) => {
        expect(o.userLanguage).to.equal('zh-cn');
        setTimeout(() => cb({ ret: 2, ticket: null }));
      };
      const el = await mountAndSend('zh-CN');
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status');
      expect(sendStatus(el)!.textContent).to.contain('请先完成安全验证');
      expect(sendStatus(el)!.className).to.contain('is-error');
      expect(sendStatus(el)!.previousElementSibling).to.equal($(el, '.code-row'));
      expect(sends()).to.have.length(1);
    });

    it('the script does not load: captcha_unavailable', async () => {
      delete w.TencentCaptcha;
      setUp(config('tencent', '/no-such-captcha-script.js'));
      const el = await mountAndSend();
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status', { timeout: 5000 });
      expect(sendStatus(el)!.textContent).to.contain('security check is unavailable');
      expect(sends()).to.have.length(1);
      expect(document.querySelector('script[src$="/no-such-captcha-script.js"]')).to.equal(null);
    });
  });

  describe('aliyun', () => {
    it('solved: popup from light-DOM element and button, the param sent as ticket', async () => {
      setUp(config('aliyun'));
      let options: Parameters<NonNullable<Stubs['aliyun']>>[0] | undefined;
      w.__captcha.aliyun = (o) => {
        options = o;
        expect(document.querySelector(o.element)?.parentElement).to.equal(document.body);
        expect(document.querySelector(o.button)).to.exist;
        (o['getInstance'] as (i: unknown) => void)({
          show: () => setTimeout(() => (o['success'] as (p: string) => void)('verify-param')),
        });
      };
      const el = await mountAndSend();
      await waitUntil(() => sends().length === 2, 'sent again');
      expect((w as unknown as { __aliyunConfigSeen: unknown }).__aliyunConfigSeen).to.deep.equal({
        region: 'cn',
        prefix: 'pfx1',
      });
      expect(options).to.include({ SceneId: 'key_1', mode: 'popup', language: 'en' });
      expect((sends()[1].body as { captcha: unknown }).captcha).to.deep.equal({ ticket: 'verify-param' });
      await waitUntil(() => sendStatus(el)?.textContent.includes('138****8000'), 'code sent');
      // the light-DOM element and button are gone
      expect(document.querySelector(options!.element)).to.equal(null);
      expect(document.querySelector(options!.button)).to.equal(null);
    });

    it('closed by the user: the message next to Send code, nothing more sent', async () => {
      setUp(config('aliyun'));
      w.__captcha.aliyun = (o) =>
        (o['getInstance'] as (i: unknown) => void)({ show: () => setTimeout(() => (o['onClose'] as () => void)()) });
      const el = await mountAndSend();
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status');
      expect(sendStatus(el)!.textContent).to.contain('Complete the security check to receive a code.');
      expect(sends()).to.have.length(1);
    });

    it('the script does not load: captcha_unavailable', async () => {
      delete w.initAliyunCaptcha;
      setUp(config('aliyun', '/no-such-aliyun-script.js'));
      const el = await mountAndSend();
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status', { timeout: 5000 });
      expect(sendStatus(el)!.textContent).to.contain('security check is unavailable');
      expect(sends()).to.have.length(1);
    });
  });

  describe('turnstile', () => {
    const panel = (el: JdRegister) => el.shadowRoot!.querySelector<HTMLElement>('[part="captcha"]');

    it('solved: an inline panel under the send row, the token sent as ticket, the panel removed', async () => {
      setUp(config('turnstile'));
      let solve: ((token: string) => void) | undefined;
      w.__captcha.turnstile = (container, o) => {
        expect(o).to.include({ sitekey: 'key_1', language: 'en' });
        container.append(document.createElement('iframe'));
        solve = o['callback'] as (token: string) => void;
      };
      const el = await mountAndSend();
      await waitUntil(() => solve, 'rendered');
      const p = panel(el)!;
      expect(p.getAttribute('role')).to.equal('dialog');
      expect(p.previousElementSibling).to.equal($(el, '.code-row'));
      expect(el.shadowRoot!.getElementById(p.getAttribute('aria-labelledby')!)!.textContent).to.equal('Security check');
      expect(p.textContent).to.contain('Complete the check to receive your code.');
      expect(p.querySelector('[part~="captcha-box"] iframe')).to.exist;
      expect(el.shadowRoot!.activeElement).to.equal(p);
      solve!('cf-token');
      await waitUntil(() => sends().length === 2, 'sent again');
      expect((sends()[1].body as { captcha: unknown }).captcha).to.deep.equal({ ticket: 'cf-token' });
      await waitUntil(() => sendStatus(el)?.textContent.includes('138****8000'), 'code sent');
      expect(panel(el)).to.equal(null);
      expect(w.__captcha.removed).to.deep.equal(['w1']);
    });

    it('Cancel (or Escape) closes the panel: the message next to Send code, nothing more sent', async () => {
      setUp(config('turnstile'));
      let rendered = false;
      w.__captcha.turnstile = () => (rendered = true);
      const el = await mountAndSend('zh-CN');
      await waitUntil(() => rendered, 'rendered');
      const cancel = panel(el)!.querySelector<HTMLButtonElement>('[part~="captcha-cancel"]')!;
      expect(cancel.textContent).to.equal('取消');
      cancel.click();
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status');
      expect(sendStatus(el)!.textContent).to.contain('请先完成安全验证');
      expect(panel(el)).to.equal(null);
      expect(sends()).to.have.length(1);

      // Escape: the same
      $<HTMLButtonElement>(el, '#jd-send-code').click();
      await waitUntil(() => panel(el), 'panel again');
      panel(el)!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
      await waitUntil(() => !panel(el) && sends().length === 2, 'closed');
      await waitUntil(() => sendStatus(el)?.textContent.includes('请先完成安全验证'), 'status again');
      expect(sends()).to.have.length(2);
    });

    it('the script does not load: captcha_unavailable, the panel removed', async () => {
      delete w.turnstile;
      setUp(config('turnstile', '/no-such-turnstile-script.js'));
      const el = await mountAndSend();
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status', { timeout: 5000 });
      expect(sendStatus(el)!.textContent).to.contain('security check is unavailable');
      expect(panel(el)).to.equal(null);
      expect(sends()).to.have.length(1);
    });
  });

  // (mocha runs a suite's own tests before its nested suites: this one last, after the chunk checks)
  describe('no provider', () => {
    it('without a captcha config the refusal is shown as it is', async () => {
      setUp(config('tencent'));
      bff.routes['GET /v1/config'] = () => ({ status: 200, body: TEST_CONFIG });
      const el = await mountAndSend();
      await waitUntil(() => sendStatus(el)?.textContent.trim(), 'status');
      expect(sendStatus(el)!.textContent).to.contain('Complete the security check to receive a code.');
      expect(sends()).to.have.length(1);
    });
  });
});
