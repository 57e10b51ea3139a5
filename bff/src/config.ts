/** Runtime configuration, read once from the environment by the entry point and passed down. */
export interface AppConfig {
  /** development mode: dev outbox and dev pages are on */
  dev: boolean;
  /** secret for keyed hashes of verification codes; must be set in production */
  secret: string;
  /** trust X-Forwarded-For for the client IP (behind a proxy) */
  trustProxy: boolean;
  /** cacheMs: how long a session check may be answered from memory (0 = never); see SessionCache */
  session: { idleSeconds: number; absoluteSeconds: number; touchAfterSeconds: number; cacheMs: number };
  codes: { dailyPerTarget: number; dailyPerIp: number };
  /** argon2id cost; OWASP minimum is m=19 MiB, t=2, p=1 */
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  /** cache tenant lookups this long */
  tenantCacheSeconds: number;
  /**
   * The BFF's public origin (PUBLIC_URL, e.g. https://auth.example.com) for links in emails and
   * the issuer of tokens; unset: the origin the request arrived at (wrong behind a TLS proxy).
   */
  publicUrl?: string;
}

const DEV_SECRET = 'dev-only-secret-do-not-use-in-production';

function int(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const dev = env.NODE_ENV !== 'production';
  const secret = env.JD_SECRET ?? (dev ? DEV_SECRET : '');
  if (!dev && secret.length < 32) throw new Error('JD_SECRET (at least 32 characters) is required in production');
  return {
    dev,
    secret,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    session: {
      idleSeconds: int(env, 'SESSION_IDLE_SECONDS', 2 * 3600),
      absoluteSeconds: int(env, 'SESSION_ABSOLUTE_SECONDS', 7 * 24 * 3600),
      touchAfterSeconds: 60,
      cacheMs: int(env, 'SESSION_CACHE_MS', 2000),
    },
    codes: {
      dailyPerTarget: int(env, 'CODES_DAILY_PER_PHONE', 10),
      dailyPerIp: int(env, 'CODES_DAILY_PER_IP', 50),
    },
    argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    tenantCacheSeconds: int(env, 'TENANT_CACHE_SECONDS', 30),
    ...(env.PUBLIC_URL ? { publicUrl: publicOrigin(env.PUBLIC_URL) } : {}),
  };
}

function publicOrigin(raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new Error('PUBLIC_URL must be an http(s) origin, e.g. https://auth.example.com');
  return url.origin;
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...loadConfig({ NODE_ENV: 'development' }), trustProxy: true, ...overrides };
}
