/** Proof step of PAPER.md s.6 (skeletons): Minkowski: ||u + v||_p <= ||u||_p + ||v||_p for p >= 1 (equality for parallel u, v). Logic in src/bounds/proofSteps.ts. */
import type { ProofCheck } from '../src/checks/types.ts';
import { minkowskiStep } from '../src/bounds/proofSteps.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

export const check: ProofCheck = {
  id: 'proof-step-minkowski',
  title: 'Proof step: Minkowski',
  statement: 'Minkowski: ||u + v||_p <= ||u||_p + ||v||_p for p >= 1 (equality for parallel u, v). Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly (mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
  source: '[derived] PAPER.md s.6, proof skeletons',
  quickCostSeconds: 2,
  async run(ctx) {
    const cfg = requireKnownKeys('config', ctx.config, ['cases']);
    const cases = cfg.cases === undefined ? (ctx.quick ? 2000 : 20000) : requireInt('cases', cfg.cases, 1, 10000000);
    ctx.progress(0, 'running');
    const r = minkowskiStep(ctx.seed, cases);
    ctx.progress(1, 'done');
    return { ...r, seed: ctx.seed, config: { cases } };
  },
};
