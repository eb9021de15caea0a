/** Proof step of PAPER.md s.6 (skeletons): Gaussian tail: P(N(0, s^2) > t) <= exp(-t^2/(2 s^2)) for t >= 0. Logic in src/bounds/proofSteps.ts. */
import type { ProofCheck } from '../src/checks/types.ts';
import { gaussianTailStep } from '../src/bounds/proofSteps.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

export const check: ProofCheck = {
  id: 'proof-step-gaussian-tail',
  title: 'Proof step: Gaussian tail',
  statement: 'Gaussian tail: P(N(0, s^2) > t) <= exp(-t^2/(2 s^2)) for t >= 0. Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly (mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
  source: '[derived] PAPER.md s.6, proof skeletons',
  quickCostSeconds: 2,
  async run(ctx) {
    const cfg = requireKnownKeys('config', ctx.config, ['cases']);
    const cases = cfg.cases === undefined ? (ctx.quick ? 400 : 2000) : requireInt('cases', cfg.cases, 1, 10000000);
    ctx.progress(0, 'running');
    const r = gaussianTailStep(ctx.seed, cases);
    ctx.progress(1, 'done');
    return { ...r, seed: ctx.seed, config: { cases } };
  },
};
