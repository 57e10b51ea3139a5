/**
 * One step-up guard (bff/src/services/step-up.ts) for the account center and the MFA service: a
 * grant ends at `stepUpUntil` itself, and no service keeps its own copy of the rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/src/errors.ts';
import { requireStepUp, STEP_UP_SECONDS, stepUpActive } from '../src/services/step-up.ts';

const now = new Date('2026-03-01T12:00:00Z');
const deps = { clock: { now: () => now } };
const at = (offsetMs: number) => ({ stepUpUntil: new Date(now.getTime() + offsetMs) });

describe('the step-up guard', () => {
  it('lets a session with an unexpired grant through and refuses the rest with 403 step_up_required', () => {
    expect(stepUpActive(deps, at(1))).toBe(true);
    expect(() => requireStepUp(deps, at(STEP_UP_SECONDS * 1000))).not.toThrow();
    for (const auth of [{ stepUpUntil: null }, at(0), at(-1)]) {
      expect(stepUpActive(deps, auth)).toBe(false);
      let thrown: unknown;
      try {
        requireStepUp(deps, auth);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).code).toBe('step_up_required');
    }
  });

  it('is defined once: every service imports it rather than comparing stepUpUntil itself', () => {
    const dir = resolve(import.meta.dirname, '../src/services');
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
    expect(sources.filter((s) => /function requireStepUp\b/.test(s.text)).map((s) => s.file)).toEqual(['step-up.ts']);
    // the one place a grant's end is compared with the clock (sessions.ts only reads the stored grant)
    const compared = sources.filter((s) => /stepUpUntil\s*[<>]=?|[<>]=?\s*[a-z.]*stepUpUntil/i.test(s.text));
    expect(compared.map((s) => s.file)).toEqual(['step-up.ts']);
    for (const file of ['mfa.ts', 'security.ts'])
      expect(sources.find((s) => s.file === file)!.text).toMatch(/from '\.\/step-up\.ts'/);
  });
});
