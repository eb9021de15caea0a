/**
 * Issue 4 "What it must show" (PAPER.md s.5, s.8): on nets trained by gradient flow on the reduced
 * Sec. 5.1 setting at alpha = 0.01, the median bracket [certified lower, best attack] of the test
 * points contains a value within 10% of 1/sqrt(K) (p = 1) and of sqrt(2)/2 (p = 3).
 * Full: D = 200, n = 2000, h = 200, 100 test points; quick: D = 50, n = 400, h = 100, 10 points.
 * Logic in src/experiments/trainedRadius.ts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { radiusSettings, runTrainedRadius } from '../src/experiments/trainedRadius.ts';

export const check: ProofCheck = {
  id: 'trained-radius',
  title: 'Trained nets: the ReLU net breaks at ~1/sqrt(K), the p = 3 net at ~sqrt(2)/2',
  statement: 'On nets trained by GF on the reduced Sec. 5.1 setting at alpha = 0.01, the median bracket [certified lower, best attack] over test points contains a value within 10% of 1/sqrt(K) for p = 1 and within 10% of sqrt(2)/2 for p = 3.',
  source: '[derived] PAPER.md s.5 (exact radii of F, F^(p)), s.8; issue 4',
  quickCostSeconds: 70,
  validateConfig: (config) => void radiusSettings({ quick: true, config }),
  async run(ctx) {
    return runTrainedRadius(ctx);
  },
};
