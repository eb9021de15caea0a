/** Proof step of PAPER.md s.6 (skeletons): max over a^2 + ||b||_2^2 <= 1 of a + ||b||_p equals sqrt2 for p >= 2. Logic in src/bounds/proofSteps.ts. */
import type { ProofCheck } from '../src/checks/types.ts';
import { innerMaxStep } from '../src/bounds/proofSteps.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

export const check: ProofCheck = {
  id: 'proof-step-inner-max',
  title: 'Proof step: inner-max',
  statement: 'max over a^2 + ||b||_2^2 <= 1 of a + ||b||_p equals sqrt2 for p >= 2. Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly (mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
  source: '[derived] PAPER.md s.6, proof skeletons',
  quickCostSeconds: 2,
  async run(ctx) {
    const cfg = requireKnownKeys('config', ctx.config, ['cases']);
    const cases = cfg.cases === undefined ? (ctx.quick ? 20000 : 200000) : requireInt('cases', cfg.cases, 1, 10000000);
    ctx.progress(0, 'running');
    const r = innerMaxStep(ctx.seed, cases);
    ctx.progress(1, 'done');
    return { ...r, seed: ctx.seed, config: { cases } };
  },
};
