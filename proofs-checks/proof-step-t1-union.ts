/** Proof step of PAPER.md s.6 (skeletons): T1 skeleton: exact failure <= union of two Gaussian tails <= 2 exp(-D/(2 alpha^2 K)) (C = 2); Var(a - b) = K alpha^2/D. Logic in src/bounds/proofSteps.ts. */
import type { ProofCheck } from '../src/checks/types.ts';
import { t1UnionStep } from '../src/bounds/proofSteps.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

export const check: ProofCheck = {
  id: 'proof-step-t1-union',
  title: 'Proof step: T1 skeleton',
  statement: 'T1 skeleton: exact failure <= union of two Gaussian tails <= 2 exp(-D/(2 alpha^2 K)) (C = 2); Var(a - b) = K alpha^2/D. Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly (mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
  source: '[derived] PAPER.md s.6, proof skeletons',
  quickCostSeconds: 2,
  async run(ctx) {
    const cfg = requireKnownKeys('config', ctx.config, ['cases']);
    const cases = cfg.cases === undefined ? (ctx.quick ? 100 : 400) : requireInt('cases', cfg.cases, 1, 10000000);
    ctx.progress(0, 'running');
    const r = t1UnionStep(ctx.seed, cases);
    ctx.progress(1, 'done');
    return { ...r, seed: ctx.seed, config: { cases } };
  },
};
