/** PAPER.md s.4: for which p do class averages or single centres attract? The switch is at p = 2. */
import type { ProofCheck } from '../src/checks/types.ts';
import { runPSweep, sweepConfig } from '../src/extremal/checksP2.ts';

export const check: ProofCheck = {
  id: 'extremal-p-sweep',
  title: 'Sweep over p in [1, 5]: class averages attract for p < 2, single centres for p > 2',
  statement:
    'On noise-free clusters (K = 10, K1 = 6) the attracting extremal vectors of the alignment flow are the class ' +
    'averages mubar_+- for 1 <= p < 2, none (degenerate) at p = 2, and every centre mu_k for p > 2. The finder (random starts plus the named candidates, ' +
    'each end point classified by the second-order and perturbation-return tests) is run ' +
    'for both signs over a grid of p (denser near 2); "holds" = every grid point matches.',
  source: '[derived] PAPER.md s.4',
  quickCostSeconds: 25,
  validateConfig: (config) => void sweepConfig({ seed: 0, quick: false, config, progress: () => undefined }),
  async run(ctx) {
    return runPSweep(ctx);
  },
};
