/**
 * PAPER.md s.4 [paper]: for p = 1 the class averages mubar_+- are the attracting extremal vectors,
 * so after training every top-10%-by-contribution neuron points along mubar_+ or mubar_-.
 * Full run: the reduced Sec. 5.1 setting (D = 200, n = 2000, h = 200, init 1e-7, alpha = 0.05, mean
 * exp loss, to loss < 1e-3). Quick run: D = 50, n = 400, h = 100, otherwise the same.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { REDUCED_SETTING, runAlignmentCheck, validateAlignmentConfig } from '../src/dynamics/experiments/alignmentCheck.ts';

const BASE = { ...REDUCED_SETTING, p: 1 };

export const check: ProofCheck = {
  id: 'alignment-relu',
  title: 'ReLU (p = 1): the top neurons align with the class averages',
  statement: 'When p = 1 the average class centres are the extremal vectors attracting neurons: every top-10% neuron by contribution has cosine > 0.95 with mubar_+ or mubar_- after gradient flow to loss < 1e-3.',
  source: '[paper] PAPER.md s.4, s.8',
  quickCostSeconds: 30,
  validateConfig: (c) => validateAlignmentConfig(c, BASE),
  async run(ctx) {
    return runAlignmentCheck(ctx, BASE, { D: 50, n: 400, h: 100 });
  },
};
