import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { generate } from 'otplib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey, sha256Hex, unseal } from '../src/crypto.ts';
import { createTenant, type Tenant } from '../src/services/tenants.ts';
import {
  KEY_CACHE_SECONDS,
  RETIRED_KEY_PUBLISHED_SECONDS,
  rotateSigningKey,
  TOKEN_TTL_SECONDS,
} from '../src/services/tokens.ts';
import { backend, cookieFrom, makeHarness, ORIGIN, type Harness } from './harness.ts';
import { epochOf, userWithMfa } from './mfa-helpers.ts';

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const TOKEN_MODE = { headers: { 'x-jd-session-mode': 'token' } };
const issuerOf = (slug: string) => `http://localhost/tenants/${slug}`;
const nextNumber = () => `1376666${String(n++).padStart(4, '0')}`;

async function registered(o: { pk?: string } = {}) {
  const name = `token_user_${n}`;
  const reg = await h.register(
    { accountName: name, number: nextNumber() },
    { ...TOKEN_MODE, ...(o.pk ? { pk: o.pk } : {}) },
  );
  expect(reg.status).toBe(201);
  return {
    name,
    id: reg.json.account.id as string,
    session: reg.json.session.token as string,
    accessToken: reg.json.accessToken as { token: string; expiresAt: string; expiresIn: number },
  };
}

async function jwksOf(slug = 'acme'): Promise<JSONWebKeySet> {
  // as a tenant's backend fetches it: no publishable key, no Origin
  const res = await h.request(`/tenants/${slug}/.well-known/jwks.json`, { pk: null });
  expect(res.status).toBe(200);
  return res.json;
}

async function verify(
  token: string,
  o: { slug?: string; jwks?: JSONWebKeySet; at?: Date; issuer?: string; audience?: string } = {},
) {
  const slug = o.slug ?? 'acme';
  return jwtVerify(token, createLocalJWKSet(o.jwks ?? (await jwksOf(slug))), {
    issuer: o.issuer ?? issuerOf(slug),
    audience: o.audience ?? slug,
    algorithms: ['ES256'],
    currentDate: o.at ?? h.clock.now(),
  });
}

const freshToken = (session: string, pk?: string) =>
  h.request('/v1/session/token', { token: session, body: {}, ...(pk ? { pk } : {}) });

describe(`tokens for the tenant's backend (${backend})`, () => {
  it('registration and sign-in answers carry a token that verifies against the JWKS the app serves', async () => {
    const u = await registered();
    expect(u.accessToken.expiresIn).toBe(TOKEN_TTL_SECONDS);
    const reg = await verify(u.accessToken.token);
    expect(reg.payload.sub).toBe(u.id);

    const signIn = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: 'Secret#2026' },
      ...TOKEN_MODE,
    });
    expect(signIn.status).toBe(200);
    const { token, expiresAt } = signIn.json.accessToken;
    const { payload, protectedHeader } = await verify(token);
    const session = signIn.json.session.token as string;
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect((await jwksOf()).keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(payload).toMatchObject({ iss: issuerOf('acme'), aud: 'acme', sub: u.id, amr: ['pwd'] });
    expect(payload.sub_user).toBeUndefined();
    expect(payload.iat).toBe(epochOf(h.clock.now()));
    expect(payload.exp! - payload.iat!).toBe(5 * 60);
    expect(new Date(expiresAt).getTime()).toBe(payload.exp! * 1000);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // sid: the session's stable public id, never its token or the token's stored hash
    const row = await h.db
      .selectFrom('sessions')
      .select('sid')
      .where('id_hash', '=', sha256Hex(session))
      .executeTakeFirstOrThrow();
    expect(payload.sid).toBe(row.sid);
    expect(payload.sid).not.toBe(session);
    expect(payload.sid).not.toBe(sha256Hex(session));
    expect(token).not.toContain(session);
    expect(token).not.toContain(sha256Hex(session));
    // a different session of the same account has another sid
    expect(reg.payload.sid).not.toBe(payload.sid);

    // POST /v1/session/token: a fresh token of the same session
    h.clock.advance(60);
    const fresh = await freshToken(session);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('cache-control')).toBe('no-store');
    const again = await verify(fresh.json.token);
    expect(again.payload).toMatchObject({ sub: u.id, sid: payload.sid, iat: payload.iat! + 60 });
    expect(again.payload.jti).not.toBe(payload.jti);
  });

  it('cookie mode: the widget gets a token with the session cookie from an allowed origin', async () => {
    const u = await registered();
    const signIn = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: 'Secret#2026' },
      origin: ORIGIN,
    });
    expect(signIn.json.session.token).toBeUndefined();
    expect((await verify(signIn.json.accessToken.token)).payload.sub).toBe(u.id);
    const cookie = cookieFrom(signIn.headers.get('set-cookie'));
    const res = await h.request('/v1/session/token', { cookie, origin: ORIGIN, body: {} });
    expect(res.status).toBe(200);
    expect((await verify(res.json.token)).payload.sub).toBe(u.id);
    // no session, no token
    const anonymous = await h.request('/v1/session/token', { origin: ORIGIN, body: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe('not_signed_in');
  });

  it("a sub-user's token names its primary account as sub and the sub-user in sub_user", async () => {
    const p = await registered();
    const created = await h.request('/v1/sub-users', {
      token: p.session,
      body: { name: 'ops_bot', password: 'Sub#Pass2026' },
    });
    expect(created.status).toBe(201);
    const signIn = await h.request('/v1/sessions', {
      body: { identifier: p.name, subUser: 'ops_bot', password: 'Sub#Pass2026' },
      ...TOKEN_MODE,
    });
    expect(signIn.status).toBe(200);
    const { payload } = await verify(signIn.json.accessToken.token);
    expect(payload).toMatchObject({ sub: p.id, sub_user: { id: created.json.id, name: 'ops_bot' }, amr: ['pwd'] });
    const fresh = await verify((await freshToken(signIn.json.session.token)).json.token);
    expect(fresh.payload.sub_user).toEqual({ id: created.json.id, name: 'ops_bot' });
  });

  it('MFA: the pending session gets no token; after the code the token says amr ["pwd","otp"]', async () => {
    const u = await userWithMfa(h, { number: nextNumber(), name: `token_mfa_${n}` });
    const pending = await h.request('/v1/sessions', {
      body: { identifier: u.name, password: u.password },
      ...TOKEN_MODE,
    });
    expect(pending.json.mfaRequired).toBe(true);
    expect(pending.json.accessToken).toBeUndefined();
    const refused = await freshToken(pending.json.session.token);
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('mfa_required');

    const code = await generate({ secret: u.secret, epoch: epochOf(h.clock.now()) });
    const done = await h.request('/v1/sessions/mfa', { token: pending.json.session.token, body: { code } });
    expect(done.status).toBe(200);
    const { payload } = await verify(done.json.accessToken.token);
    expect(payload).toMatchObject({ sub: u.accountId, amr: ['pwd', 'otp'] });
    const fresh = await verify((await freshToken(done.json.session.token)).json.token);
    expect(fresh.payload.amr).toEqual(['pwd', 'otp']);
    // the session created at registration (MFA bound later, never passed at sign-in) stays "pwd"
    expect((await verify((await freshToken(u.token)).json.token)).payload.amr).toEqual(['pwd']);
  });

  it('refuses an expired token', async () => {
    const u = await registered();
    const issuedAt = h.clock.now();
    expect((await verify(u.accessToken.token, { at: new Date(issuedAt.getTime() + 299_000) })).payload.sub).toBe(u.id);
    await expect(verify(u.accessToken.token, { at: new Date(issuedAt.getTime() + 300_000) })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
    h.clock.advance(TOKEN_TTL_SECONDS + 1);
    await expect(verify(u.accessToken.token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it("refuses another tenant's token: not in this JWKS, wrong issuer and audience", async () => {
    const other: Tenant = await createTenant(h.db, { slug: `globex-${n}`, origins: [] });
    const theirs = (await registered({ pk: other.publishableKey })).accessToken.token;
    // control: it is a good token of its own tenant
    expect((await verify(theirs, { slug: other.slug })).payload.aud).toBe(other.slug);
    await expect(verify(theirs)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    // even a verifier holding both tenants' keys refuses it on issuer and audience
    const both = { keys: [...(await jwksOf()).keys, ...(await jwksOf(other.slug)).keys] };
    await expect(verify(theirs, { jwks: both })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
    await expect(verify(theirs, { jwks: both, issuer: issuerOf(other.slug) })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'aud',
    });
    // and the tenants' keys differ
    expect((await jwksOf()).keys.map((k) => k.kid)).not.toContain(decodeProtectedHeader(theirs).kid);
    // a session of one tenant gets no token through another tenant's publishable key
    const u = await registered();
    expect((await freshToken(u.session, other.publishableKey)).status).toBe(401);
  });

  it('rotation: new tokens carry the new kid; the old key verifies its tokens until they expired, then leaves the JWKS', async () => {
    const u = await registered();
    const oldToken = u.accessToken.token;
    const oldKid = decodeProtectedHeader(oldToken).kid!;
    const rotatedAt = h.clock.now();
    // what `npm run tenant -- rotate-keys` does, straight on the database (the app's key cache is not told)
    const rotated = await rotateSigningKey(h.deps, h.tenant.id);
    expect(rotated.retiredKid).toBe(oldKid);
    expect(rotated.kid).not.toBe(oldKid);

    h.clock.advance(KEY_CACHE_SECONDS + 1); // the running app reads its keys again
    const newToken = (await freshToken(u.session)).json.token as string;
    expect(decodeProtectedHeader(newToken).kid).toBe(rotated.kid);
    const jwks = await jwksOf();
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, oldKid]); // the signer first
    expect((await verify(newToken, { jwks })).payload.sub).toBe(u.id);
    expect((await verify(oldToken, { jwks, at: rotatedAt })).payload.sub).toBe(u.id);

    // still published while a token it signed (from another process's cache) may be alive
    h.clock.advance(RETIRED_KEY_PUBLISHED_SECONDS - KEY_CACHE_SECONDS - 2);
    expect((await jwksOf()).keys.map((k) => k.kid)).toContain(oldKid);
    h.clock.advance(KEY_CACHE_SECONDS + 2);
    const later = await jwksOf();
    expect(later.keys.map((k) => k.kid)).toEqual([rotated.kid]);
    // the old token no longer verifies, even at a moment it had not expired yet
    await expect(verify(oldToken, { jwks: later, at: rotatedAt })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });

  it('serves JWKS and discovery per tenant without a publishable key; an unknown tenant is a 404 with the error model', async () => {
    const res = await h.request('/tenants/acme/.well-known/jwks.json', {
      pk: null,
      origin: 'https://backend.elsewhere.test',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.json.keys.length).toBeGreaterThan(0);
    const discovery = await h.request('/tenants/acme/.well-known/openid-configuration', { pk: null });
    expect(discovery.json).toMatchObject({
      issuer: issuerOf('acme'),
      jwks_uri: `${issuerOf('acme')}/.well-known/jwks.json`,
    });
    for (const slug of ['no-such-tenant', 'Bad_Slug!', 'x']) {
      const missing = await h.request(`/tenants/${encodeURIComponent(slug)}/.well-known/jwks.json`, {
        pk: null,
        locale: 'en',
      });
      expect(missing.status).toBe(404);
      expect(missing.json.error).toMatchObject({ code: 'not_found', message: expect.any(String) });
      expect(
        (await h.request(`/tenants/${encodeURIComponent(slug)}/.well-known/openid-configuration`, { pk: null })).status,
      ).toBe(404);
    }
  });

  it('keeps private key material out of the JWKS and out of the database in plaintext', async () => {
    const jwks = await jwksOf();
    for (const key of jwks.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    const rows = await h.db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', h.tenant.id).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Object.keys(row.public_jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
      // the sealed value opens only with the key derived from JD_SECRET, and holds the private scalar
      const sealed = JSON.parse(unseal(deriveKey(h.deps.config.secret, 'signing-key'), row.private_key_enc));
      expect(sealed).toMatchObject({
        kid: row.kid,
        tenantId: h.tenant.id,
        jwk: { x: row.public_jwk.x, y: row.public_jwk.y },
      });
      const d = sealed.jwk.d as string;
      expect(d).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(row)).not.toContain(d);
      expect(JSON.stringify(jwks)).not.toContain(d);
      expect(() => unseal(deriveKey('another-secret-another-secret-xx', 'signing-key'), row.private_key_enc)).toThrow();
    }
  });

  it('a tenant gets exactly one signer even when its first tokens are asked for at once', async () => {
    const t = await createTenant(h.db, { slug: `initech-${n}`, origins: [] });
    const users = await Promise.all([registered({ pk: t.publishableKey }), registered({ pk: t.publishableKey })]);
    const signers = await h.db
      .selectFrom('signing_keys')
      .select('kid')
      .where('tenant_id', '=', t.id)
      .where('retired_at', 'is', null)
      .execute();
    expect(signers).toHaveLength(1);
    for (const u of users) expect(decodeProtectedHeader(u.accessToken.token).kid).toBe(signers[0].kid);
  });
});

describe(`rotate-keys from the CLI (${backend})`, () => {
  const root = resolve(import.meta.dirname, '../..');
  const run = promisify(execFile);
  const { DATABASE_URL: _pg, JD_SECRET: _secret, ...baseEnv } = process.env;
  const cli = (env: Record<string, string | undefined>, ...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'bff/src/cli/tenant.ts', ...args], {
      cwd: root,
      env: { ...baseEnv, ...env },
    });

  /** On Postgres the CLI works on the harness's own database (another process beside the running app). */
  async function harnessDatabaseUrl(): Promise<string> {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(h.db);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${rows[0].name}`;
    return url.toString();
  }

  it.runIf(backend === 'postgres')(
    'a rotation made by another process takes effect in the running app without a restart',
    async () => {
      const u = await registered();
      const before = decodeProtectedHeader((await freshToken(u.session)).json.token).kid;
      const out = (await cli({ DATABASE_URL: await harnessDatabaseUrl() }, 'rotate-keys', 'acme')).stdout;
      const kid = /new signing key for acme: (\S+)/.exec(out)![1];
      expect(out).toContain(`retired ${before}`);
      h.clock.advance(KEY_CACHE_SECONDS + 1);
      const token = (await freshToken(u.session)).json.token as string;
      expect(decodeProtectedHeader(token).kid).toBe(kid);
      expect((await verify(token)).payload.sub).toBe(u.id);
    },
    60_000,
  );

  it('creates the first key, then retires the previous one at each rotation; refuses an unknown tenant', async () => {
    // on PGlite: a data directory of its own (an in-memory database cannot be shared with another process)
    const dir = mkdtempSync(join(tmpdir(), 'jd-keys-'));
    const env =
      backend === 'postgres' ? { DATABASE_URL: await harnessDatabaseUrl() } : { PGLITE_DIR: join(dir, 'pglite') };
    try {
      if (backend === 'postgres') await createTenant(h.db, { slug: 'keyed', origins: [] });
      else await cli(env, 'create', 'keyed', '--origin', 'https://keyed.example');
      const first = (await cli(env, 'rotate-keys', 'keyed')).stdout;
      const firstKid = /new signing key for keyed: (\S+)/.exec(first)![1];
      expect(first).not.toContain('retired');
      const second = (await cli(env, 'rotate-keys', 'keyed')).stdout;
      const secondKid = /new signing key for keyed: (\S+)/.exec(second)![1];
      expect(secondKid).not.toBe(firstKid);
      expect(second).toMatch(new RegExp(`retired ${firstKid}: stays in the JWKS until \\d{4}-`));
      await expect(cli(env, 'rotate-keys', 'nobody')).rejects.toMatchObject({
        stderr: expect.stringContaining('no tenant "nobody"'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('PUBLIC_URL names the issuer (a BFF behind a TLS proxy sees http:// requests)', async () => {
    const behindProxy = await makeHarness({ config: { publicUrl: 'https://auth.acme.test' } });
    try {
      const reg = await behindProxy.register(
        { accountName: 'proxied_user', number: '13799990001' },
        { headers: { 'x-jd-session-mode': 'token' } },
      );
      const token = reg.json.accessToken.token as string;
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expect(claims.iss).toBe('https://auth.acme.test/tenants/acme');
      const discovery = await behindProxy.request('/tenants/acme/.well-known/openid-configuration', { pk: null });
      expect(discovery.json.jwks_uri).toBe('https://auth.acme.test/tenants/acme/.well-known/jwks.json');
    } finally {
      await behindProxy.close();
    }
  }, 60_000);
});
