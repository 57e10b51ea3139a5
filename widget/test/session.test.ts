import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { html as litHtml } from 'lit';
import { JdElement } from '../src/parts/base-element.ts';
import { sessionStoreFor } from '../src/session.ts';
import type { SessionState } from '../src/session.ts';
import { FakeBff, mfaPending, signedIn } from './fake-bff.ts';

/** A minimal element on the shared session: renders who is signed in and counts identity changes. */
class SessionProbe extends JdElement {
  changes: SessionState['status'][] = [];
  protected override sessionChanged(next: SessionState): void {
    this.changes.push(next.status);
  }
  get shown(): string {
    return this.session.status === 'signedIn' ? (this.session.signedIn.account.accountName ?? '') : this.session.status;
  }
  override render() {
    return litHtml`<p>${this.shown}</p>`;
  }
}
customElements.define('jd-session-probe', SessionProbe);

let bff: FakeBff;

async function probes(key = 'pk_test_1', count = 2): Promise<SessionProbe[]> {
  const box = await fixture<HTMLDivElement>(html`<div></div>`);
  const els: SessionProbe[] = [];
  for (let i = 0; i < count; i++) {
    const el = document.createElement('jd-session-probe') as SessionProbe;
    el.setAttribute('publishable-key', key);
    el.setAttribute('locale', 'en');
    box.append(el);
    els.push(el);
  }
  await Promise.all(els.map((e) => e.updateComplete));
  return els;
}

const storeOf = (key = 'pk_test_1') =>
  sessionStoreFor({ publishableKey: key, apiBase: '', sessionMode: 'cookie', locale: 'en' });

describe('one session per page', () => {
  beforeEach(() => {
    bff = new FakeBff();
    sessionStorage.clear();
  });
  afterEach(() => bff.restore());

  it('asks the BFF once for all the elements of a key', async () => {
    const [a, b] = await probes();
    await waitUntil(() => a.shown === 'signedOut' && b.shown === 'signedOut');
    expect(bff.find('GET', '/v1/session')).to.have.length(1);
  });

  it('a sign-in through the store reaches every element, and a sign-out too', async () => {
    const [a, b] = await probes();
    await waitUntil(() => a.shown === 'signedOut');
    storeOf().set(signedIn('bob_02'));
    await waitUntil(() => a.shown === 'bob_02' && b.shown === 'bob_02');
    bff.routes['DELETE /v1/session'] = () => ({ status: 204 });
    await storeOf().signOut();
    await waitUntil(() => a.shown === 'signedOut' && b.shown === 'signedOut');
    expect(bff.find('DELETE', '/v1/session')).to.have.length(1);
    expect(a.changes).to.deep.equal(['unknown', 'signedOut', 'signedIn', 'signedOut']);
  });

  it('a sign-in whose MFA step is still due changes nothing', async () => {
    const [a] = await probes();
    await waitUntil(() => a.shown === 'signedOut');
    storeOf().set(mfaPending('carol_03'));
    await a.updateComplete;
    expect(a.shown).to.equal('signedOut');
  });

  it('elements of another key have a session of their own', async () => {
    const [a] = await probes('pk_test_1', 1);
    const [other] = await probes('pk_test_2', 1);
    await waitUntil(() => a.shown === 'signedOut' && other.shown === 'signedOut');
    storeOf('pk_test_1').set(signedIn('dave_04'));
    await waitUntil(() => a.shown === 'dave_04');
    expect(other.shown).to.equal('signedOut');
  });

  it('asks again when another tab says the session changed', async () => {
    const [a] = await probes('pk_test_1', 1);
    await waitUntil(() => a.shown === 'signedOut');
    bff.routes['GET /v1/session'] = () => ({ status: 200, body: signedIn('erin_05') });
    const otherTab = new BroadcastChannel('jd-account:session-changed:pk_test_1');
    otherTab.postMessage('changed');
    otherTab.close();
    await waitUntil(() => a.shown === 'erin_05', 'the element did not follow the other tab');
    expect(bff.find('GET', '/v1/session')).to.have.length(2);
  });

  it('tells other tabs when this one signs in', async () => {
    await probes('pk_test_1', 1);
    const otherTab = new BroadcastChannel('jd-account:session-changed:pk_test_1');
    const heard = new Promise((resolve) => (otherTab.onmessage = (e) => resolve(e.data)));
    storeOf().set(signedIn('frank_06'));
    expect(await heard).to.equal('changed');
    otherTab.close();
  });

  it('a page whose elements all left asks afresh for the next one', async () => {
    const [a] = await probes('pk_test_1', 1);
    await waitUntil(() => a.shown === 'signedOut');
    storeOf().set(signedIn('gina_07'));
    a.remove();
    const [b] = await probes('pk_test_1', 1);
    await waitUntil(() => b.shown === 'signedOut');
    expect(bff.find('GET', '/v1/session')).to.have.length(2);
  });
});
