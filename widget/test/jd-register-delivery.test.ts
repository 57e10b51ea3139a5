/** <jd-register> after a code is sent: polls GET /v1/deliveries/:id and reacts to sent / failed. */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../src/index.ts';
import type { JdRegister } from '../src/index.ts';
import { JdClient } from '../src/client.ts';
import { $, FakeBff, typeInto, type RecordedRequest } from './fake-bff.ts';

type Status = 'queued' | 'sending' | 'sent' | 'failed';

let bff: FakeBff;

function sendAnswer(req: RecordedRequest, n: number) {
  const channel = (req.body as { channel: 'sms' | 'voice' }).channel;
  return {
    status: 202,
    body: { channel, sentTo: '138****8000', expiresIn: 600, resendAfter: 60, deliveryId: `dlv_${n}` },
  };
}

/** Routes: each send gets delivery id dlv_<n>; `statuses(id, poll)` answers the n-th poll of that id. */
function serve(statuses: (id: string, poll: number) => Status, channelOf: Record<string, 'sms' | 'voice'> = {}): void {
  let sends = 0;
  const polls: Record<string, number> = {};
  bff.routes['POST /v1/verification-codes'] = (req) => {
    const answer = sendAnswer(req, ++sends);
    channelOf[`dlv_${sends}`] = answer.body.channel;
    return answer;
  };
  for (const n of [1, 2, 3]) {
    const id = `dlv_${n}`;
    bff.routes[`GET /v1/deliveries/${id}`] = () => {
      polls[id] = (polls[id] ?? 0) + 1;
      return {
        status: 200,
        body: {
          id,
          channel: channelOf[id] ?? 'sms',
          status: statuses(id, polls[id]),
          attempts: 1,
          updatedAt: new Date().toISOString(),
        },
      };
    };
  }
}

async function mountAndSend(locale = 'en'): Promise<JdRegister> {
  const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1" locale=${locale}></jd-register>`);
  await waitUntil(() => el.shadowRoot!.querySelector('form'), 'form did not render');
  el.deliveryPollMs = 20;
  await typeInto(el, '#jd-phone', '13800138000');
  $<HTMLButtonElement>(el, '#jd-send-code').click();
  await waitUntil(() => bff.find('POST', '/v1/verification-codes').length === 1);
  return el;
}

const polls = (id: string) => bff.find('GET', `/v1/deliveries/${id}`);
const statusText = (el: JdRegister) => $(el, '[aria-live="polite"]').textContent ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('<jd-register> delivery status', () => {
  beforeEach(() => {
    bff = new FakeBff();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('client.deliveryStatus GETs /v1/deliveries/:id with the usual headers', async () => {
    bff.routes['GET /v1/deliveries/a%20b'] = () => ({
      status: 200,
      body: { id: 'a b', channel: 'sms', status: 'queued', attempts: 0, updatedAt: '2025-01-01T00:00:00.000Z' },
    });
    const client = new JdClient({ publishableKey: 'pk_test_1', locale: 'en' });
    const d = await client.deliveryStatus('a b');
    expect(d.status).to.equal('queued');
    const [req] = bff.requests;
    expect(req.path).to.equal('/v1/deliveries/a%20b');
    expect(req.headers['x-jd-publishable-key']).to.equal('pk_test_1');
    expect(req.headers['x-jd-locale']).to.equal('en');
  });

  it('polls until the code was sent, then says so and stops', async () => {
    serve((_id, n) => (n < 3 ? (n === 1 ? 'queued' : 'sending') : 'sent'));
    const el = await mountAndSend();
    await waitUntil(() => statusText(el).includes('was delivered to 138****8000'), 'delivered status');
    expect(polls('dlv_1')).to.have.length(3);
    expect($(el, '.status[data-action="send"]').className).to.contain('is-ok');
    await sleep(100);
    expect(polls('dlv_1')).to.have.length(3);
    // still counting down: a delivered code is not resent early
    expect($<HTMLButtonElement>(el, '#jd-send-code').disabled).to.equal(true);
    expect(el.shadowRoot!.querySelector('#jd-switch-channel')).to.equal(null);
  });

  it('on failure: says so in the live region, re-enables sending, and "Switch to voice call" sends by voice', async () => {
    serve((id) => (id === 'dlv_1' ? 'failed' : 'sent'));
    const el = await mountAndSend();
    const send = $<HTMLButtonElement>(el, '#jd-send-code');
    await waitUntil(() => statusText(el).includes('could not deliver'), 'failure message');
    expect(statusText(el)).to.contain(
      'We could not deliver the code by SMS. Resend it, or get it by voice call instead.',
    );
    // the visible status sits right after the send button's row, in step 1
    expect($(el, '.status[data-action="send"]').className).to.contain('is-error');
    await el.updateComplete;
    expect(send.disabled).to.equal(false);
    expect(send.textContent.trim()).to.equal('Send code');
    const sw = $<HTMLButtonElement>(el, '#jd-switch-channel');
    expect(sw.textContent.trim()).to.equal('Switch to voice call');
    expect(sw.getAttribute('type')).to.equal('button');
    await expect(el).to.be.accessible();

    sw.click();
    await waitUntil(() => bff.find('POST', '/v1/verification-codes').length === 2);
    const second = bff.find('POST', '/v1/verification-codes')[1];
    expect((second.body as { channel: string }).channel).to.equal('voice');
    expect($<HTMLInputElement>(el, '#jd-channel-voice').checked).to.equal(true);
    await waitUntil(() => statusText(el).includes('We are calling 138****8000'), 'voice delivered status');
    expect(el.shadowRoot!.querySelector('#jd-switch-channel')).to.equal(null);
    expect(send.disabled).to.equal(true);
  });

  it('offers SMS when a voice call failed, in Chinese', async () => {
    serve(() => 'failed');
    const el = await fixture<JdRegister>(html`<jd-register publishable-key="pk_test_1" locale="zh-CN"></jd-register>`);
    await waitUntil(() => el.shadowRoot!.querySelector('form'));
    el.deliveryPollMs = 20;
    await typeInto(el, '#jd-phone', '13800138000');
    $<HTMLInputElement>(el, '#jd-channel-voice').click();
    await el.updateComplete;
    $<HTMLButtonElement>(el, '#jd-send-code').click();
    await waitUntil(() => el.shadowRoot!.querySelector('#jd-switch-channel'), 'switch button');
    expect(statusText(el)).to.contain('语音验证码未能送达');
    expect($(el, '#jd-switch-channel').textContent.trim()).to.equal('改用短信接收');
  });

  it('stops polling when the element is disconnected', async () => {
    serve(() => 'queued');
    const el = await mountAndSend();
    await waitUntil(() => polls('dlv_1').length >= 2, 'polling started');
    el.remove();
    const count = polls('dlv_1').length;
    await sleep(150);
    expect(polls('dlv_1').length).to.be.at.most(count + 1); // at most the request already in flight
    const settled = polls('dlv_1').length;
    await sleep(100);
    expect(polls('dlv_1').length).to.equal(settled);
  });

  it('stops polling the old delivery when a new code is requested, and gives up after the maximum time', async () => {
    serve(() => 'queued');
    const el = await mountAndSend();
    el.deliveryPollMaxMs = 200;
    await waitUntil(() => polls('dlv_1').length >= 1);
    // Make a resend possible (as after a failure) and request a new code.
    (el as unknown as { countdown: { stop(): void } }).countdown.stop();
    el.requestUpdate();
    await el.updateComplete;
    $<HTMLButtonElement>(el, '#jd-send-code').click();
    await waitUntil(() => polls('dlv_2').length >= 1, 'polls the new delivery');
    const old = polls('dlv_1').length;
    await sleep(400);
    expect(polls('dlv_1').length).to.be.at.most(old + 1);
    const after = polls('dlv_2').length;
    expect(after).to.be.within(2, 12); // gave up after ~200 ms at 20 ms intervals
    await sleep(100);
    expect(polls('dlv_2').length).to.equal(after);
  });

  it('does not poll when the answer has no deliveryId (older BFF)', async () => {
    bff.routes['POST /v1/verification-codes'] = () => ({
      status: 202,
      body: { channel: 'sms', sentTo: '138****8000', expiresIn: 600, resendAfter: 60 },
    });
    const el = await mountAndSend();
    await sleep(100);
    expect(bff.requests.filter((r) => r.path.startsWith('/v1/deliveries'))).to.have.length(0);
    expect(statusText(el)).to.contain('A code was sent by SMS');
  });
});
