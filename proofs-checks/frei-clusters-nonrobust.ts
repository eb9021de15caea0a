/**
 * On K clusters with nearly orthogonal means (unit scale), a two-layer ReLU net trained by gradient flow generalises but is flipped at radius O(1/sqrt(K)): the median flip radius along sum_i y_i x_i has log-log slope -1/2 against K, while a robust net of radius Theta(1) exists.
 * Logic in src/vardi/checkFrei.ts. Quick: d = 400, K in {4,9,16,25}, 5 training points per cluster, 4 test points per cluster, h = 20, L < 1e-3; full: d = 1600, 10/20 per cluster, h = 50, L < 1e-5.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { runFreiClustersNonrobust } from '../src/vardi/checkFrei.ts';

export const check: ProofCheck = {
  id: 'frei-clusters-nonrobust',
  title: 'Frei et al. 2023: GF-trained ReLU nets on K nearly orthogonal clusters flip at radius O(1/sqrt(K))',
  statement: 'On K clusters with nearly orthogonal means (unit scale), a two-layer ReLU net trained by gradient flow generalises but is flipped at radius O(1/sqrt(K)): the median flip radius along sum_i y_i x_i has log-log slope -1/2 against K, while a robust net of radius Theta(1) exists.',
  source: '[paper] Frei et al. 2023 (PAPER.md s.6)',
  quickCostSeconds: 9,
  run: (ctx) => runFreiClustersNonrobust(ctx),
};
