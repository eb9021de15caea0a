/** T1 (PAPER.md s.6): P(F(x) y > 0) >= 1 - 2 exp(-C D/(4 alpha^2 K)), held against Monte-Carlo with C = 2. */
import type { ProofCheck } from '../src/checks/types.ts';
import { THEOREMS } from '../src/bounds/registry.ts';
import { logT1Failure } from '../src/bounds/exact.ts';
import { runTheoremCheck, theoremSettings } from '../src/montecarlo/theoremReport.ts';

export const check: ProofCheck = {
  id: 'T1-F-generalizes',
  title: THEOREMS.T1.title,
  statement:
    THEOREMS.T1.statement +
    ' Checked with the candidate C = 2 [derived] over a grid of (D, K, K1, alpha) with failure probabilities in ~[1e-4, 0.5]: ' +
    'exact Clopper-Pearson intervals, sequential looks with Bonferroni-spent error, family-wise 95% over the grid. ' +
    '"holds" = no point significantly violates the bound AND at least a quarter of the points are non-vacuous and confirmed ' +
    '(interval entirely below the bound, so a violation there would have been detected). The exact failure probability ' +
    '(1-D integral) must lie in every interval.',
  source: '[paper] Min & Vidal ICML 2024 Thm (F generalises); candidate constant [derived] PAPER.md s.6',
  quickCostSeconds: 15,
  validateConfig: (config) => void theoremSettings('T1', config, false),
  async run(ctx) {
    const { result, raw } = await runTheoremCheck('T1', ctx, { exact: (p) => Math.exp(logT1Failure(p.D, p.K, p.K1, p.alpha)) });
    if (raw.exactAgreement && raw.exactAgreement.outside > 0 && result.verdict !== 'violated') {
      result.verdict = 'violated';
      result.keyFigure = `exact T1 failure probability outside the family-wise interval at ${raw.exactAgreement.outside} points; ` + result.keyFigure;
    }
    return result;
  },
};
