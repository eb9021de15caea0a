/**
 * PAPER.md s.8, s.9: the authors' zero-start l2 PGD (2000 iterations, step 0.1) under-attacks the
 * p = 3 net: its radius is clearly larger than the strong attack's (trained net) and than the exact
 * radius (F^(3)), which are ~sqrt(2)/2. Margin: PGD > 1.05 x reference on most points and in median.
 * Nets: GF on the reduced Sec. 5.1 setting at alpha = 0.01 (quick: D = 50, n = 400, h = 100; 10 points).
 * Logic in src/experiments/pgdUndershoot.ts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { runPgdUndershoot, undershootSettings } from '../src/experiments/pgdUndershoot.ts';

export const check: ProofCheck = {
  id: 'paper-pgd-undershoot',
  title: "The authors' zero-start PGD over-reports the p = 3 robust radius",
  statement: "On the trained p = 3 net and on F^(3), the radius at which the authors' zero-start l2 PGD (2000 iterations, step 0.1) first breaks a test point is more than 5% above the strong attack's / exact radius (~sqrt(2)/2) on most points and in median.",
  source: '[derived] PAPER.md s.8 (PGD ~0.86 vs the provable maximum sqrt(2)/2), s.9',
  quickCostSeconds: 60,
  validateConfig: (config) => void undershootSettings({ quick: true, config }),
  async run(ctx) {
    return runPgdUndershoot(ctx);
  },
};
