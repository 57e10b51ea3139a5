import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiOperations } from '../src/openapi/document.ts';
import { createAdminKey } from '../src/services/admin-keys.ts';
import { setRealName } from '../src/services/mfa-recovery.ts';
import { createSession } from '../src/services/sessions.ts';
import { backend, makeHarness, readAnswer, type Harness } from './harness.ts';

/**
 * Hostile input on every endpoint (docs/security.md#text-input: text inputs refuse control characters
 * and lone surrogates, shared/src/rules/text.ts). The operations come from the routes' definitions as the
 * app registered them (what /openapi.json documents: every route the app serves, openapi.test.ts), and the string fields from each operation's
 * request schema, so a new endpoint or field is covered without anyone remembering to. Every
 * request goes as a stranger, as a signed-in user (token mode) and with the tenant's secret key;
 * no answer may be a 5xx, and a text field that got as far as validation is refused with
 * `text_invalid_chars` on its own path. Postgres is the engine that refuses NUL in text and jsonb,
 * so this file matters most with DATABASE_URL set.
 */

type Json = {
  type?: string | string[];
  properties?: Record<string, Json>;
  items?: Json;
  anyOf?: Json[];
  oneOf?: Json[];
  enum?: unknown[];
  const?: unknown;
};
type Op = { method: string; path: string; body?: z.ZodType; query?: z.ZodType };
type Who = 'stranger' | 'user' | 'admin';
const WHO: Who[] = ['stranger', 'user', 'admin'];

/** Every documented operation (the email link's page included), read from the app once it is built. */
let OPS: Op[] = [];
const hasBody = (op: Op) => op.method !== 'get';

const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;

/**
 * A value for the schema with `bad` in every string, and the paths of its free-text fields (a
 * string that is not one of a fixed set of values): those must answer `text_invalid_chars`.
 */
function hostileValue(s: Json, bad: string, path: string, free: string[]): unknown {
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    // the branch a real client would fill: not null, not a fixed literal ('' of an optional email)
    const pick = branches.find((b) => b.type !== 'null' && b.const === undefined) ?? branches[0];
    return hostileValue(pick, bad, path, free);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'object' || s.properties) {
    return Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([k, v]) => [k, hostileValue(v, bad, path ? `${path}.${k}` : k, free)]),
    );
  }
  if (type === 'array') return [hostileValue(s.items ?? {}, bad, `${path}.0`, free)];
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  if (type === 'string' || type === undefined) {
    // a discriminator (a union's `kind` or `provider`) is sent as the client would: it picks the branch to check
    if (typeof s.const === 'string' && path.endsWith('.provider')) return s.const;
    if (s.enum === undefined && s.const === undefined) free.push(path);
    return bad;
  }
  return null;
}

const bodyPlan = new Map<Op, { schema: Json }>();
const queryNames = (op: Op) => Object.keys(op.query ? (schemaOf(op.query).properties ?? {}) : {});

/** Each hostile kind of string; `multilineOk` when a multi-line field (a rejection reason) may take it. */
const BAD_STRINGS: { name: string; value: string; multilineOk?: boolean }[] = [
  { name: 'NUL', value: 'ab\u0000cd' },
  { name: 'a lone high surrogate (JSON escape)', value: 'ab\ud800cd' },
  { name: 'a lone low surrogate (JSON escape)', value: '\udc00abcd' },
  { name: 'C1 controls (NEL, CSI)', value: 'ab\u0085c\u009bd' },
  { name: 'ESC and DEL', value: 'ab\u001bc\u007fd' },
  { name: 'a line break in a single-line field', value: 'ab\ncd', multilineOk: true },
];
/** Fields that take line breaks (shared/src/admin-api.ts adminRejectBody). */
const MULTILINE = new Set(['POST /admin/v1/mfa-applications/:id/reject reason']);

/**
 * Well-formed bodies, so that one hostile field among valid ones gets as far as it can (a lookup,
 * a write): that is where a NUL used to reach Postgres. Operations not listed get 'x' strings.
 */
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');
const VALID: Record<string, unknown> = {
  'POST /v1/verification-codes': {
    phone: { region: 'CN', number: '13766660009' },
    purpose: 'register',
    channel: 'sms',
  },
  'POST /v1/accounts': {
    accountName: 'hostile_new',
    password: 'Secret#2026',
    phone: { region: 'CN', number: '13766660008' },
    code: '123456',
    agreements: [{ key: 'privacy', version: '1.0' }],
    referralCode: 'abc',
    email: 'new@example.com',
  },
  'POST /v1/sessions': { identifier: 'hostile_owner', password: 'Secret#2026', subUser: 'hostile_member' },
  'POST /v1/sessions/unlock/code': { identifier: 'hostile_owner', channel: 'sms' },
  'POST /v1/sessions/unlock': { identifier: 'hostile_owner', code: '123456' },
  'POST /v1/sessions/phone-code/code': { phone: { region: 'CN', number: '13766660001' }, channel: 'sms' },
  'POST /v1/sessions/phone-code': { phone: { region: 'CN', number: '13766660001' }, code: '123456' },
  'POST /v1/sessions/mfa': { code: '123456', recoveryCode: 'abcd-efgh' },
  'POST /v1/consents': { agreements: [{ key: 'privacy', version: '1.0' }] },
  'POST /v1/security/step-up/start': { method: 'phone', channel: 'sms' },
  'POST /v1/security/step-up/verify': { method: 'phone', code: '123456' },
  'POST /v1/security/contacts/start': {
    kind: 'email',
    role: 'contact',
    email: 'x@example.com',
    phone: { region: 'CN', number: '13766660006' },
  },
  'POST /v1/security/contacts/confirm': {
    kind: 'email',
    role: 'contact',
    email: 'x@example.com',
    phone: { region: 'CN', number: '13766660006' },
    code: '123456',
  },
  'POST /v1/security/email': { email: 'x@example.com' },
  'POST /v1/security/password': { currentPassword: 'Secret#2026', newPassword: 'New#Pass2026x' },
  'POST /v1/security/mfa/confirm': { code: '123456' },
  'POST /v1/sub-users': { name: 'hostile_sub2', password: 'Sub#Pass2026' },
  // the account is not closing: the right password changes nothing
  'POST /v1/account/closing/cancel': { identifier: 'hostile_owner', password: 'Secret#2026' },
  'POST /v1/sub-user/mfa/setup': { password: 'Sub#Pass2026' },
  'POST /v1/sub-user/mfa/confirm': { code: '123456' },
  'POST /v1/mfa-recovery/applications': {
    type: 'enterprise',
    name: '张三',
    phone: { region: 'CN', number: '13766660007' },
    idNumber: '11010119900307123X',
    enterpriseName: 'Acme',
    idPhoto: { data: PNG },
    businessLicence: { data: PNG },
  },
  'PUT /admin/v1/accounts/:id/real-name': {
    type: 'enterprise',
    name: '张三',
    idNumber: '11010119900307123X',
    enterpriseName: 'Acme',
  },
  'POST /admin/v1/mfa-applications/:id/reject': { reason: 'The photo is blurred.' },
  // stored as jsonb, where Postgres refuses \u0000 (and lone surrogate escapes) too
  'PATCH /admin/v1/config': {
    testMode: { enabled: false, phones: ['+8613700000000'], emails: ['qa@example.com'], code: '123456' },
    captcha: {
      provider: 'tencent',
      when: 'risk',
      captchaAppId: '2000000000',
      appSecretKey: 'app-secret-key',
      secretId: 'AKIDexample',
      secretKey: 'secret-key',
    },
  },
};

/** `value` with `bad` at the dotted path (creating objects and arrays on the way). */
function withAt(value: unknown, path: string, bad: string): unknown {
  const copy = structuredClone(value ?? {}) as Record<string, unknown>;
  const parts = path.split('.');
  let at: Record<string, unknown> = copy;
  parts.slice(0, -1).forEach((p, i) => {
    if (typeof at[p] !== 'object' || at[p] === null) at[p] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    at = at[p] as Record<string, unknown>;
  });
  at[parts.at(-1)!] = bad;
  return copy;
}

/** The size limit on request bodies (bff/src/app.ts, routes/admin.ts, routes/mfa-recovery.ts). */
const bodyLimit = (op: Op) =>
  op.path.startsWith('/admin/v1')
    ? 16 * 1024
    : op.path === '/v1/mfa-recovery/applications'
      ? 6 * 1024 * 1024
      : op.path.startsWith('/v1/')
        ? 64 * 1024
        : undefined;

let h: Harness;
let userToken = '';
let adminKey = '';
let accountId = '';
let subUserId = '';
let ipSeq = 0;

beforeAll(async () => {
  h = await makeHarness();
  OPS = apiOperations(h.app);
  for (const op of OPS) if (op.body) bodyPlan.set(op, { schema: schemaOf(op.body) });
  const reg = await h.register(
    { accountName: 'hostile_owner', number: '13766660001' },
    { headers: { 'x-jd-session-mode': 'token' } },
  );
  expect(reg.status).toBe(201);
  userToken = reg.json.session.token;
  accountId = reg.json.account.id;
  adminKey = (await createAdminKey(h.db, h.clock, h.tenant.id, 'hostile-input test')).secretKey;
  subUserId = (
    await h.request('/v1/sub-users', { token: userToken, body: { name: 'hostile_member', password: 'Sub#Pass2026' } })
  ).json.id;
  expect(subUserId).toBeTruthy();
  // real-name verified, so that a lost-device application gets as far as its insert
  await setRealName(h.deps, h.tenant.id, accountId, {
    type: 'enterprise',
    name: '张三',
    idNumber: '11010119900307123X',
    enterprise: 'Acme',
  });
}, 60_000);
afterAll(() => h.close());

/** A session of its own for a request that ends the one it uses (DELETE /v1/session), without a sign-in's argon2. */
async function freshUserToken() {
  const issued = await createSession(
    h.db,
    h.deps,
    { tenantId: h.tenant.id, accountId, mode: 'token', mfaVerified: true },
    { ip: null, userAgent: null, locale: 'en' },
  );
  return issued.token;
}

const key = (op: Op) => `${op.method.toUpperCase()} ${op.path}`;
/**
 * Path parameters filled so that the request reaches the handler: the real records where a body
 * is written to them (and nothing else happens to them), else any well-formed id — so that no
 * request here disables the account or ends its sessions.
 */
const filled = (path: string, param?: string) =>
  path.replace(
    /:([A-Za-z]+)/g,
    (_, name: string) =>
      param ??
      (name === 'kind'
        ? 'phone'
        : name === 'slug'
          ? 'acme'
          : path === '/admin/v1/accounts/:id/real-name'
            ? accountId
            : path === '/v1/sub-users/:id/mfa-required'
              ? subUserId
              : randomUUID()),
  );

interface Sent {
  status: number;
  json: any;
  text: string;
}

async function send(
  op: Op,
  who: Who,
  o: { url?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Sent> {
  const headers: Record<string, string> = {
    // a new client address each time: per-address limits (docs/security.md#attempt-limits) are not what is tested here
    'x-forwarded-for': `10.77.${(ipSeq >> 8) & 255}.${ipSeq++ & 255}`,
    'x-jd-publishable-key': h.tenant.publishableKey,
  };
  if (who === 'user') {
    headers['x-jd-session-mode'] = 'token';
    headers.authorization = `Bearer ${key(op) === 'DELETE /v1/session' ? await freshUserToken() : userToken}`;
  }
  if (who === 'admin') headers.authorization = `Bearer ${adminKey}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, o.headers);
  return readAnswer(
    await h.app.request(`http://localhost${o.url ?? filled(op.path)}`, {
      method: op.method.toUpperCase(),
      headers,
      body: o.body as BodyInit | undefined,
    }),
  );
}

/** Problems with one answer: a 5xx, or an error answer that is not the product's error shape. */
function problems(label: string, r: Sent): string[] {
  if (r.status >= 500) return [`${label}: ${r.status} ${r.text.slice(0, 160)}`];
  if (r.status >= 400 && r.text && !r.text.startsWith('<') && typeof r.json?.error?.code !== 'string')
    return [`${label}: ${r.status} without an error code: ${r.text.slice(0, 120)}`];
  return [];
}

const fieldCodes = (r: Sent): Map<string, string> =>
  new Map(((r.json?.error?.fields ?? []) as { path: string; code: string }[]).map((f) => [f.path, f.code]));

/** The free-text fields that validation answered for: each must carry `text_invalid_chars`. */
function textRefusals(
  label: string,
  r: Sent,
  free: string[],
  expectCode: (path: string) => boolean,
): { problems: string[]; validated: boolean } {
  const validated = r.status === 400 && r.json?.error?.code === 'invalid_input' && Array.isArray(r.json.error.fields);
  if (!validated) return { problems: [], validated: false };
  const codes = fieldCodes(r);
  const out: string[] = [];
  for (const path of free) {
    const got = codes.get(path);
    if (expectCode(path) && got !== 'text_invalid_chars')
      out.push(`${label}: field ${path} answered ${got ?? 'nothing'}`);
    if (!expectCode(path) && got === 'text_invalid_chars')
      out.push(`${label}: field ${path} refused a multi-line value`);
  }
  return { problems: out, validated: true };
}

describe(`hostile input on every endpoint (${backend})`, () => {
  it('covers the public, admin and well-known APIs', () => {
    expect(OPS.filter((o) => o.path.startsWith('/v1/')).length).toBeGreaterThan(30);
    expect(OPS.filter((o) => o.path.startsWith('/admin/v1/')).length).toBeGreaterThan(10);
    expect([...bodyPlan.values()].length).toBeGreaterThan(20);
  });

  it('refuses control characters and lone surrogates in every string field of every JSON body, with text_invalid_chars on the field', async () => {
    const found: string[] = [];
    const reachedValidation = new Set<string>();
    for (const [op, { schema }] of bodyPlan) {
      for (const bad of BAD_STRINGS) {
        const free: string[] = [];
        const body = JSON.stringify(hostileValue(schema, bad.value, '', free));
        for (const who of WHO) {
          const label = `${key(op)} as ${who} with ${bad.name}`;
          const r = await send(op, who, { body });
          found.push(...problems(label, r));
          const check = textRefusals(
            label,
            r,
            free,
            (path) => !(bad.multilineOk && MULTILINE.has(`${key(op)} ${path}`)),
          );
          found.push(...check.problems);
          if (check.validated) reachedValidation.add(key(op));
        }
      }
    }
    expect(found).toEqual([]);
    // not a vacuous pass: every body was validated as somebody (the others may be refused before)
    const withText = [...bodyPlan].filter(([, { schema }]) => {
      const free: string[] = [];
      hostileValue(schema, '', '', free);
      return free.length > 0;
    });
    expect(withText.map(([op]) => key(op)).filter((k) => !reachedValidation.has(k))).toEqual([]);
  }, 120_000);

  it('refuses one hostile field among valid ones, field by field (the request that used to reach Postgres)', async () => {
    const found: string[] = [];
    for (const [op, { schema }] of bodyPlan) {
      const free: string[] = [];
      const generic = hostileValue(schema, 'x', '', free);
      const base = VALID[key(op)] ?? generic;
      for (const path of free) {
        for (const bad of ['ab\u0000cd', '\ud800']) {
          for (const who of WHO) {
            const label = `${key(op)} as ${who} with ${JSON.stringify(bad)} in ${path} only`;
            const r = await send(op, who, { body: JSON.stringify(withAt(base, path, bad)) });
            found.push(...problems(label, r));
            found.push(...textRefusals(label, r, [path], () => true).problems);
          }
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('refuses %00 in each query parameter alone', async () => {
    const found: string[] = [];
    for (const op of OPS) {
      for (const name of queryNames(op)) {
        for (const who of WHO) {
          const label = `${key(op)} as ${who} with ?${name}=%00`;
          const r = await send(op, who, { url: `${filled(op.path)}?${name}=a%00b` });
          found.push(...problems(label, r));
          if (r.status !== 400 || fieldCodes(r).get(name) !== 'text_invalid_chars')
            found.push(`${label}: ${r.status} ${r.text.slice(0, 100)}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('takes a lone surrogate sent as raw bytes (not UTF-8) as text, never a 5xx', async () => {
    const found: string[] = [];
    for (const [op, { schema }] of bodyPlan) {
      // ED A0 80 is U+D800 encoded as if it were a character: a decoder turns it into U+FFFD
      const json = JSON.stringify(hostileValue(schema, 'ab\u2063cd', '', []));
      const bytes = Buffer.from(json, 'utf8');
      const raw = Buffer.from(
        bytes.toString('latin1').replaceAll('\u00e2\u0081\u00a3', '\u00ed\u00a0\u0080'),
        'latin1',
      );
      for (const who of WHO)
        found.push(
          ...problems(
            `${key(op)} as ${who} with raw surrogate bytes`,
            await send(op, who, { body: new Uint8Array(raw) }),
          ),
        );
    }
    expect(found).toEqual([]);
  }, 60_000);

  it('answers a path parameter with %00 with text_invalid_chars, and garbage ids with a 4xx', async () => {
    const found: string[] = [];
    const GARBAGE = [
      '%00',
      'x%00y',
      '%C2%85',
      'not-a-uuid',
      "1'%3B--",
      '%ZZ',
      '%ED%A0%80',
      '%C0%80',
      '00000000-0000-0000-0000-00000000000g',
      'a'.repeat(300),
      '..%2F..%2Fetc',
    ];
    for (const op of OPS.filter((o) => o.path.includes('/:'))) {
      for (const param of GARBAGE) {
        for (const who of WHO) {
          const label = `${key(op)} as ${who} with :param=${param.slice(0, 20)}`;
          const r = await send(op, who, { url: filled(op.path, param), ...(hasBody(op) ? { body: '{}' } : {}) });
          found.push(...problems(label, r));
          if (r.status < 400) found.push(`${label}: ${r.status}`);
          if (/%00|%C2%85/.test(param) && fieldCodes(r).get('path') !== 'text_invalid_chars')
            found.push(`${label}: ${r.status} ${r.text.slice(0, 100)}`);
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('answers %00 and C1 controls in any query value with text_invalid_chars', async () => {
    const found: string[] = [];
    for (const op of OPS) {
      const names = [...queryNames(op), 'pk', 'x'];
      for (const enc of ['%00', 'a%00b', '%C2%9B', '%7F']) {
        for (const who of WHO) {
          const label = `${key(op)} as ${who} with ?…=${enc}`;
          const r = await send(op, who, {
            url: `${filled(op.path)}?${names.map((n) => `${n}=${enc}`).join('&')}`,
            ...(hasBody(op) ? { body: '{}' } : {}),
          });
          found.push(...problems(label, r));
          const codes = fieldCodes(r);
          if (r.status !== 400 || names.some((n) => codes.get(n) !== 'text_invalid_chars'))
            found.push(`${label}: ${r.status} ${r.text.slice(0, 100)}`);
        }
      }
      // invalid UTF-8 decodes to U+FFFD: plain text, answered by the route like any other value
      for (const who of WHO)
        found.push(
          ...problems(
            `${key(op)} as ${who} with ?=%ED%A0%80`,
            await send(op, who, { url: `${filled(op.path)}?${names.map((n) => `${n}=%ED%A0%80`).join('&')}` }),
          ),
        );
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('answers deeply nested JSON, bodies at and over the size limit, duplicate keys, arrays, null and broken JSON with a 4xx or success, never a 5xx', async () => {
    const found: string[] = [];
    const deep = (n: number) => '{"a":'.repeat(n) + '"x"' + '}'.repeat(n);
    const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const op of OPS.filter(hasBody)) {
      const plan = bodyPlan.get(op);
      const free: string[] = [];
      const hostile = plan ? JSON.stringify(hostileValue(plan.schema, 'ab\u0000cd', '', free)) : '{}';
      const first = free.find((p) => !p.includes('.'));
      const bodies: [string, string][] = [
        ['200-level nested object', deep(200)],
        ['200-level nested field', first ? `{"${first}":${deep(200)}}` : deep(200)],
        ['5000-level nested array', deepArray(5000)],
        ['a top-level array', `[${hostile}]`],
        ['null', 'null'],
        ['a string', '"\\u0000"'],
        ['broken JSON', '{"a":'],
        ['an empty body', ''],
      ];
      if (first) bodies.push(['a duplicate key, clean then hostile', `{"${first}":"clean",${hostile.slice(1)}`]);
      for (const [name, body] of bodies) {
        for (const who of WHO) {
          const label = `${key(op)} as ${who} with ${name}`;
          const r = await send(op, who, { body });
          found.push(...problems(label, r));
          if (name.startsWith('a duplicate key'))
            found.push(...textRefusals(label, r, first ? [first] : [], () => true).problems);
        }
      }
      // (a DELETE's body is never read, so no limit applies to it)
      const limit = op.method === 'delete' ? undefined : bodyLimit(op);
      if (limit) {
        const padded = (size: number) => `{"pad":"${'x'.repeat(size - 10)}"}`;
        for (const who of WHO) {
          const under = await send(op, who, { body: padded(limit) });
          found.push(...problems(`${key(op)} as ${who} with a body of exactly the limit`, under));
          if (under.status === 413) found.push(`${key(op)} as ${who}: a body of exactly the limit answered 413`);
          const over = await send(op, who, { body: padded(limit + 1) });
          found.push(...problems(`${key(op)} as ${who} with a body over the limit`, over));
          if (![413, 401].includes(over.status))
            found.push(`${key(op)} as ${who}: a body over the limit answered ${over.status}`);
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('treats odd bytes in the headers it reads (session mode, locale, cookie, bearer token, forwarded address) as absent, never a 5xx', async () => {
    const found: string[] = [];
    // a header value is bytes; Node decodes them as Latin-1, so \x85 arrives as U+0085 (NUL, CR, LF never get past the HTTP parser)
    const odd = {
      'x-jd-session-mode': 'token\u0085',
      'x-jd-locale': 'en\u009b\u00ff',
      'accept-language': '\u0085zh',
      cookie: `jd_session_${h.tenant.id.replace(/-/g, '').slice(0, 12)}=\u0085\u007f\u00ff; x=\u00ff`,
      'user-agent': 'agent\u0085\u001b[31m',
      'x-forwarded-for': '\u0085\u00ff, 10.0.0.1',
      'x-request-id': 'id\u0085',
    };
    for (const op of OPS) {
      for (const who of WHO) {
        const headers = { ...odd, ...(who === 'stranger' ? { authorization: `Bearer ${userToken}\u0085` } : {}) };
        found.push(
          ...problems(
            `${key(op)} as ${who} with odd header bytes`,
            await send(op, who, { headers, ...(hasBody(op) ? { body: '{}' } : {}) }),
          ),
        );
      }
    }
    // an odd publishable key names no tenant
    for (const op of OPS)
      found.push(
        ...problems(
          `${key(op)} with an odd publishable key`,
          await send(op, 'stranger', { headers: { 'x-jd-publishable-key': `${h.tenant.publishableKey}\u0085` } }),
        ),
      );
    expect(found).toEqual([]);
    // a real token with one odd byte added is no token; the bare token still works
    const session = OPS.find((o) => key(o) === 'GET /v1/session')!;
    const withOdd = await send(session, 'stranger', { headers: { authorization: `Bearer ${userToken}\u0085` } });
    expect([withOdd.status, withOdd.json]).toEqual([200, { signedIn: false }]);
    expect((await send(session, 'user')).json.signedIn).toBe(true);
  }, 120_000);

  it('records no control characters from a User-Agent in the audit log', async () => {
    const res = await h.request('/v1/sessions', {
      body: { identifier: 'hostile_owner', password: 'Wrong#2026x' },
      headers: { 'user-agent': 'agent\u0085\u001b[31m' },
      ip: '10.78.0.1',
    });
    expect(res.status).toBe(401);
    const row = await h.db
      .selectFrom('audit_events')
      .select('user_agent')
      .where('account_id', '=', accountId)
      .where('type', '=', 'sign_in_failed')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.user_agent).toBe('agent[31m');
  });

  it('answers a password with a control character the same for a known and an unknown account, before any lookup', async () => {
    const known = await h.request('/v1/sessions', {
      body: { identifier: 'hostile_owner', password: 'Secret#2026\u0000' },
      ip: '10.78.0.2',
    });
    const unknown = await h.request('/v1/sessions', {
      body: { identifier: 'nobody_here_x', password: 'Secret#2026\u0000' },
      ip: '10.78.0.3',
    });
    expect(known.status).toBe(400);
    expect(known.json.error.fields).toEqual([
      { path: 'password', code: 'text_invalid_chars', message: expect.any(String) },
    ]);
    const { requestId: _a, ...a } = known.json.error;
    const { requestId: _b, ...b } = unknown.json.error;
    expect(a).toEqual(b);
    // the same password, well-formed, still signs in: the refusal counted as no failed attempt
    expect(
      (
        await h.request('/v1/sessions', {
          body: { identifier: 'hostile_owner', password: 'Secret#2026' },
          ip: '10.78.0.4',
        })
      ).status,
    ).toBe(200);
  });

  it('names the refusal in both languages', async () => {
    const zh = await h.request('/v1/sessions', { body: { identifier: 'a\u0000', password: 'x' }, locale: 'zh-CN' });
    const en = await h.request('/v1/sessions', { body: { identifier: 'a\u0000', password: 'x' }, locale: 'en' });
    expect(zh.json.error.fields[0]).toMatchObject({
      path: 'identifier',
      code: 'text_invalid_chars',
      message: '包含不能使用的字符（控制字符或无效文本）。',
    });
    expect(en.json.error.fields[0].message).toMatch(/characters that cannot be used/);
  });
});
