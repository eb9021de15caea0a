/**
 * A snapshot of a pReLU net for many single-input evaluations with fixed weights (attacks, PAPER.md
 * s.8): the unit norms 1/||w_j|| are computed once, the dots u_j = <x~, w_j> use the four-unit
 * blocked kernel (kernels.ts), and the input gradient sums the active rows four at a time. Same
 * value and gradient as inputGrad (forward.ts, same conventions), about twice as fast at MNIST size.
 * The snapshot reads net.W, v, b, centre at every call but caches the norms: do not change W while
 * it is in use (make a new one).
 */
import { checkNet } from './create.ts';
import { unitDots } from './kernels.ts';
import { inverseNorms, powq, rowNorm, sampleFactor } from './activation.ts';
import type { PReluNet } from './types.ts';
import { ConfigError } from '../validate.ts';

export interface FrozenNet {
  readonly net: PReluNet;
  readonly dim: number;
  /** f(x) and, when g is given, df/dx into g (x and g of length D). */
  evaluate(x: Float64Array, g?: Float64Array): number;
}

export function freezeNet(net: PReluNet): FrozenNet {
  checkNet(net);
  const { D, h, p, W, v, centre } = net;
  const invNorm = inverseNorms(W, h, D, new Float64Array(h));
  const u = new Float64Array(h);
  const idx = new Int32Array(h);
  const coef = new Float64Array(h);
  const q = p - 1;
  const evaluate = (x: Float64Array, g?: Float64Array): number => {
    if (x.length !== D || (g !== undefined && g.length !== D)) throw new ConfigError('x', `Float64Array(${x.length})`, `Float64Arrays of length D = ${D}`);
    const b = net.hasBias ? net.b : 0;
    if (g) g.fill(0);
    const invS = sampleFactor(net.normalise, p, x, 0, D, centre);
    if (invS === 0) return b;
    unitDots(x, 0, 1, centre, W, h, D, u);
    let f = 0;
    let m = 0;
    for (let j = 0; j < h; j++) {
      const uj = u[j];
      if (!(uj > 0)) continue;
      const t = powq(uj * invNorm[j], q);
      f += v[j] * uj * t;
      idx[m] = j * D;
      coef[m] = v[j] * p * t * invS;
      m++;
    }
    f *= invS;
    if (g) {
      let t = 0;
      for (; t + 3 < m; t += 4) {
        const a0 = idx[t], a1 = idx[t + 1], a2 = idx[t + 2], a3 = idx[t + 3];
        const c0 = coef[t], c1 = coef[t + 1], c2 = coef[t + 2], c3 = coef[t + 3];
        for (let k = 0; k < D; k++) g[k] += c0 * W[a0 + k] + c1 * W[a1 + k] + c2 * W[a2 + k] + c3 * W[a3 + k];
      }
      for (; t < m; t++) {
        const a = idx[t], c = coef[t];
        for (let k = 0; k < D; k++) g[k] += c * W[a + k];
      }
      if (net.normalise && p !== 1) {
        const xn = rowNorm(x, 0, D, centre);
        const c = (-(p - 1) * f) / xn / xn;
        if (centre === null) for (let k = 0; k < D; k++) g[k] += c * x[k];
        else for (let k = 0; k < D; k++) g[k] += c * (x[k] - centre[k]);
      }
    }
    return f + b;
  };
  return { net, dim: D, evaluate };
}
