import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/openapi/document.ts';
import { makeHarness, type Harness } from './harness.ts';

/** The OpenAPI document covers the whole public and admin API, and nothing that does not exist. */
let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

const UNDOCUMENTED =
  /^(GET|POST) (\/|\/dev.*|\/healthz|\/readyz|\/widget\/jd-account\.js|\/legal\/.*|\/email\/verify|\/openapi\.json|\/docs\/api)$/;

describe('OpenAPI 3.1', () => {
  it('documents every API route of the app, and only routes the app has', () => {
    const appRoutes = new Set(h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    const documented = new Set(OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`));
    const missing = [...appRoutes].filter((r) => !UNDOCUMENTED.test(r) && !documented.has(r));
    expect(missing).toEqual([]);
    expect([...documented].filter((r) => !appRoutes.has(r))).toEqual([]);
  });

  it('serves the document with request schemas from the zod validators, and a reference page', async () => {
    const res = await h.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    const register = doc.paths['/v1/accounts'].post;
    const schema = register.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['accountName', 'password', 'phone', 'code', 'agreements']));
    expect(register.responses['201']).toBeDefined();
    expect(doc.paths['/admin/v1/accounts/{id}/real-name'].put.security).toEqual([{ secretKey: [] }]);
    expect(
      doc.paths['/admin/v1/config'].patch.requestBody.content['application/json'].schema.properties.branding,
    ).toBeDefined();
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('invalid_credentials');
    const page = await h.request('/docs/api');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<code>/v1/sessions/mfa</code>');
  });
});
