/**
 * The provider registry (shared/src/delivery-providers.ts) is the one list of delivery providers:
 * names, channels, credentials, settings and the operator's environment variables. The sender
 * factories, the default provider per channel, the config rules and the table of docs/operating.md
 * ("Delivery providers") follow it;
 * no other module names a provider.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DELIVERY_CHANNELS,
  PROVIDER_NAMES,
  PROVIDERS,
  defaultProviderEnv,
  operatorEnvName,
  providersFor,
  requiredSettings,
  type AccountProviderName,
} from '../../shared/src/delivery-providers.ts';
import { senderFactories } from '../src/delivery/factories.ts';
import { createSenderResolver } from '../src/delivery/providers.ts';
import { backend, makeHarness, type Harness } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ACCOUNT_PROVIDERS = PROVIDER_NAMES.filter((p): p is AccountProviderName => p !== 'dev');
const envNames = (p: AccountProviderName) => Object.values(PROVIDERS[p].env as Record<string, string>);
const endpointNames = (p: AccountProviderName) => Object.values(PROVIDERS[p].endpointEnv as Record<string, string>);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? sourceFiles(path) : f.endsWith('.ts') ? [path] : [];
  });
}

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe(`the provider registry (${backend})`, () => {
  it("names the operator's environment variable of every credential and required setting", () => {
    for (const p of ACCOUNT_PROVIDERS) {
      for (const key of [...(PROVIDERS[p].credentials as readonly string[]), ...requiredSettings(p)])
        expect(operatorEnvName(p, key), `${p}.${key}`).toMatch(/^[A-Z][A-Z0-9_]+$/);
      // a variable belongs to one provider only
      for (const q of ACCOUNT_PROVIDERS)
        if (q !== p) for (const name of envNames(p)) expect(envNames(q)).not.toContain(name);
    }
  });

  it("the operator's account reads exactly the registry's variables: with none set, it names them all as missing", async () => {
    for (const p of ACCOUNT_PROVIDERS) {
      const sender = senderFactories[p]({ owner: 'operator' }, {}, {});
      const result = await sender.deliver({} as never);
      expect(result.ok).toBe(false);
      const reason = String(!result.ok && result.reason);
      expect(reason.startsWith(`${p}_not_configured:`), reason).toBe(true);
      const missing = reason.slice(`${p}_not_configured:`.length).split(',');
      const expected = [...(PROVIDERS[p].credentials as readonly string[]), ...requiredSettings(p)].map((k) =>
        operatorEnvName(p, k)!,
      );
      for (const name of expected) expect(missing, p).toContain(name);
      for (const name of missing) expect(envNames(p), p).toContain(name);
    }
  });

  it("docs/operating.md's delivery table lists every provider's variables and endpoint overrides", () => {
    const readme = readFileSync(resolve(ROOT, 'docs/operating.md'), 'utf8');
    for (const p of ACCOUNT_PROVIDERS) {
      const row = readme.split('\n').find((l) => l.startsWith('|') && l.includes(`"provider": "${p}"`));
      expect(row, p).toBeDefined();
      for (const name of envNames(p)) expect(row, `${p}: ${name}`).toContain(`\`${name}\``);
      for (const name of endpointNames(p)) expect(readme, `${p}: ${name}`).toContain(`\`${name}\``);
    }
    for (const channel of DELIVERY_CHANNELS) expect(defaultProviderEnv(channel)).toMatch(/^JD_[A-Z]+_PROVIDER$/);
    expect(readme).toContain('`JD_<CHANNEL>_PROVIDER`');
  });

  it('the default provider (JD_<CHANNEL>_PROVIDER) must serve the channel: another is no provider', async () => {
    const env = { RESEND_API_KEY: 're_operator_0123456789', RESEND_FROM: 'Ops <ops@example.test>' };
    const resolveFor = (dev: boolean, extra: Record<string, string>) =>
      createSenderResolver({ db: h.db, env: { ...env, ...extra }, dev, factories: senderFactories, ttlMs: 0 });
    for (const channel of DELIVERY_CHANNELS)
      for (const name of PROVIDER_NAMES.filter((p) => p !== 'dev' && !providersFor(channel).includes(p))) {
        const extra = { [defaultProviderEnv(channel)]: name };
        expect((await resolveFor(false, extra)(h.tenant.id, channel)).name, `${channel}=${name}`).toBe('none');
        // in development: the dev outbox, as with no default at all
        expect((await resolveFor(true, extra)(h.tenant.id, channel)).name).toBe('dev-outbox');
      }
    const email = resolveFor(false, { [defaultProviderEnv('email')]: 'resend' });
    expect((await email(h.tenant.id, 'email')).name).toBe('resend');
  });

  it('no module outside the registry, its factories and the adapters names a provider', () => {
    const allowed = new Set([
      'shared/src/delivery-providers.ts',
      'bff/src/delivery/factories.ts',
      ...ACCOUNT_PROVIDERS.map((p) => `bff/src/delivery/${p}.ts`),
    ]);
    // captcha providers (Tencent's among them) are a registry of their own: shared/src/captcha.ts
    const captcha = (path: string) =>
      path === 'shared/src/captcha.ts' || path.startsWith('bff/src/captcha/') || path === 'widget/src/parts/captcha.ts';
    const literal = new RegExp(`['"\`](${ACCOUNT_PROVIDERS.join('|')})['"\`]`);
    const offenders: string[] = [];
    for (const dir of ['bff/src', 'shared/src', 'widget/src'])
      for (const file of sourceFiles(resolve(ROOT, dir))) {
        const path = relative(ROOT, file);
        if (allowed.has(path) || captcha(path)) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (!/^\s*(\*|\/\/|\/\*)/.test(line) && literal.test(line))
              offenders.push(`${path}:${i + 1}: ${line.trim()}`);
          });
      }
    expect(offenders).toEqual([]);
  });
});
