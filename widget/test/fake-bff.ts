/**
 * A tiny fake BFF for component tests: replaces window.fetch, answers by "METHOD /path",
 * and records every request (method, path, query, headers, JSON body, credentials).
 */
import type { ErrorBody, ErrorCode, FieldIssue } from '../../shared/src/errors.ts';
import type { ContactView, MfaSetupResponse, SecurityOverview, SignedIn, SubUserView } from '../../shared/src/api.ts';
import type { TenantPublicConfig } from '../../shared/src/tenant.ts';

export interface RecordedRequest {
  method: string;
  origin: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  /** extra response headers (e.g. Retry-After on a 429) */
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

export const TEST_CONFIG: TenantPublicConfig = {
  slug: 'acme',
  displayName: { 'zh-CN': '示例云', en: 'Acme Cloud' },
  defaultLocale: 'en',
  passwordPolicy: {
    minLength: 7,
    maxLength: 20,
    requiredClasses: ['letter', 'digit', 'symbol'],
    minClasses: 3,
    forbidAccountName: true,
    blockCommon: true,
  },
  phoneRegions: ['CN', 'HK'],
  agreements: [
    {
      key: 'registration',
      version: '1.0',
      title: { 'zh-CN': '用户注册协议', en: 'Registration Agreement' },
      url: { 'zh-CN': '/legal/registration?lang=zh', en: '/legal/registration' },
    },
    {
      key: 'privacy',
      version: '2.1',
      title: { 'zh-CN': '隐私政策', en: 'Privacy Policy' },
      url: { 'zh-CN': 'javascript:alert(1)', en: '/legal/privacy' },
    },
  ],
  supportChannels: {},
};

export function signedIn(accountName = 'alice_01', token?: string): SignedIn {
  return {
    account: {
      id: 'acc_1',
      accountName,
      phone: '138****8000',
      email: null,
      emailVerified: false,
      createdAt: '2025-01-01T00:00:00.000Z',
    },
    session: {
      mode: token ? 'token' : 'cookie',
      ...(token ? { token } : {}),
      idleExpiresAt: '2025-01-01T02:00:00.000Z',
      expiresAt: '2025-01-31T00:00:00.000Z',
    },
  };
}

export function errorAnswer(
  status: number,
  code: ErrorCode,
  params?: Record<string, string | number>,
  fields?: FieldIssue[],
): FakeAnswer {
  const body: ErrorBody = {
    error: { code, message: `server says ${code}`, ...(params ? { params } : {}), ...(fields ? { fields } : {}) },
  };
  return { status, body };
}

export class FakeBff {
  readonly requests: RecordedRequest[] = [];
  readonly routes: Record<string, Handler>;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on window, never called
  private readonly original = window.fetch;

  constructor(routes: Record<string, Handler> = {}) {
    this.routes = {
      'GET /v1/config': () => ({ status: 200, body: TEST_CONFIG }),
      'GET /v1/session': () => errorAnswer(401, 'not_signed_in'),
      'GET /v1/security': () => errorAnswer(401, 'not_signed_in'),
      'GET /v1/sub-users': () => ({ status: 200, body: { subUsers: [] } }),
      'GET /v1/account-names/availability': () => ({ status: 200, body: { available: true } }),
      ...routes,
    };
    window.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = new URL(input instanceof Request ? input.url : input, location.href);
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const req: RecordedRequest = {
        method: (init.method ?? 'GET').toUpperCase(),
        origin: url.origin,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
        credentials: init.credentials,
      };
      this.requests.push(req);
      const handler = this.routes[`${req.method} ${req.path}`];
      const answer = handler ? await handler(req) : errorAnswer(404, 'not_found');
      const noBody = answer.status === 204 || answer.body === undefined;
      return new Response(noBody ? null : JSON.stringify(answer.body), {
        status: answer.status,
        headers: { ...(noBody ? {} : { 'content-type': 'application/json' }), ...answer.headers },
      });
    };
  }

  find(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  restore(): void {
    window.fetch = this.original;
  }
}

/** Types into an input/select inside the element's shadow root the way a user's keystrokes end. */
export async function typeInto(
  host: HTMLElement & { updateComplete: Promise<unknown> },
  selector: string,
  value: string,
): Promise<void> {
  const input = host.shadowRoot!.querySelector<HTMLInputElement | HTMLSelectElement>(selector);
  if (!input) throw new Error(`no ${selector}`);
  input.focus();
  input.value = value;
  input.dispatchEvent(
    new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true, composed: true }),
  );
  await host.updateComplete;
}

export async function blur(host: HTMLElement & { updateComplete: Promise<unknown> }, selector: string): Promise<void> {
  const input = host.shadowRoot!.querySelector<HTMLElement>(selector)!;
  if (host.shadowRoot!.activeElement === input) input.blur();
  else input.dispatchEvent(new Event('blur'));
  await host.updateComplete;
}

export function $<T extends Element = HTMLElement>(host: HTMLElement, selector: string): T {
  const el = host.shadowRoot!.querySelector<T>(selector);
  if (!el) throw new Error(`no ${selector} in ${host.localName}`);
  return el;
}

export function $$<T extends Element = HTMLElement>(host: HTMLElement, selector: string): T[] {
  return [...host.shadowRoot!.querySelectorAll<T>(selector)];
}

// ---- unlocking a locked account ------------------------------------------------

/** POST /v1/sessions/unlock/code: the one answer the BFF gives for every identifier. */
export const UNLOCK_CODE_SENT: FakeAnswer = { status: 202, body: { sent: true, expiresIn: 600, resendAfter: 60 } };

// ---- security settings --------------------------------------------------------

export function contact(kind: 'phone' | 'email', value: string, over: Partial<ContactView> = {}): ContactView {
  return {
    kind,
    value,
    verified: true,
    canVerifyIdentity: true,
    canSignIn: true,
    boundAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

/** An overview as GET /v1/security answers it: verified security phone, unverified email, contacts = security. */
export function securityOverview(over: Partial<SecurityOverview> = {}): SecurityOverview {
  return {
    account: { id: 'acc_1', accountName: 'alice_01', createdAt: '2025-01-01T00:00:00.000Z' },
    securityPhone: contact('phone', '138****8000'),
    securityEmail: contact('email', 'a***@example.com', {
      verified: false,
      canVerifyIdentity: false,
      canSignIn: false,
    }),
    contactPhone: null,
    contactEmail: null,
    mfa: { bound: false, boundAt: null, recoveryCodesLeft: 0 },
    stepUp: { active: false, expiresAt: null },
    stepUpMethods: ['phone'],
    securityPhoneRebindUntil: null,
    supportChannels: {
      ticketUrl: 'https://help.example/ticket',
      hotline: '400-615-1212',
      email: 'support@example.com',
    },
    events: [
      {
        type: 'sign_in',
        outcome: 'success',
        at: '2025-03-01T08:00:00.000Z',
        ip: '127.0.0.1',
        userAgent: null,
        detail: {},
      },
      {
        type: 'step_up_failed',
        outcome: 'failure',
        at: '2025-02-28T08:00:00.000Z',
        ip: null,
        userAgent: null,
        detail: {},
      },
    ],
    ...over,
  };
}

// ---- virtual MFA ---------------------------------------------------------------

/** POST /v1/sessions for an account with MFA: the password was right, the MFA step is due. */
export function mfaPending(accountName = 'alice_01', token?: string): SignedIn {
  const s = signedIn(accountName, token);
  return { ...s, session: { ...s.session, mfaPending: true }, mfaRequired: true };
}

export const TEST_MFA_SETUP: MfaSetupResponse = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DP',
  otpauthUri: 'otpauth://totp/Acme%20Cloud:alice_01?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Acme%20Cloud',
  qrSvg:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z" fill="#000"/><script>window.__pwned = true</script></svg>',
  expiresAt: '2025-03-01T08:10:00.000Z',
};

export const TEST_RECOVERY_CODES = Array.from({ length: 10 }, (_, i) => `rc${i}a-bcd${i}-ef${i}g`);

export const STEP_UP_OK: FakeAnswer = {
  status: 200,
  body: { stepUp: { active: true, expiresAt: '2025-03-01T08:10:00.000Z' } },
};

// ---- sub-users -------------------------------------------------------------------

export function subUserView(name: string, over: Partial<SubUserView> = {}): SubUserView {
  return {
    id: `0000000${name.length}-0000-4000-8000-${name
      .padEnd(12, '0')
      .slice(0, 12)
      .replace(/[^0-9a-f]/g, 'a')}`,
    name,
    disabled: false,
    mfaRequired: false,
    mfaBound: false,
    createdAt: '2025-02-01T08:00:00.000Z',
    ...over,
  };
}
