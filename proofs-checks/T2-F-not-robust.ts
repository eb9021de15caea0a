/** T2 (PAPER.md s.6): the attack -y ((1 + rho)/sqrt K) d0 leaves F correct with probability <= 2 exp(-C D rho^2/(alpha^2 K)); C = 1/2. */
import type { ProofCheck } from '../src/checks/types.ts';
import { THEOREMS } from '../src/bounds/registry.ts';
import { logT2Probability } from '../src/bounds/exact.ts';
import { runTheoremCheck, theoremSettings } from '../src/montecarlo/theoremReport.ts';

export const check: ProofCheck = {
  id: 'T2-F-not-robust',
  title: THEOREMS.T2.title,
  statement:
    THEOREMS.T2.statement +
    ' Checked with the candidate C = 1/2 [derived] over a grid of (D, K, K1, alpha, rho) with attacked-correct probabilities in ~[1e-4, 0.5] ' +
    '(exact CP intervals, Bonferroni-spent sequential looks, family-wise 95%). "holds" = no significant violation and at least a quarter ' +
    'of the points confirmed below a non-vacuous bound. The exact probability (1-D integral, PAPER.md s.6) must lie in every interval, ' +
    'otherwise the verdict is "violated".',
  source: '[paper] Min & Vidal ICML 2024 Thm (F not robust); d0 and candidate constant [derived] PAPER.md s.6',
  quickCostSeconds: 15,
  validateConfig: (config) => void theoremSettings('T2', config, false),
  async run(ctx) {
    const { result, raw } = await runTheoremCheck('T2', ctx, {
      exact: (p) => Math.exp(logT2Probability(p.D, p.K, p.K1, p.alpha, p.rho as number)),
    });
    if (raw.exactAgreement && raw.exactAgreement.outside > 0 && result.verdict !== 'violated') {
      result.verdict = 'violated';
      result.keyFigure = `exact T2 probability outside the family-wise interval at ${raw.exactAgreement.outside} points; ` + result.keyFigure;
    }
    return result;
  },
};
