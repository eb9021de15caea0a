/**
 * ICML 2025 Prop. 1 (PAPER.md s.5): no classifier defends radius sqrt(2)/2 with accuracy above
 * 1 - min(K1, K2)/K. Checked through the midpoint (coupling) argument on exact radii of F and
 * certified F^(p) decisions, and against measured robust accuracy of F, F^(1.5), F^(3) and the
 * Bayes rule on noise-free and noisy data. Logic and the argument: src/robustness/certifyOptimal.ts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { isExactClassifier, runOptimalCheck, type OptimalConfig } from '../src/robustness/certifyOptimal.ts';

const CONFIGS: OptimalConfig[] = [
  { K: 10, K1: 6, sigma: 0 },
  { K: 10, K1: 6, sigma: 0.05 },
  { K: 10, K1: 5, sigma: 0.1 },
  { K: 4, K1: 1, sigma: 0.1 },
  { K: 20, K1: 10, sigma: 0.03 },
];

export const check: ProofCheck = {
  id: 'optimal-radius',
  title: 'No classifier is robust at sqrt(2)/2 beyond accuracy 1 - min(K1,K2)/K',
  statement:
    'For the orthonormal mixture, no classifier has robust accuracy above 1 - min(K1, K2)/K at l2 radius sqrt(2)/2 ' +
    '(distinct centres are sqrt(2) apart; the midpoint of a coupled pair defeats one of the two).',
  source: '[paper] Min & Vidal ICML 2025, Prop. 1; PAPER.md s.5 "Optimality"',
  quickCostSeconds: 25,
  async run(ctx) {
    const rows = runOptimalCheck(ctx.seed, ctx.quick, CONFIGS, (f) => ctx.progress(f, 'optimal-radius'));
    const exact = rows.filter((r) => isExactClassifier(r.classifier));
    // Bonferroni: each row's 99% interval; a violation needs the lower end above the bound.
    const violations = exact.filter((r) => r.pairsBothRobust > 0 || r.ciLower > r.bound + 1e-12);
    const bayesAbove = rows.filter((r) => !isExactClassifier(r.classifier) && r.ciLower > r.bound + 1e-12);
    const maxExcess = Math.max(...exact.map((r) => r.accuracy - r.bound));
    const bayesExcess = Math.max(...rows.filter((r) => !isExactClassifier(r.classifier)).map((r) => r.accuracy - r.bound));
    const closest = exact.reduce((a, b) => (b.accuracy - b.bound > a.accuracy - a.bound ? b : a));
    return {
      verdict: violations.length > 0 ? 'violated' : bayesAbove.length > 0 ? 'inconclusive' : 'holds',
      keyFigure:
        `max (exact robust accuracy - bound) at sqrt(2)/2 = ${maxExcess.toFixed(3)} (F, F^(1.5), F^(3)); Bayes (midpoint attacks) ${bayesExcess.toFixed(3)}; ` +
        `coupled pairs with both points robust: ${exact.reduce((a, r) => a + r.pairsBothRobust, 0)}; closest: ${closest.classifier} K=${closest.K} K1=${closest.K1} sigma=${closest.sigma} ` +
        `accuracy ${closest.accuracy.toFixed(3)} vs bound ${closest.bound.toFixed(3)}`,
      evidence: { rows, violations: violations.length, bayesAttackOnlyAbove: bayesAbove.length, maxExactExcess: maxExcess, bayesExcess },
      tables: [
        {
          title: 'Robust accuracy at sqrt(2)/2 (exact for F, F^(p); midpoint-attack upper estimate for Bayes) vs the bound',
          columns: ['K', 'K1', 'sigma', 'classifier', 'bound', 'n', 'robust acc.', 'CP99 lower', 'CP99 upper', 'undecided', 'acc. at r-0.05', 'pairs both robust / pairs'],
          rows: rows.map((r) => [r.K, r.K1, r.sigma, r.classifier, r.bound, r.n, r.accuracy, r.ciLower, r.ciUpper, r.undecided, r.accuracyBelow, `${r.pairsBothRobust}/${r.pairs}`]),
        },
      ],
      seed: ctx.seed,
      config: {},
    };
  },
};
