import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tenantConfigPatch } from '../../shared/src/tenant-config.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'jd-cli-'));
const { DATABASE_URL: _pg, ...baseEnv } = process.env;
const env = { ...baseEnv, PGLITE_DIR: join(dir, 'pglite') };
const tenant = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'bff/src/cli/tenant.ts', ...args], { cwd: root, env });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tenant CLI (npm run tenant)', () => {
  it('refuses every command in production without JD_SECRET or PUBLIC_URL, before touching the database', async () => {
    const prod = (extra: Record<string, string>) =>
      run(
        process.execPath,
        ['--import', 'tsx', 'bff/src/cli/tenant.ts', 'create', 'prod-shop', '--origin', 'https://shop.example.test'],
        { cwd: root, env: { ...env, NODE_ENV: 'production', ...extra } },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
    const noSecret = await prod({});
    expect(noSecret.code).toBe(1);
    expect(noSecret.stderr).toContain('JD_SECRET');
    const noUrl = await prod({ JD_SECRET: 's'.repeat(40) });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('PUBLIC_URL');
  });

  it('creates, lists and shows tenants with the defaults of docs/product.md', async () => {
    const created = await tenant(
      'create',
      'acme-cloud',
      '--origin',
      'https://console.acme.test/',
      '--name',
      'Acme Cloud',
    );
    expect(created.stdout).toContain('created tenant acme-cloud');
    const key = /publishable key: (pk_test_[A-Za-z0-9_-]+)/.exec(created.stdout)![1];
    const list = await tenant('list');
    expect(list.stdout).toContain(`acme-cloud\t${key}\thttps://console.acme.test`);
    const shown = JSON.parse((await tenant('show', 'acme-cloud')).stdout);
    expect(shown.config).toMatchObject({
      displayName: { en: 'Acme Cloud', 'zh-CN': 'Acme Cloud' },
      phoneRegions: ['CN'],
      allowedOrigins: ['https://console.acme.test'],
      passwordPolicy: { minLength: 7, maxLength: 20, requiredClasses: ['letter', 'digit', 'symbol'] },
    });
  }, 120_000);

  it('configures a tenant: merges known keys, refuses unknown ones and bad values', async () => {
    const ok = await tenant(
      'configure',
      'acme-cloud',
      '--json',
      '{"phoneRegions":["CN","HK"],"delivery":{"sms":{"provider":"twilio"}}}',
    );
    expect(ok.stdout).toContain('updated tenant acme-cloud: phoneRegions, delivery');
    const shown = JSON.parse((await tenant('show', 'acme-cloud')).stdout);
    expect(shown.config.phoneRegions).toEqual(['CN', 'HK']);
    expect(shown.config.delivery).toEqual({ sms: { provider: 'twilio' } });
    expect(shown.config.allowedOrigins).toEqual(['https://console.acme.test']); // untouched
    await expect(tenant('configure', 'acme-cloud', '--json', '{"colour":"red"}')).rejects.toMatchObject({
      stderr: expect.stringContaining('invalid_input: colour (invalid_input)'),
    });
    await expect(tenant('configure', 'acme-cloud', '--json', '{"phoneRegions":["US"]}')).rejects.toMatchObject({
      stderr: expect.stringContaining('phoneRegions'),
    });
    // one validation for CLI and admin API (shared/src/tenant-config.ts): the offending field is named
    await expect(
      tenant('configure', 'acme-cloud', '--json', '{"branding":{"primaryColor":"red;background:url(x)"}}'),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('branding.primaryColor') });
  }, 150_000);

  it('lists MFA applications for review and refuses real-name status for an unknown account', async () => {
    expect(JSON.parse((await tenant('mfa-applications', 'acme-cloud')).stdout)).toEqual([]);
    await expect(
      tenant('real-name', 'acme-cloud', 'nobody_here', '--type', 'personal', '--name', 'X', '--id-number', '123456'),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('no account "nobody_here"'),
    });
  }, 90_000);

  it("links a new tenant's default agreements to the BFF's https origin (PUBLIC_URL), and warns without one", async () => {
    const { PUBLIC_URL: _url, ...noUrlEnv }: NodeJS.ProcessEnv = env;
    const create = (slug: string, extra: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'bff/src/cli/tenant.ts', 'create', slug], {
        cwd: root,
        env: { ...noUrlEnv, ...extra },
      });
    const agreementsOf = async (slug: string) =>
      JSON.parse((await tenant('show', slug)).stdout).config.agreements as Array<{
        key: string;
        url: Record<string, string>;
      }>;

    const linked = await create('linked-shop', { PUBLIC_URL: 'https://auth.acme.test' });
    expect(linked.stderr).not.toContain('warning');
    const absolute = await agreementsOf('linked-shop');
    expect(absolute.map((a) => a.url)).toEqual(
      ['registration', 'privacy', 'service'].map((doc) => ({
        'zh-CN': `https://auth.acme.test/legal/${doc}`,
        en: `https://auth.acme.test/legal/${doc}`,
      })),
    );
    // what GET /admin/v1/config shows can be written back as it is
    expect(tenantConfigPatch.safeParse({ agreements: absolute }).success).toBe(true);

    const unlinked = await create('path-shop', {});
    expect(unlinked.stderr).toContain('warning: the default agreement links are paths');
    expect(unlinked.stderr).toContain('PUBLIC_URL');
    expect((await agreementsOf('path-shop')).map((a) => a.url.en)).toEqual([
      '/legal/registration',
      '/legal/privacy',
      '/legal/service',
    ]);
  }, 120_000);

  it('refuses a duplicate slug, a bad slug and a bad origin with a clear message', async () => {
    await expect(tenant('create', 'acme-cloud')).rejects.toMatchObject({
      stderr: expect.stringContaining('exists already'),
    });
    await expect(tenant('create', 'Bad Slug!')).rejects.toMatchObject({ stderr: expect.stringContaining('slug') });
    await expect(tenant('create', 'okslug', '--origin', 'ftp://x')).rejects.toMatchObject({
      stderr: expect.stringContaining('origin'),
    });
    await expect(tenant('frobnicate')).rejects.toMatchObject({ code: 2 });
  }, 120_000);
});
