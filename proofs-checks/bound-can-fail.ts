/**
 * The checks can fail: T1 with a deliberately wrong constant C = 200 must be reported violated, with
 * a minimal counterexample (fast-check shrinking of the parameter point) and its replay seed.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { findViolation } from '../src/montecarlo/propertyCheck.ts';
import { requireInt, requireKnownKeys, requireReal } from '../src/validate.ts';

function settings(config: Record<string, unknown>, quick: boolean): { C: number; numRuns: number } {
  const cfg = requireKnownKeys('', config, ['C', 'numRuns']);
  const C = cfg.C === undefined ? 200 : requireReal('C', cfg.C, { min: 0, minExclusive: true });
  const numRuns = cfg.numRuns === undefined ? (quick ? 60 : 300) : requireInt('numRuns', cfg.numRuns, 1, 100000);
  return { C, numRuns };
}

export const check: ProofCheck = {
  id: 'bound-can-fail',
  title: 'A wrong bound (T1 with C = 200) is refuted with a minimal counterexample',
  statement:
    'The T1 bound P(F(x) y > 0) >= 1 - 2 exp(-C D/(4 alpha^2 K)) with C = 200 is false (the candidate is C = 2). The property-based ' +
    'search (random points in T1\'s hypotheses, sequential Monte-Carlo with exact intervals at error 1e-4 per evaluation) must find a ' +
    'significant violation and shrink it to a minimal parameter point. "holds" means the machinery refuted the wrong bound.',
  source: '[derived] issue 5 (checks must be able to fail)',
  quickCostSeconds: 5,
  validateConfig: (config) => void settings(config, false),
  async run(ctx) {
    const { C, numRuns } = settings(ctx.config, ctx.quick);
    ctx.progress(0, 'searching');
    const rep = await findViolation('T1', { seed: ctx.seed, numRuns, C });
    ctx.progress(1, 'done');
    return {
      verdict: rep.violated ? 'holds' : 'violated',
      keyFigure: rep.violated
        ? `T1 with C = ${C} refuted at ${JSON.stringify(rep.counterexample)}: q in [${rep.evidence?.lower.toExponential(3)}, ${rep.evidence?.upper.toExponential(3)}] ` +
          `> bound ${rep.evidence?.bound.toExponential(3)}, i.e. the data allow C <= ${rep.evidence?.cMax.toPrecision(4)} < ${C} (${rep.numShrinks} shrinks, replay seed ${rep.replay?.seed})`
        : `T1 with C = ${C} NOT refuted in ${rep.evaluations} evaluations: the checks could not fail`,
      evidence: { ...rep },
      seed: ctx.seed,
      config: { C, numRuns },
    };
  },
};
