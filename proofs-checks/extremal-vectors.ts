/** PAPER.md s.4: the attracting extremal vectors are mubar_+- for p = 1 (and 1 < p < 2) and every centre mu_k for p > 2. */
import type { ProofCheck } from '../src/checks/types.ts';
import { extremalConfig, runExtremalVectors } from '../src/extremal/checks.ts';

export const check: ProofCheck = {
  id: 'extremal-vectors',
  title: 'Attracting extremal vectors of the alignment flow: class averages for p < 2, every centre for p > 2',
  statement:
    'During the alignment phase a neuron direction follows Riemannian ascent (v > 0) or descent (v < 0) of ' +
    'G_p(u) = sum_i y_i relu(<x_i, u>)^p on the sphere. On noise-free orthonormal clusters the attracting extremal ' +
    'vectors are mubar_+ and mubar_- for p = 1 and 1 < p < 2, and every single centre mu_k for p > 2 ' +
    '("when p = 1 the average class centres are the extremal vectors attracting neurons ... when p = 3 the subclass ' +
    'centres become extremal vectors"). Checked with the extremal finder (flow from random starts and from the named candidates, merged end points, ' +
    'second-order test with one-sided curvatures at kinks, perturbation return) for p in {1, 1.5, 3, 4} on K = 10, ' +
    'K1 = 6 noise-free clusters (reduced coordinates, exact) and for p in {1, 3} on a noisy sample (alpha = 0.1). ' +
    '"holds" = in every case the attracting set is exactly the predicted one.',
  source: '[paper] Min & Vidal ICML 2024 Sec. 4; [derived] PAPER.md s.4',
  quickCostSeconds: 20,
  validateConfig: (config) => void extremalConfig({ seed: 0, quick: false, config, progress: () => undefined }),
  async run(ctx) {
    return runExtremalVectors(ctx);
  },
};
