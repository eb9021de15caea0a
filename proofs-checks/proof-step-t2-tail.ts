/** Proof step of PAPER.md s.6 (skeletons): T2 skeleton: exact attacked-correct probability <= P(N(0, K alpha^2/D) > rho) <= exp(-D rho^2/(2 alpha^2 K)) (C = 1/2). Logic in src/bounds/proofSteps.ts. */
import type { ProofCheck } from '../src/checks/types.ts';
import { t2TailStep } from '../src/bounds/proofSteps.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

export const check: ProofCheck = {
  id: 'proof-step-t2-tail',
  title: 'Proof step: T2 skeleton',
  statement: 'T2 skeleton: exact attacked-correct probability <= P(N(0, K alpha^2/D) > rho) <= exp(-D rho^2/(2 alpha^2 K)) (C = 1/2). Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly (mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
  source: '[derived] PAPER.md s.6, proof skeletons',
  quickCostSeconds: 2,
  async run(ctx) {
    const cfg = requireKnownKeys('config', ctx.config, ['cases']);
    const cases = cfg.cases === undefined ? (ctx.quick ? 100 : 400) : requireInt('cases', cfg.cases, 1, 10000000);
    ctx.progress(0, 'running');
    const r = t2TailStep(ctx.seed, cases);
    ctx.progress(1, 'done');
    return { ...r, seed: ctx.seed, config: { cases } };
  },
};
