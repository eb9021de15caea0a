/**
 * Exact minimal l2 radius of the ReLU limit F (PAPER.md s.5; issue 4): the closed form
 * r = min(a/sqrt(K1), (a - b)/sqrt(K)) [derived in src/robustness/exactF.ts] at noise-free centres
 * (= 1/sqrt(K)) and at noisy points, tested by its witness, by perturbations just inside r and by
 * an independent derivative-free search. Logic in src/robustness/certifyRadiusChecks.ts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { runRadiusFCheck } from '../src/robustness/certifyRadiusChecks.ts';

export const check: ProofCheck = {
  id: 'radius-F',
  title: 'Exact l2 radius of the ReLU limit F',
  statement:
    'The minimal l2 perturbation flipping F(x) = relu(<x,mu_+>) - relu(<x,mu_->) at a correctly classified point of class y is ' +
    'min(a/sqrt(K_y), (a - b)/sqrt(K)) with a, b the own- and other-class sums of <x, mu_k>; at a noise-free centre it is 1/sqrt(K) for every split.',
  source: '[derived] PAPER.md s.5 (exact radius at centres); closed form at any point derived in src/robustness/exactF.ts',
  quickCostSeconds: 8,
  async run(ctx) {
    const r = runRadiusFCheck(ctx.seed, ctx.quick, (f) => ctx.progress(f, 'radius-F'));
    const ok =
      r.centreMaxError < 1e-12 && r.witnessFailures === 0 && r.innerFlipCount === 0 && r.searchBelowExact === 0 && r.searchWithin1e3 >= 0.8 * r.searched;
    return {
      verdict: ok ? 'holds' : 'violated',
      keyFigure: `centres: max |r - 1/sqrt(K)| = ${r.centreMaxError.toExponential(1)} (K = 3..40, all K1); ${r.points} noisy points: ${r.witnessFailures} witness failures, ${r.innerFlipCount} flips inside r(1-1e-9), search below r ${r.searchBelowExact}/${r.searched}`,
      evidence: { ...r },
      tables: [
        {
          title: 'Exact radius of F at noisy points, by noise level sigma = alpha/sqrt(D)',
          columns: ['sigma', 'points', 'median radius', 'min radius'],
          rows: r.bySigma.map((b) => [b.sigma, b.n, b.median, b.min]),
        },
      ],
      seed: ctx.seed,
      config: {},
    };
  },
};
