import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOperations } from '../src/openapi/document.ts';
import { makeHarness, type Harness } from './harness.ts';

/**
 * The OpenAPI document is generated from the routes' definitions (bff/src/openapi/define.ts), so
 * what it lists is what the app registered with one; this keeps every route the app serves in it
 * (a route added with a plain `app.get` would be served undocumented and unvalidated).
 */
let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

/** Pages and probes, not the API. */
const UNDOCUMENTED =
  /^(GET|POST) (\/|\/dev.*|\/healthz|\/readyz|\/widget\/:name|\/legal\/.*|\/openapi\.json|\/docs\/api)$/;

type Doc = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, unknown> };
  [key: string]: any;
};

describe('OpenAPI 3.1', () => {
  let doc: Doc;
  beforeAll(async () => {
    const res = await h.request('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.json;
  });

  it('lists every route the app serves, and only those', () => {
    const served = new Set(h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`),
      ),
    );
    expect([...served].filter((r) => !UNDOCUMENTED.test(r) && !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    expect([...documented].filter((r) => r.includes(' /v1/')).length).toBeGreaterThan(35);
    expect([...documented].filter((r) => r.includes(' /admin/v1/')).length).toBeGreaterThan(15);
    expect(
      apiOperations(h.app)
        .map((o) => `${o.method.toUpperCase()} ${o.path}`)
        .sort(),
    ).toEqual([...documented].sort());
  });

  it('documents each request: schemas from the zod validators, auth, headers', () => {
    expect(doc.openapi).toBe('3.1.0');
    const register = doc.paths['/v1/accounts'].post;
    const schema = register.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['accountName', 'password', 'phone', 'code', 'agreements']));
    const headers = register.parameters.filter((p: { in: string }) => p.in === 'header').map((p: any) => p.name);
    expect(headers).toEqual(['x-jd-locale', 'x-jd-session-mode', 'idempotency-key']);
    expect(register.security).toEqual([{ publishableKey: [] }]);
    expect(doc.paths['/v1/sessions'].post.parameters.map((p: any) => p.name)).toEqual([
      'x-jd-locale',
      'x-jd-session-mode',
    ]);
    expect(doc.paths['/v1/security'].get.security).toEqual([
      { publishableKey: [], sessionCookie: [] },
      { publishableKey: [], sessionToken: [] },
    ]);
    expect(doc.paths['/admin/v1/accounts/{id}/real-name'].put.security).toEqual([{ secretKey: [] }]);
    expect(doc.paths['/admin/v1/accounts/{id}/real-name'].put.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    expect(doc.paths['/admin/v1/accounts/{id}/audit-events'].get.parameters.map((p: any) => p.name)).toEqual([
      'id',
      'limit',
      'before',
    ]);
    expect(
      doc.paths['/admin/v1/config'].patch.requestBody.content['application/json'].schema.properties.branding,
    ).toBeDefined();
    expect(doc.paths['/tenants/{slug}/.well-known/jwks.json'].get.security).toEqual([]);
    expect(Object.keys(doc.components.securitySchemes)).toEqual([
      'publishableKey',
      'sessionCookie',
      'sessionToken',
      'secretKey',
    ]);
  });

  it('documents each success answer with its schema, and the error answer', () => {
    const answer = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status]?.content?.['application/json']?.schema;
    expect(answer('/v1/accounts', 'post', '201')).toEqual({ $ref: '#/components/schemas/SignedIn' });
    expect(doc.components.schemas.SignedIn.required).toEqual(['account', 'session']);
    expect(answer('/v1/security', 'get', '200')).toEqual({ $ref: '#/components/schemas/SecurityOverview' });
    expect(answer('/v1/verification-codes', 'post', '202')).toEqual({ $ref: '#/components/schemas/CodeSent' });
    expect(answer('/admin/v1/accounts/{id}', 'get', '200')).toEqual({ $ref: '#/components/schemas/AdminAccount' });
    expect(doc.paths['/v1/session'].delete.responses['204']).toEqual({ description: 'Signed out' });
    // every operation: a success answer, described (JSON with its schema, or a page, a file, no
    // content; a browser's round trip to an upstream provider answers with a redirect)
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const ok = Object.entries(op.responses as Record<string, any>).filter(([s]) => /^(2\d\d|302)$/.test(s));
        expect(ok.length, `${method} ${path}`).toBe(1);
        const [status, res] = ok[0];
        if (status !== '204' && status !== '302')
          expect(
            Object.values(res.content ?? {}).every((c: any) => c.schema),
            `${method} ${path}`,
          ).toBe(true);
        expect(op.responses['4XX'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('invalid_credentials');
  });

  it('serves a reference page from the same document', async () => {
    const page = await h.request('/docs/api');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<code>/v1/sessions/mfa</code>');
    expect(page.text).toContain('session (also while the MFA step is due)');
    expect(page.text).toContain('id="schema-signedin"');
  });
});
