/**
 * JdClient.session() and accessToken() against the REAL BFF (widget/test/real-bff-plugin.mjs):
 * a signed-out page load is a 200 `{ signedIn: false }` (no failed request for the console to
 * log), read as null; a stale token is dropped; while the tenant's new agreement versions wait,
 * accessToken() rejects with agreements_pending, and after acceptAgreements() it resolves.
 */
import { expect } from '@open-wc/testing';
import { JdApiError, JdClient, tokenStorageKey } from '../src/client.ts';
import type { Agreement } from '../../shared/src/tenant.ts';
import { loadBff, randomPhone, registerUser, type BffInfo } from './real-bff.ts';

let bff: BffInfo;

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch('/__bff/admin', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method, path, body }),
  });
  return (await res.json()) as { status: number; body: any };
}

/** The statuses of the answers to GET /v1/session while `run` runs (what the console would flag). */
async function sessionStatuses(run: () => Promise<unknown>): Promise<number[]> {
  const statuses: number[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back on window as it was, and called through it
  const original = window.fetch;
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await original.call(window, input, init);
    const url = input instanceof Request ? input.url : input.toString();
    if (url.endsWith('/v1/session') && (init?.method ?? 'GET') === 'GET') statuses.push(res.status);
    return res;
  };
  try {
    await run();
  } finally {
    window.fetch = original;
  }
  return statuses;
}

const client = (sessionMode: 'cookie' | 'token') =>
  new JdClient({ publishableKey: bff.publishableKey, apiBase: bff.url, sessionMode, locale: 'en' });

describe('JdClient session check against the real BFF', function () {
  this.timeout(60_000);
  before(async () => {
    bff = await loadBff();
  });
  beforeEach(() => sessionStorage.clear());

  it('a signed-out visitor: null, from an answer that is not a failure', async () => {
    let answer: unknown = 'unset';
    const statuses = await sessionStatuses(async () => (answer = await client('cookie').session()));
    expect(answer).to.equal(null);
    expect(statuses).to.deep.equal([200]);
  });

  it('a stale token: null, and the token is dropped', async () => {
    sessionStorage.setItem(tokenStorageKey(bff.publishableKey), 'A'.repeat(43));
    const c = client('token');
    let answer: unknown = 'unset';
    const statuses = await sessionStatuses(async () => (answer = await c.session()));
    expect(answer).to.equal(null);
    expect(statuses).to.deep.equal([200]);
    expect(c.token).to.equal(null);
    // with no token, nothing is asked at all
    expect(await sessionStatuses(() => c.session())).to.deep.equal([]);
  });

  it('a signed-in user: the account and the session', async () => {
    const { client: c, accountName } = await registerUser(bff, randomPhone());
    const s = await c.session();
    expect(s?.account.accountName).to.equal(accountName);
    expect(s?.session.mode).to.equal('token');
  });
});

describe('JdClient.accessToken() while agreements wait', function () {
  this.timeout(60_000);
  let original: Agreement[] | undefined;
  before(async () => {
    bff = await loadBff();
  });
  after(async () => {
    // leave the shared test tenant as it was for the other real-BFF files
    if (original) expect((await admin('PATCH', '/config', { agreements: original })).status).to.equal(200);
  });

  it('rejects with agreements_pending until they are accepted, then resolves', async () => {
    const { client: c, accountName } = await registerUser(bff, randomPhone());
    expect(await c.accessToken()).to.match(/^ey/);
    original = (await admin('GET', '/config')).body.agreements as Agreement[];
    const version = `8.${Date.now() % 1e6}`;
    const bumped = original.map((a, i) => (i === 0 ? { ...a, version } : a));
    expect((await admin('PATCH', '/config', { agreements: bumped })).status).to.equal(200);

    const signedIn = await c.signIn({ identifier: accountName, password: 'Str0ng!pw9' });
    expect(signedIn.agreementsToAccept?.map((a) => a.version)).to.deep.equal([version]);
    expect(signedIn.accessToken).to.equal(undefined);
    // a reload: the session check still names them
    expect((await c.session())?.agreementsToAccept?.map((a) => a.version)).to.deep.equal([version]);
    const refused = await c.accessToken().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(JdApiError);
    expect((refused as JdApiError).code).to.equal('agreements_pending');
    expect((refused as JdApiError).status).to.equal(403);
    expect(c.token, 'the session is kept').to.be.a('string');

    expect((await c.acceptAgreements([{ key: bumped[0].key, version }])).agreementsToAccept).to.deep.equal([]);
    expect(await c.accessToken()).to.match(/^ey/);
  });
});
