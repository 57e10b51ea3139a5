import type { SignedIn } from '../../../shared/src/api.ts';
import type { Locale } from '../../../shared/src/i18n/index.ts';

/** What a session check learned from its one read: the answer, and what the route compares against the request. */
export interface SessionCheck {
  signedIn: SignedIn;
  accountId: string;
  /** the memo's key: the SHA-256 of the session token */
  idHash: string;
  /** set for a sub-user's session (accountId is then its primary account) */
  subUserId: string | null;
  /** the account's last locale (docs/product.md#19-languages); null until one is recorded */
  locale: Locale | null;
  /** "key@version" of the agreements the account accepted (docs/product.md#16-agreements) */
  consented: readonly string[];
}

/**
 * A short-lived, in-process memo of session checks (GET /v1/session), keyed by tenant and
 * session-id hash. A widget polls its session, and a page load can fire several checks at once:
 * for SESSION_CACHE_MS (default 2 s) they are answered without a database round trip.
 * Trade-off, as with Better Auth's cookie cache: a sign-out or password change made through
 * *another* BFF instance takes effect here within that window; through this instance, at once
 * (forget/forgetAccount). Only the plain session check uses it — every route that changes
 * something re-reads the session from the database (step-up grants, for one, must be current).
 */
export class SessionCache {
  private readonly entries = new Map<string, { value: SessionCheck; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(tenantId: string, idHash: string, now: number): SessionCheck | undefined {
    const key = `${tenantId}:${idHash}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(tenantId: string, idHash: string, value: SessionCheck, now: number, sessionEndsAt: number): void {
    if (!this.enabled) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value; // Map keeps insertion order
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(`${tenantId}:${idHash}`, { value, until: Math.min(now + this.ttlMs, sessionEndsAt) });
  }

  /**
   * The locale this session's check just recorded: the checks that follow within the window
   * compare against it, so a page's burst of checks in a new language writes once.
   */
  rememberLocale(tenantId: string, idHash: string, locale: Locale): void {
    const hit = this.entries.get(`${tenantId}:${idHash}`);
    if (hit) hit.value = { ...hit.value, locale };
  }

  forget(tenantId: string, idHash: string): void {
    this.entries.delete(`${tenantId}:${idHash}`);
  }

  forgetAccount(tenantId: string, accountId: string): void {
    for (const [key, e] of this.entries)
      if (e.value.accountId === accountId && key.startsWith(`${tenantId}:`)) this.entries.delete(key);
  }
}
