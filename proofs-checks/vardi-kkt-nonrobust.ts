/**
 * For n << d points of norm sqrt(d) with random labels, a depth-2 ReLU net trained by gradient flow (exp loss) converges in direction to a KKT point of the max-margin problem, and every such point is flipped by a perturbation of size O(sqrt(d/n)) along sum_i y_i x_i: the median flip radius has log-log slope at most 1/2 against d/n, far below the robust construction.
 * Logic in src/vardi/checkVardi.ts. Quick: d in {100,200,400}, n in {10..100} (n <= d/4, 8 cases), h = 20, exp loss to L < 1e-3, rtol 1e-3; full: 13 cases up to d = 1600, h = 50, L < 1e-5, with and without hidden biases.
 * KKT trace (the residual with Clarke subgradients at ReLU kinks, src/vardi/kkt.ts): quick d = 400, n = 40, no biases, trained to L < 1e-30;
 * full d = 800, n = 100, h = 50, without biases to L < 1e-30 and with hidden biases to L < 1e-12.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { runVardiKktNonrobust } from '../src/vardi/checkVardi.ts';

export const check: ProofCheck = {
  id: 'vardi-kkt-nonrobust',
  title: 'Vardi et al. 2022: GF-trained ReLU nets on nearly orthogonal data approach KKT points and flip at radius ~ sqrt(d/n)',
  statement: 'For n << d points of norm sqrt(d) with random labels, a depth-2 ReLU net trained by gradient flow (exp loss) converges in direction to a KKT point of the max-margin problem, and every such point is flipped by a perturbation of size O(sqrt(d/n)) along sum_i y_i x_i: the median flip radius has log-log slope at most 1/2 against d/n, far below the robust construction.',
  source: '[paper] Vardi, Yehudai, Shamir 2022 (PAPER.md s.6)',
  quickCostSeconds: 20,
  run: (ctx) => runVardiKktNonrobust(ctx),
};
