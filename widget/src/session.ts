/**
 * One session per page (docs/embedding.md): every element with the same `api-base`,
 * `publishable-key` and session mode shares one {@link JdClient} and one {@link SessionStore}. A
 * registration, sign-in or sign-out in any of them reaches the others at once, without a
 * `refresh()` call; other tabs of the same portal learn of it through a BroadcastChannel (or,
 * where there is none, a `storage` event on a localStorage key), and ask the BFF again — no
 * session data crosses between tabs, only "something changed".
 */
import type { SignedIn } from '../../shared/src/api.ts';
import { JdClient, type ClientOptions } from './client.ts';

/**
 * `unknown`: not asked yet (or asking); `signedOut`; `signedIn` with the answer. A sign-in still
 * waiting for its MFA step is not a session here: the element doing it keeps that state itself.
 */
export type SessionState = { status: 'unknown' } | { status: 'signedOut' } | { status: 'signedIn'; signedIn: SignedIn };

type Listener = (state: SessionState) => void;

/** A full session: the MFA step (or its device binding) is not still due. */
function isFull(s: SignedIn | null | undefined): s is SignedIn {
  return !!s && !s.mfaRequired && !s.mfaSetupRequired;
}

export class SessionStore {
  readonly client: JdClient;
  private current: SessionState = { status: 'unknown' };
  private readonly listeners = new Set<Listener>();
  private loading: Promise<SessionState> | undefined;
  private channel: BroadcastChannel | undefined;
  private readonly pingKey: string;

  constructor(
    options: ClientOptions,
    /** the last subscriber left: the page shows no element of this session any more */
    private readonly onEmpty: () => void = () => undefined,
  ) {
    this.client = new JdClient(options);
    this.pingKey = `jd-account:session-changed:${options.publishableKey}`;
  }

  get state(): SessionState {
    return this.current;
  }

  /** The signed-in answer, or undefined. */
  get signedIn(): SignedIn | undefined {
    return this.current.status === 'signedIn' ? this.current.signedIn : undefined;
  }

  /**
   * Calls `listener` now and on every change; returns the unsubscribe. The first subscriber (and
   * anyone while the state is unknown) starts the one GET /v1/session the page makes.
   */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.listenToOtherTabs();
    listener(this.current);
    if (this.current.status === 'unknown') void this.load().catch(() => undefined);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.stopListening();
        this.onEmpty();
      }
    };
  }

  /** Asks the BFF (once for all callers at a time); rejects with the client's error (e.g. service_unavailable). */
  load(): Promise<SessionState> {
    this.loading ??= this.client
      .session()
      .then((s) => {
        this.update(isFull(s) ? { status: 'signedIn', signedIn: s } : { status: 'signedOut' });
        return this.current;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /**
   * An element finished a registration or sign-in (`signedIn`: the BFF's answer) or signed out
   * (`null`): every element of the page updates, and other tabs are told to ask again. A sign-in
   * whose MFA step is still due changes nothing yet.
   */
  set(signedIn: SignedIn | null): void {
    if (signedIn && !isFull(signedIn)) return;
    this.update(signedIn ? { status: 'signedIn', signedIn } : { status: 'signedOut' });
    this.tellOtherTabs();
  }

  /** Signs out through the BFF, then tells everyone (also when the BFF call failed: the local session is gone). */
  async signOut(): Promise<void> {
    try {
      await this.client.signOut();
    } finally {
      this.set(null);
    }
  }

  private update(next: SessionState): void {
    this.current = next;
    for (const l of [...this.listeners]) l(next);
  }

  private readonly onOtherTab = (): void => {
    void this.load().catch(() => undefined);
  };

  private readonly onStorage = (e: StorageEvent): void => {
    if (e.key === this.pingKey) this.onOtherTab();
  };

  private listenToOtherTabs(): void {
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(this.pingKey);
      this.channel.onmessage = this.onOtherTab;
    } else if (typeof addEventListener === 'function') {
      addEventListener('storage', this.onStorage);
    }
  }

  private stopListening(): void {
    this.channel?.close();
    this.channel = undefined;
    if (typeof removeEventListener === 'function') removeEventListener('storage', this.onStorage);
  }

  private tellOtherTabs(): void {
    if (this.channel) {
      this.channel.postMessage('changed');
      return;
    }
    try {
      localStorage.setItem(this.pingKey, String(Date.now()));
    } catch {
      /* storage disabled: other tabs notice at their next request */
    }
  }
}

const stores = new Map<string, SessionStore>();

/**
 * The page's store for these options, created on first use and forgotten when its last element
 * leaves the page: elements added later (a single-page app's next view) ask the BFF afresh.
 */
export function sessionStoreFor(
  options: ClientOptions & { sessionMode: NonNullable<ClientOptions['sessionMode']> },
): SessionStore {
  const key = JSON.stringify([options.apiBase ?? '', options.publishableKey, options.sessionMode]);
  let store = stores.get(key);
  if (!store) {
    const created = new SessionStore(options, () => {
      if (stores.get(key) === created) stores.delete(key);
    });
    store = created;
    stores.set(key, store);
  }
  return store;
}
