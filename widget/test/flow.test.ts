import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement, html as litHtml } from 'lit';
import { JdApiError } from '../src/client.ts';
import { FlowController } from '../src/flow.ts';

type State = { step: 'first' } | { step: 'second'; name: string };

class FlowHost extends LitElement {
  readonly flow = new FlowController<State>(this, { step: 'first' });
  override render() {
    const s = this.flow.state;
    return s.step === 'first'
      ? litHtml`<h2 tabindex="-1">First</h2><input id="a" />`
      : litHtml`<h2 tabindex="-1" id="second">Second ${s.name}</h2><input id="b" />`;
  }
}
customElements.define('jd-flow-host', FlowHost);

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('FlowController', () => {
  let host: FlowHost;
  beforeEach(async () => {
    host = await fixture<FlowHost>(html`<jd-flow-host></jd-flow-host>`);
  });

  it("turns an API error into the action's status, and a new step clears it", async () => {
    await host.flow.run('send', () => Promise.reject(new JdApiError('too_many_attempts', 429)));
    expect(host.flow.statusOf('send')).to.deep.include({ tone: 'error', key: 'error.too_many_attempts' });
    host.flow.go({ step: 'second', name: 'x' });
    expect(host.flow.statusOf('send')).to.equal(undefined);
  });

  it('puts field issues under their fields and clears one when it is edited', async () => {
    const err = new JdApiError('invalid_input', 400, 'x', undefined, [
      { path: 'accountName', code: 'account_name_taken' },
      { path: 'password', code: 'password_too_short' },
    ]);
    await host.flow.run('submit', () => Promise.reject(err));
    expect(host.flow.fieldError('accountName')?.code).to.equal('account_name_taken');
    expect(host.flow.statusOf('submit')).to.equal(undefined);
    host.flow.clearField('accountName');
    expect(host.flow.fieldError('accountName')).to.equal(undefined);
    expect(host.flow.fieldError('password')?.code).to.equal('password_too_short');
  });

  it('drops an answer that arrives after the flow moved to another step', async () => {
    const late = deferred<string>();
    const result = host.flow.run('submit', () => late.promise);
    expect(host.flow.isBusy('submit')).to.equal(true);
    host.flow.go({ step: 'second', name: 'y' });
    late.reject(new JdApiError('internal_error', 500));
    expect(await result).to.equal(undefined);
    expect(host.flow.statusOf('submit')).to.equal(undefined);
    expect(host.flow.isBusy()).to.equal(false);
  });

  it('runs one action at a time', async () => {
    const first = deferred<number>();
    const a = host.flow.run('a', () => first.promise);
    let called = false;
    const b = await host.flow.run('b', async () => {
      called = true;
      return 2;
    });
    expect(b).to.equal(undefined);
    expect(called).to.equal(false);
    first.resolve(1);
    expect(await a).to.equal(1);
    expect(host.flow.isBusy()).to.equal(false);
  });

  it('reset() leaves nothing of the previous identity', async () => {
    host.flow.go({ step: 'second', name: 'alice' });
    host.flow.setStatus('save', { tone: 'ok', key: 'common.loading' });
    host.flow.setFieldError('b', { code: 'required' });
    host.flow.reset();
    expect(host.flow.state).to.deep.equal({ step: 'first' });
    expect(host.flow.statusOf('save')).to.equal(undefined);
    expect(host.flow.hasFieldErrors).to.equal(false);
  });

  it("moves focus to the new step's heading", async () => {
    host.flow.go({ step: 'second', name: 'z' });
    await host.updateComplete;
    await waitUntil(() => host.shadowRoot!.activeElement?.id === 'second', 'focus did not move to the heading');
  });

  it('patch() keeps the feedback of the step', async () => {
    host.flow.go({ step: 'second', name: 'a' });
    host.flow.setStatus('send', { tone: 'ok', key: 'common.loading' });
    host.flow.patch({ name: 'b' });
    expect(host.flow.statusOf('send')?.tone).to.equal('ok');
    expect((host.flow.state as { name: string }).name).to.equal('b');
  });
});
