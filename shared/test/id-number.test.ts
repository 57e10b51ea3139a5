/**
 * The ID-number rule (shared/src/rules/id-number.ts) is one module without zod: the server's
 * schemas and <jd-login>'s lost-device form both use it, and the widget's bundle stays free of zod.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mfaApplicationBody } from '../src/api.ts';
import { adminRealNameBody } from '../src/admin-api.ts';
import { isIdNumber, normalizeIdNumber } from '../src/rules/id-number.ts';
import { DEFAULT_PASSWORD_POLICY } from '../src/rules/password.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const VALID = ['11010119900307123X', '11010119900307123x', ' 110101199003071234 ', 'E12345678', '91350100M000100Y43'];
const INVALID = ['', '12345', '12-34-56', '1101 0119 9003 0712', 'A'.repeat(33), '身份证号码123456'];

describe('the ID-number rule', () => {
  it('accepts letters and digits, 6 to 32, around spaces; refuses the rest', () => {
    for (const v of VALID) expect(isIdNumber(v), v).toBe(true);
    for (const v of INVALID) expect(isIdNumber(v), v).toBe(false);
    expect(normalizeIdNumber(' 11010119900307123x ')).toBe('11010119900307123X');
  });

  it('is the rule of the server schemas too (lost-device application, real-name record)', () => {
    const application = mfaApplicationBody({ passwordPolicy: DEFAULT_PASSWORD_POLICY, phoneRegions: ['CN'] });
    for (const idNumber of [...VALID, ...INVALID]) {
      const applied = application.safeParse({
        type: 'personal',
        name: '张三',
        phone: { region: 'CN', number: '13800138000' },
        idNumber,
        idPhoto: { data: 'aGVsbG8=' },
      });
      const recorded = adminRealNameBody.safeParse({ type: 'personal', name: '张三', idNumber });
      expect([applied.success, recorded.success], idNumber).toEqual([isIdNumber(idNumber), isIdNumber(idNumber)]);
    }
  });

  it('<jd-login> imports it (no copy of the pattern), and its bundle has no zod', async () => {
    const result = await build({
      entryPoints: [resolve(ROOT, 'widget/src/elements/jd-login.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('shared/src/rules/id-number.ts');
    expect(inputs.filter((f) => /node_modules\/zod\/|shared\/src\/api\.ts$/.test(f))).toEqual([]);
  });
});
