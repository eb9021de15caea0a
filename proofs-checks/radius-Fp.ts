/**
 * Certified exact minimal l2 radius of the pReLU limit F^(p), any p >= 1 (PAPER.md s.5; issue 4):
 * brackets of width < 1e-6 from the branch and bound of src/robustness/exactFp.ts (certificate
 * alone, without the cheap bound), checked at noise-free centres against sqrt(2)/2 (p >= 2) and
 * 1/sqrt(1 + m^(2/p-1)) (p < 2), and at noisy points against witnesses, perturbations just
 * inside the lower bound and an independent search. Logic in src/robustness/certifyRadiusChecks.ts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { runRadiusFpCheck } from '../src/robustness/certifyRadiusChecks.ts';

export const check: ProofCheck = {
  id: 'radius-Fp',
  title: 'Certified exact l2 radius of the pReLU limit F^(p)',
  statement:
    'At a noise-free centre the minimal l2 perturbation flipping F^(p) is sqrt(2)/2 for p >= 2 and 1/sqrt(1 + m^(2/p - 1)) for 1 <= p < 2 ' +
    '(m = number of other-class clusters); at any point the certified bracket [lower, upper] has width < 1e-6, its witness flips, and no attack beats lower.',
  source: '[derived] PAPER.md s.5 (centre radii; the p < 2 formula is [derived] and re-derived here by the general solver)',
  quickCostSeconds: 30,
  async run(ctx) {
    const r = runRadiusFpCheck(ctx.seed, ctx.quick, (f) => ctx.progress(f, 'radius-Fp'));
    const ok =
      r.centreMaxError < 1e-6 &&
      r.maxWidth < 1e-6 &&
      r.notConverged === 0 &&
      r.witnessFailures === 0 &&
      r.innerFlipCount === 0 &&
      r.fastAboveUpper === 0 &&
      r.searchBelowLower === 0;
    const { rows, ...evidence } = r;
    return {
      verdict: ok ? 'holds' : 'violated',
      keyFigure: `centres: max |bracket - formula| = ${r.centreMaxError.toExponential(1)} over ${r.centreCases} cases; noisy: max width ${r.maxWidth.toExponential(1)}, search below lower ${r.searchBelowLower}/${r.searched} (min search - lower = ${r.minSearchMinusLower.toExponential(1)})`,
      evidence,
      tables: [
        {
          title: 'Certified brackets at noisy points (first rows) and the independent search',
          columns: ['K', 'K1', 'p', 'sigma', 'lower', 'upper', 'search', 'nodes'],
          rows,
        },
      ],
      seed: ctx.seed,
      config: {},
    };
  },
};
