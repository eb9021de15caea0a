/**
 * PAPER.md s.4 [paper]: for p > 2 every centre mu_k is an attracting extremal vector, so after
 * training each centre has a top neuron along it and no top neuron sits nearer a class average.
 * p = 3 by default (config p = 4 also meaningful). Full run: the reduced Sec. 5.1 setting; quick
 * run: D = 50, n = 400, h = 200 (h kept at 200 so the top 10% has 20 neurons for 10 centres).
 * p = 2 (degenerate, PAPER.md s.4) is run on the same data and reported in evidence.otherExponents.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { REDUCED_SETTING, runAlignmentCheck, validateAlignmentConfig } from '../src/dynamics/experiments/alignmentCheck.ts';

const BASE = { ...REDUCED_SETTING, p: 3 };

export const check: ProofCheck = {
  id: 'alignment-prelu',
  title: 'pReLU (p = 3): the top neurons align with the individual cluster centres',
  statement: 'When p = 3 the subclass centres become extremal vectors: each of the K centres has a top-10% neuron with cosine > 0.95 and no top neuron is closer to a class average than to a centre, after gradient flow to loss < 1e-3.',
  source: '[paper] PAPER.md s.4, s.8',
  quickCostSeconds: 25,
  validateConfig: (c) => validateAlignmentConfig(c, BASE),
  async run(ctx) {
    return runAlignmentCheck(ctx, BASE, { D: 50, n: 400, h: 200 }, ctx.config.p === undefined ? [2] : []);
  },
};
