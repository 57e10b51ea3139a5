import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  // auth.acme.test: a real host name, which a development server accepts only when configured (ALLOWED_HOSTS)
  h = await makeHarness({
    config: {
      session: { idleSeconds: 1800, absoluteSeconds: 8 * 3600, touchAfterSeconds: 60, cacheMs: 2000 },
      allowedHosts: ['auth.acme.test'],
    },
  });
  expect((await h.register({ accountName: 'sess_user', number: '13822220001', password: 'Sess#2026' })).status).toBe(
    201,
  );
});
afterAll(() => h.close());

const signIn = (o: { mode?: 'token' | 'cookie'; url?: string; cookie?: string; origin?: string } = {}) =>
  h.request('/v1/sessions', {
    body: { identifier: 'sess_user', password: 'Sess#2026' },
    ...(o.mode === 'token' ? { headers: { 'x-jd-session-mode': 'token' } } : {}),
    ...(o.url ? { url: o.url } : {}),
    ...(o.cookie ? { cookie: o.cookie } : {}),
    ...(o.origin ? { origin: o.origin } : {}),
  });

describe(`sessions (${backend})`, () => {
  it('cookie mode on localhost: HttpOnly, SameSite=Lax, not Secure, no __Host- prefix; the session check and sign-out work', async () => {
    const res = await signIn();
    expect(res.status).toBe(200);
    expect(res.json.session.token).toBeUndefined();
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^jd_session_[0-9a-f]{12}=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    const cookie = cookieFrom(setCookie);
    const me = await h.request('/v1/session', { cookie });
    expect(me.status).toBe(200);
    expect(me.json.account.accountName).toBe('sess_user');
    expect(me.headers.get('cache-control')).toBe('no-store');
    const out = await h.request('/v1/session', { method: 'DELETE', cookie, origin: ORIGIN });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await h.sessionState({ cookie })).toBe('out');
  });

  it('cookie mode on a real host: Secure with the __Host- prefix', async () => {
    const res = await signIn({ url: 'https://auth.acme.test' });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-jd_session_[0-9a-f]{12}=/);
    expect(setCookie).toContain('Secure');
    expect(setCookie).not.toContain('Domain=');
    expect(await h.sessionState({ url: 'https://auth.acme.test', cookie: cookieFrom(setCookie) })).toBe('in');
  });

  it('token mode: the token comes in the body, no cookie is set, Bearer authenticates', async () => {
    const res = await signIn({ mode: 'token' });
    expect(res.headers.get('set-cookie')).toBeNull();
    const token = res.json.session.token as string;
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    const me = await h.request('/v1/session', { token });
    expect(me.status).toBe(200);
    expect(me.json.session.mode).toBe('token');
    expect(me.json.session.token).toBeUndefined();
    expect((await h.request('/v1/session', { method: 'DELETE', token })).status).toBe(204);
    expect(await h.sessionState({ token })).toBe('out');
  });

  it('stores only a hash of the session id', async () => {
    const token = (await signIn({ mode: 'token' })).json.session.token as string;
    const rows = await h.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows.some((r) => r.id_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
  });

  it('issues a new id at sign-in and ends the session presented with it', async () => {
    const first = cookieFrom((await signIn()).headers.get('set-cookie'));
    const second = await signIn({ cookie: first, origin: ORIGIN });
    const next = cookieFrom(second.headers.get('set-cookie'));
    expect(next).not.toBe(first);
    expect(await h.sessionState({ cookie: first })).toBe('out');
    expect(await h.sessionState({ cookie: next })).toBe('in');
  });

  it('expires after the idle time, and activity slides it', async () => {
    const token = (await signIn({ mode: 'token' })).json.session.token as string;
    h.clock.advance(1700);
    expect(await h.sessionState({ token })).toBe('in'); // touched: idle window restarts
    h.clock.advance(1700);
    expect(await h.sessionState({ token })).toBe('in');
    h.clock.advance(1801);
    expect(await h.sessionState({ token })).toBe('out');
  });

  it('expires at the absolute limit however active', async () => {
    const token = (await signIn({ mode: 'token' })).json.session.token as string;
    for (let i = 0; i < 16; i++) {
      h.clock.advance(1700);
      expect(await h.sessionState({ token })).toBe('in');
    }
    h.clock.advance(1700); // 17 × 1700 s > 8 h
    expect(await h.sessionState({ token })).toBe('out');
  });

  it('a session of one tenant is nothing to another', async () => {
    const token = (await signIn({ mode: 'token' })).json.session.token as string;
    const { createTenant } = await import('../src/services/tenants.ts');
    const other = await createTenant(h.db, { slug: 'sess-other', origins: [] });
    expect(await h.sessionState({ token, pk: other.publishableKey })).toBe('out');
  });

  it('memoises the session check for at most SESSION_CACHE_MS; a sign-out here takes effect at once', async () => {
    const token = (await signIn({ mode: 'token' })).json.session.token as string;
    expect(await h.sessionState({ token })).toBe('in');
    // another instance signs it out (the row disappears): this instance may answer from memory for 2 s
    await h.db
      .deleteFrom('sessions')
      .where('id_hash', '=', (await import('../src/crypto.ts')).sha256Hex(token))
      .execute();
    expect(await h.sessionState({ token })).toBe('in');
    h.clock.advance(2);
    expect(await h.sessionState({ token })).toBe('out');
    // through this instance: at once
    const other = (await signIn({ mode: 'token' })).json.session.token as string;
    expect(await h.sessionState({ token: other })).toBe('in');
    expect((await h.request('/v1/session', { method: 'DELETE', token: other })).status).toBe(204);
    expect(await h.sessionState({ token: other })).toBe('out');
  });

  it('answers garbage tokens as no session, not 500', async () => {
    for (const token of ['x', 'a'.repeat(500), '../../etc/passwd', '%00']) {
      expect(await h.sessionState({ token })).toBe('out');
    }
  });
});

describe(`CORS and CSRF (${backend})`, () => {
  const EVIL = 'https://evil.example';

  it('answers a preflight from an allowed origin with that origin, never *', async () => {
    const res = await h.app.request('http://localhost/v1/sessions', {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-jd-publishable-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-jd-publishable-key');
  });

  it('gives a foreign origin no CORS headers on preflight', async () => {
    const res = await h.app.request('http://localhost/v1/sessions', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    // a GET may be sent — only to be refused with an answer the page can read
    const get = await h.app.request('http://localhost/v1/config', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'GET' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe(EVIL);
    expect(get.headers.get('access-control-allow-methods')).toBe('GET');
    const refused = await h.request('/v1/config', { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('origin_not_allowed');
  });

  it('allows the tenant origin and echoes it on the answer', async () => {
    const res = await h.request('/v1/config', { origin: ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('refuses an origin the tenant did not allow, even one another tenant allows, and changes nothing', async () => {
    const { createTenant } = await import('../src/services/tenants.ts');
    await createTenant(h.db, { slug: 'cors-other', origins: ['https://other.example'] });
    for (const origin of [EVIL, 'https://other.example', 'null']) {
      const before = await h.count('verification_codes');
      const res = await h.request('/v1/verification-codes', {
        origin,
        body: { phone: { region: 'CN', number: '13822229999' }, purpose: 'register', channel: 'sms' },
      });
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('origin_not_allowed');
      // the refusal is readable by the refused page (so the widget can say why); nothing ran
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(await h.count('verification_codes')).toBe(before);
    }
  });

  it('refuses a cookie-carrying state change without an allowed Origin (CSRF)', async () => {
    const cookie = cookieFrom((await signIn()).headers.get('set-cookie'));
    const res = await h.request('/v1/session', { method: 'DELETE', cookie });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('csrf_rejected');
    expect(await h.sessionState({ cookie })).toBe('in');
    const sameOrigin = await h.request('/v1/session', {
      method: 'DELETE',
      cookie,
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(204);
  });

  it('refuses form-encoded posts, so an HTML form on another site cannot reach a handler', async () => {
    const res = await h.request('/v1/sessions', {
      rawBody: 'identifier=sess_user&password=Sess%232026',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe('unsupported_media_type');
  });

  it('sets security headers', async () => {
    const res = await h.request('/v1/config');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
  });
});
