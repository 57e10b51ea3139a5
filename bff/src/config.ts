import { CAPTCHA_PROVIDERS, type CaptchaProvider } from '../../shared/src/captcha.ts';
import type { CaptchaSettings } from './captcha/verifier.ts';
import type { CounterRule } from './db/attempts.ts';

/** Runtime configuration, read once from the environment by the entry point and passed down. */
export interface AppConfig {
  /** development mode: dev outbox and dev pages are on */
  dev: boolean;
  /** secret for keyed hashes of verification codes; must be set in production */
  secret: string;
  /** how many proxies of ours append to X-Forwarded-For (0: use the peer's address); docs/operating.md#configuration */
  trustProxy: number;
  /** cacheMs: how long a session check may be answered from memory (0 = never); see SessionCache */
  session: { idleSeconds: number; absoluteSeconds: number; touchAfterSeconds: number; cacheMs: number };
  /** riskFactor: RATE_LIMIT_FACTOR, multiplying the risk thresholds and daily budgets too (services/abuse.ts), for load tests only */
  codes: { dailyPerTarget: number; dailyPerIp: number; riskFactor?: number };
  /** attempt limits (bff/src/services/limits.ts; docs/security.md#attempt-limits) */
  limits: Limits;
  /** argon2id cost; OWASP minimum is m=19 MiB, t=2, p=1 */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** cache tenant lookups this long */
  tenantCacheSeconds: number;
  /**
   * The BFF's public origin (PUBLIC_URL, e.g. https://auth.example.com) for links in emails, the
   * issuer of tokens and the discovery document. Required in production, so that nothing there
   * comes from the request's Host header; unset in development: the origin the request arrived
   * at, whose host the dev Host check (bff/src/http/host-check.ts) has accepted.
   */
  publicUrl?: string;
  /**
   * Development only: host names (`name` or `name:port`, lower case) accepted besides loopback
   * names and PUBLIC_URL's host (ALLOWED_HOSTS, comma-separated); see bff/src/http/host-check.ts.
   */
  allowedHosts: string[];
  /** the longest a request may take before it is answered 503 service_unavailable (docs/operating.md) */
  requestDeadlineMs: number;
  /** upstream identity providers (docs/operating.md#upstream-identity-providers); absent = the defaults */
  federation?: FederationSettings;
  /** captcha providers' endpoints and scripts (docs/operating.md#captcha-providers); absent = the providers' own */
  captcha?: CaptchaOperatorSettings;
}

/** The operator's side of captcha: where verifications and browser scripts come from (local fakes), never a tenant's to set. */
export interface CaptchaOperatorSettings extends CaptchaSettings {
  scripts?: Partial<Record<CaptchaProvider, string>>;
}

/** The operator's side of upstream sign-in: never a tenant's to set. */
export interface FederationSettings {
  /** may a tenant's OpenID issuer be http on loopback (development, local fakes)? default: in development only */
  allowHttpLoopback?: boolean;
  /** WeChat's endpoints (local fakes); default open.weixin.qq.com and api.weixin.qq.com */
  wechatOpenBaseUrl?: string;
  wechatApiBaseUrl?: string;
  /** how long one call to an upstream may take (default 5000 ms) */
  timeoutMs?: number;
}

export interface Limits {
  /** failed password/code checks per client address, across tenants (spraying, CPU) */
  perClient: CounterRule;
  /** failed sign-in checks per (account or identifier, client address): progressive delay */
  perAccountClient: CounterRule;
  /** failed sign-in checks per account or identifier from all clients: locked, lifted by a code */
  perAccount: CounterRule;
  /** wrong secrets behind a session (step-up TOTP, current password, recovery code), per account */
  sessionSecrets: CounterRule;
  /** account-name availability look-ups per client address */
  nameAvailability: CounterRule;
  /** unlock codes per identifier: one a minute, a few a day; and per client address */
  unlockPerIdentifierMinute: CounterRule;
  unlockPerIdentifierDay: CounterRule;
  unlockPerClient: CounterRule;
  /** password-reset codes per identifier (a minute, a day) and per client address */
  resetPerIdentifierMinute: CounterRule;
  resetPerIdentifierDay: CounterRule;
  resetPerClient: CounterRule;
  /** sign-in codes per phone (a minute, a day) and per client address */
  phoneCodePerPhoneMinute: CounterRule;
  phoneCodePerPhoneDay: CounterRule;
  phoneCodePerClient: CounterRule;
  /** upstream sign-ins and links started per client address (each writes a flow) */
  federationStartPerClient: CounterRule;
}

/** The defaults (docs/security.md#attempt-limits); RATE_LIMIT_FACTOR multiplies every cap, for load tests only. */
function limits(factor: number): Limits {
  const rule = (max: number, windowSeconds: number, backoffSeconds = 0): CounterRule => ({
    max: max * factor,
    windowSeconds,
    backoffSeconds,
  });
  return {
    perClient: rule(50, 3600),
    perAccountClient: rule(5, 900, 30),
    perAccount: rule(20, 900),
    sessionSecrets: rule(5, 900, 30),
    nameAvailability: rule(60, 60),
    unlockPerIdentifierMinute: rule(1, 60),
    unlockPerIdentifierDay: rule(5, 24 * 3600),
    unlockPerClient: rule(10, 3600),
    resetPerIdentifierMinute: rule(1, 60),
    resetPerIdentifierDay: rule(5, 24 * 3600),
    resetPerClient: rule(10, 3600),
    phoneCodePerPhoneMinute: rule(1, 60),
    phoneCodePerPhoneDay: rule(10, 24 * 3600),
    phoneCodePerClient: rule(20, 3600),
    federationStartPerClient: rule(30, 600),
  };
}

const DEV_SECRET = 'dev-only-secret-do-not-use-in-production';

function int(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

/**
 * RATE_LIMIT_FACTOR, for load tests: at most 10,000, so the largest cap times it still fits the
 * counters' integer columns (a larger one would fail every counted request).
 */
function rateLimitFactor(env: Record<string, string | undefined>): number {
  const factor = Math.max(1, int(env, 'RATE_LIMIT_FACTOR', 1));
  if (factor > 10_000) throw new Error('RATE_LIMIT_FACTOR must be at most 10000');
  return factor;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const dev = env.NODE_ENV !== 'production';
  const secret = env.JD_SECRET ?? (dev ? DEV_SECRET : '');
  if (!dev && secret.length < 32) throw new Error('JD_SECRET (at least 32 characters) is required in production');
  // in production the tokens' issuer and every email link come from here, never from Host
  // (docs/security.md#production-what-the-operator-must-set)
  if (!dev && !env.PUBLIC_URL)
    throw new Error("PUBLIC_URL (the BFF's public origin, e.g. https://auth.example.com) is required in production");
  return {
    dev,
    secret,
    trustProxy: env.TRUST_PROXY === 'true' ? 1 : int(env, 'TRUST_PROXY', 0),
    session: {
      idleSeconds: int(env, 'SESSION_IDLE_SECONDS', 2 * 3600),
      absoluteSeconds: int(env, 'SESSION_ABSOLUTE_SECONDS', 7 * 24 * 3600),
      touchAfterSeconds: 60,
      cacheMs: int(env, 'SESSION_CACHE_MS', 2000),
    },
    codes: {
      dailyPerTarget: int(env, 'CODES_DAILY_PER_PHONE', 10),
      dailyPerIp: int(env, 'CODES_DAILY_PER_IP', 50),
      riskFactor: rateLimitFactor(env),
    },
    limits: limits(rateLimitFactor(env)),
    argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    tenantCacheSeconds: int(env, 'TENANT_CACHE_SECONDS', 30),
    ...(env.PUBLIC_URL ? { publicUrl: publicOrigin(env.PUBLIC_URL) } : {}),
    federation: {
      allowHttpLoopback: dev || env.FEDERATION_ALLOW_HTTP_LOOPBACK === 'true',
      ...(env.WECHAT_OPEN_BASE_URL ? { wechatOpenBaseUrl: env.WECHAT_OPEN_BASE_URL } : {}),
      ...(env.WECHAT_API_BASE_URL ? { wechatApiBaseUrl: env.WECHAT_API_BASE_URL } : {}),
      timeoutMs: int(env, 'FEDERATION_TIMEOUT_MS', 5000),
    },
    captcha: captchaSettings(env),
    requestDeadlineMs: int(env, 'REQUEST_DEADLINE_MS', 10_000) || 10_000,
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  };
}

function captchaSettings(env: Record<string, string | undefined>): CaptchaOperatorSettings {
  const scripts: Partial<Record<CaptchaProvider, string>> = {};
  for (const p of CAPTCHA_PROVIDERS) {
    const url = env[`CAPTCHA_${p.toUpperCase()}_SCRIPT_URL`];
    if (url) scripts[p] = url;
  }
  return {
    ...(env.CAPTCHA_TENCENT_ENDPOINT ? { tencentEndpoint: env.CAPTCHA_TENCENT_ENDPOINT } : {}),
    ...(env.CAPTCHA_ALIYUN_ENDPOINT ? { aliyunEndpoint: env.CAPTCHA_ALIYUN_ENDPOINT } : {}),
    ...(env.CAPTCHA_TURNSTILE_VERIFY_URL ? { turnstileVerifyUrl: env.CAPTCHA_TURNSTILE_VERIFY_URL } : {}),
    timeoutMs: int(env, 'CAPTCHA_TIMEOUT_MS', 5000) || 5000,
    scripts,
  };
}

/**
 * How long the database may take (docs/operating.md "Timeouts"): to hand out a connection (a new
 * one or a pooled one), to run one statement, to sit idle inside a transaction. Each is shorter
 * than the request deadline, so a request meets a database error it can answer, not the deadline.
 */
export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export function databaseTimeouts(env: Record<string, string | undefined> = process.env): DatabaseTimeouts {
  return {
    connectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 3000) || 3000,
    statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 5000) || 5000,
    idleInTransactionTimeoutMs: int(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10_000) || 10_000,
  };
}

/**
 * DATABASE_POOLER=transaction: DATABASE_URL points at a pooler in transaction mode, such as
 * PgBouncer with pool_mode=transaction (docs/operating.md "Replicas and a pooler"). Unset or
 * `none`: a direct connection. Anything else stops the start, so a typo cannot silently keep
 * named statements behind a pooler that cannot hold them.
 */
export function databasePooler(env: Record<string, string | undefined> = process.env): 'transaction' | undefined {
  const raw = env.DATABASE_POOLER;
  if (raw === undefined || raw === '' || raw === 'none') return undefined;
  if (raw === 'transaction') return 'transaction';
  throw new Error("DATABASE_POOLER must be 'transaction' or 'none'");
}

/**
 * How long an outbox worker's claim on a message lasts unless renewed (OUTBOX_LEASE_SECONDS,
 * default 10; docs/operating.md#outbox-and-crashed-workers). A live worker renews it every third of this while it sends, so
 * this is roughly how long a crashed worker's messages wait before another worker retakes them.
 */
export function outboxLeaseMs(env: Record<string, string | undefined> = process.env): number {
  return (int(env, 'OUTBOX_LEASE_SECONDS', 10) || 10) * 1000;
}

function publicOrigin(raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new Error('PUBLIC_URL must be an http(s) origin, e.g. https://auth.example.com');
  return url.origin;
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ NODE_ENV: 'development' }), trustProxy: 1, ...overrides };
}
