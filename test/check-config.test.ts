import { describe, expect, it } from 'vitest';
import { loadCheck } from '../src/checks/registry.ts';
import { validateCheckSections, validateRunConfig } from '../src/cli/config.ts';
import { listCheckIds } from '../src/checks/registry.ts';
import { ConfigError } from '../src/validate.ts';

/**
 * A config file's per-check section is validated before anything runs, by the same parser the
 * check uses inside run(): the settings a check accepts must pass, bad values must be named.
 */
const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
  ['T1-F-generalizes', { points: 3, nMax: 4096 }, { points: 0 }, 'checks.T1-F-generalizes.points'],
  ['T4-Fp-robust', { C: 0.25 }, { C: -1 }, 'checks.T4-Fp-robust.C'],
  ['proof-step-minkowski', { cases: 10 }, { cases: 1.5 }, 'checks.proof-step-minkowski.cases'],
  ['proof-step-t4-union', { points: 2, n: 1000 }, { n: 5 }, 'checks.proof-step-t4-union.n'],
  ['bound-can-fail', { numRuns: 5 }, { numRuns: 'many' }, 'checks.bound-can-fail.numRuns'],
  ['extremal-vectors', { starts: 8 }, { starts: 0 }, 'checks.extremal-vectors.starts'],
  ['alignment-p2-degenerate', { flatSamples: 100 }, { flatSamples: -3 }, 'checks.alignment-p2-degenerate.flatSamples'],
  ['extremal-p-sweep', { pValues: [1, 3] }, { pValues: [0.5] }, 'checks.extremal-p-sweep.pValues[0]'],
];

describe('per-check config sections', () => {
  const ids = listCheckIds();
  for (const [id, good, bad, field] of cases) {
    it(`${id}: accepts ${JSON.stringify(good)}, rejects ${JSON.stringify(bad)} naming ${field}`, async () => {
      const check = await loadCheck(id);
      expect(() => validateCheckSections(validateRunConfig({ checks: { [id]: good } }, ids), [check])).not.toThrow();
      let err: unknown;
      try {
        validateCheckSections(validateRunConfig({ checks: { [id]: bad } }, ids), [check]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
    });
  }
});
