/**
 * Test harness: the real Hono app over a real database — PGlite in memory by default, or a
 * fresh database on the Postgres server named by DATABASE_URL (CI sets it) — and a clock the
 * test moves by hand.
 */
import { createApp } from '../src/app.ts';
import { testConfig, type AppConfig } from '../src/config.ts';
import { createDb, migrateToLatest, type Db } from '../src/db/create.ts';
import { nodeDeps } from '../src/deps.node.ts';
import type { Clock, ServiceDeps } from '../src/services/deps.ts';
import { RISK_SIGNALS } from '../../shared/src/abuse.ts';
import { PHONE_REGIONS } from '../../shared/src/rules/phone-regions.ts';
import { createTenant, TenantDirectory, updateTenantConfig, type Tenant } from '../src/services/tenants.ts';
import { readDevOutbox } from '../src/delivery/outbox.ts';
import { createScratchDatabase } from './scratch-db.ts';
import type { TenantConfig } from '../../shared/src/tenant.ts';

export class TestClock implements Clock {
  constructor(private t = new Date('2026-11-24T08:00:00Z').getTime()) {}
  now() {
    return new Date(this.t);
  }
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

export const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** A fresh, migrated database; dropped again by the returned close(). */
export async function freshDb(): Promise<{ db: Db; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = createDb({});
    await migrateToLatest(db);
    return { db, close: () => db.destroy() };
  }
  const scratch = await createScratchDatabase(url);
  const db = createDb({ url: scratch.url, poolSize: 20 });
  await migrateToLatest(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await scratch.drop();
    },
  };
}

export const ORIGIN = 'https://portal.acme.test';
export const AGREEMENTS = [
  { key: 'registration', version: '1.0' },
  { key: 'privacy', version: '1.0' },
  { key: 'service', version: '1.0' },
];

export interface RequestOptions {
  method?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  pk?: string | null;
  origin?: string;
  ip?: string;
  token?: string;
  cookie?: string;
  locale?: string;
  url?: string;
}

/** Risk thresholds no test reaches by accident, and voice to every region (the delivery tests' own checks). */
export const LIFTED_ABUSE_LIMITS = {
  thresholds: Object.fromEntries(RISK_SIGNALS.map((s) => [s, { challenge: 1_000_000, refuse: 1_000_000 }])),
  voiceRegions: [...PHONE_REGIONS],
};

export async function makeHarness(opts: { config?: Partial<AppConfig> } = {}) {
  const { db, close } = await freshDb();
  const clock = new TestClock();
  const config = testConfig(opts.config);
  const deps: ServiceDeps = nodeDeps(db, config, { clock });
  const tenants = new TenantDirectory(db, 0);
  const app = createApp({ deps, tenants });
  let tenant = await createTenant(db, { slug: 'acme', displayName: 'Acme Cloud', origins: [ORIGIN] });
  // every request of a test comes from one address to many phones: the risk thresholds (shared/src/abuse.ts)
  // are lifted for this tenant, and bff/test/abuse.test.ts tests them on tenants of their own
  tenant = await updateTenantConfig(db, tenant, { abuse: LIFTED_ABUSE_LIMITS });

  async function request(path: string, o: RequestOptions = {}) {
    const headers: Record<string, string> = { 'x-forwarded-for': o.ip ?? '203.0.113.7', ...o.headers };
    const pk = o.pk === undefined ? tenant.publishableKey : o.pk;
    if (pk) headers['x-jd-publishable-key'] = pk;
    if (o.origin) headers.origin = o.origin;
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.cookie) headers.cookie = o.cookie;
    if (o.locale) headers['x-jd-locale'] = o.locale;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    return readAnswer(
      await app.request(`${o.url ?? 'http://localhost'}${path}`, {
        method: o.method ?? (body ? 'POST' : 'GET'),
        headers,
        body,
      }),
    );
  }

  /** Sends a registration code and returns it, read from the dev outbox as a user would. */
  async function sendCode(number: string, o: RequestOptions & { region?: string; channel?: string } = {}) {
    const res = await request('/v1/verification-codes', {
      ...o,
      body: { phone: { region: o.region ?? 'CN', number }, purpose: 'register', channel: o.channel ?? 'sms' },
    });
    if (res.status !== 202) return { res, code: undefined };
    const e164 = `+${{ CN: '86', HK: '852', MO: '853', TW: '886' }[o.region ?? 'CN']}${number.replace(/^0/, '')}`;
    const [latest] = await readDevOutbox(db, { to: e164, limit: 1 });
    return { res, code: latest?.code ?? undefined };
  }

  async function register(
    fields: { accountName: string; password?: string; number: string; email?: string; region?: string },
    o: RequestOptions = {},
  ) {
    const { code } = await sendCode(fields.number, { ...o, ...(fields.region ? { region: fields.region } : {}) });
    if (!code) throw new Error('no code was sent');
    return request('/v1/accounts', {
      ...o,
      body: {
        accountName: fields.accountName,
        password: fields.password ?? 'Secret#2026',
        phone: { region: fields.region ?? 'CN', number: fields.number },
        code,
        agreements: AGREEMENTS,
        ...(fields.email !== undefined ? { email: fields.email } : {}),
      },
    });
  }

  /**
   * GET /v1/session as the widget reads it: 'in' (200, signedIn: true), 'out' (200 and exactly
   * `{ signedIn: false }`), else the error code (401 mfa_required for a pending session).
   */
  async function sessionState(o: RequestOptions = {}): Promise<string> {
    const res = await request('/v1/session', o);
    if (res.status !== 200) return res.json?.error?.code ?? `status ${res.status}`;
    if (res.json?.signedIn === true && res.json.account && res.json.session) return 'in';
    return JSON.stringify(res.json) === '{"signedIn":false}' ? 'out' : `malformed ${res.text}`;
  }

  async function count(
    table: 'accounts' | 'sessions' | 'account_contacts' | 'verification_codes' | 'consents' | 'outbox',
  ) {
    const row = await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function setTenantConfig(patch: Partial<TenantConfig>) {
    tenant = await updateTenantConfig(db, tenant, patch);
    tenants.invalidate();
  }

  return {
    db,
    app,
    deps,
    clock,
    get tenant(): Tenant {
      return tenant;
    },
    tenants,
    request,
    sendCode,
    register,
    sessionState,
    count,
    setTenantConfig,
    close,
  };
}

export type Harness = Awaited<ReturnType<typeof makeHarness>>;

/** An answer as tests read it: status, headers, the text, and the JSON when the text is JSON. */
export async function readAnswer(res: Response) {
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** `name=value` of a Set-Cookie header, for sending it back. */
export function cookieFrom(setCookie: string | null): string {
  return (setCookie ?? '').split(';')[0];
}
