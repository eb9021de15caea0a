/**
 * For K nearly orthogonal clusters (unit-norm means, noise N(0, I/d)), N(x) = sum_k y_k relu(<mu_k, x> - 1/2) has certified radius 1/2 - O(sqrt(log K / d)) at fresh points: Theta(1), not shrinking with K.
 * Logic in src/vardi/checkFrei.ts. Quick: d = 400, K in {4,9,16,25}, 8 test points per cluster; full: d in {400, 1600}, 40 per cluster.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { runFreiRobustNetExists } from '../src/vardi/checkFrei.ts';

export const check: ProofCheck = {
  id: 'frei-robust-net-exists',
  title: 'Frei et al. 2023: a ReLU net robust to radius Theta(1) exists for the clusters',
  statement: 'For K nearly orthogonal clusters (unit-norm means, noise N(0, I/d)), N(x) = sum_k y_k relu(<mu_k, x> - 1/2) has certified radius 1/2 - O(sqrt(log K / d)) at fresh points: Theta(1), not shrinking with K.',
  source: '[paper] Frei et al. 2023 (PAPER.md s.6); [derived] closed-form certificate in robustConstruction.ts',
  quickCostSeconds: 4,
  run: (ctx) => runFreiRobustNetExists(ctx),
};
