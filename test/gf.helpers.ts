/**
 * Shared by the Gauss solver tests (test/solver-gauss.test.ts, test/solver-gauss-frozen.test.ts): the
 * small mixture problem of test/dynamics.test.ts and the balance residual computed independently of
 * src/diagnostics.
 */
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/index.ts';
import { createNet } from '../src/network/create.ts';

export function gfProblem(p: number, seed: number, scale: number) {
  const rng = new Rng(seed);
  const mix = new OrthonormalMixture({ D: 12, K: 4, K1: 2, alpha: 0.1 });
  const data = mix.sample(80, rng);
  const net = createNet({ D: 12, h: 10, p, init: 'gaussian', scale }, rng);
  return { data, net };
}

export const meanExp = { loss: 'exp', reduction: 'mean' } as const;

/** max_j |(v_j^2 - ||w_j||^2) - initial_j| / max_j (v_j^2 + ||w_j||^2) between two plain states. */
export function balanceResidual(y0: Float64Array, y: Float64Array, D: number, h: number): number {
  let worst = 0, scale = 0;
  for (let j = 0; j < h; j++) {
    let a = y0[h * D + j] ** 2, b = y[h * D + j] ** 2;
    let sb = b;
    for (let k = 0; k < D; k++) {
      a -= y0[j * D + k] ** 2;
      b -= y[j * D + k] ** 2;
      sb += y[j * D + k] ** 2;
    }
    worst = Math.max(worst, Math.abs(b - a));
    scale = Math.max(scale, sb);
  }
  return worst / scale;
}
