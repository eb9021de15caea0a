/** Proof step of PAPER.md s.6 (skeletons): M*(delta) = min_{||d|| <= 1} [1 + r<d, mu_k> - ||(r<d, mu_l>)_l||_p] = delta/sqrt2 with r = (sqrt2 - delta)/2. Logic in src/bounds/proofSteps.ts. */
import type { ProofCheck } from '../src/checks/types.ts';
import { mStarStep } from '../src/bounds/proofSteps.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

export const check: ProofCheck = {
  id: 'proof-step-mstar',
  title: 'Proof step: mstar',
  statement: 'M*(delta) = min_{||d|| <= 1} [1 + r<d, mu_k> - ||(r<d, mu_l>)_l||_p] = delta/sqrt2 with r = (sqrt2 - delta)/2. Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly (mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
  source: '[derived] PAPER.md s.6, proof skeletons',
  quickCostSeconds: 2,
  async run(ctx) {
    const cfg = requireKnownKeys('config', ctx.config, ['cases']);
    const cases = cfg.cases === undefined ? (ctx.quick ? 200 : 2000) : requireInt('cases', cfg.cases, 1, 10000000);
    ctx.progress(0, 'running');
    const r = mStarStep(ctx.seed, cases);
    ctx.progress(1, 'done');
    return { ...r, seed: ctx.seed, config: { cases } };
  },
};
