import { describe, expect, it } from 'vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/index.ts';
import { createNet, createGrad } from '../src/network/create.ts';
import { lossAndGrad } from '../src/network/gradient.ts';
import { createWorkspace } from '../src/network/workspace.ts';
import { wasmKernelsAvailable, type KernelBackend } from '../src/network/kernels.ts';
import { GradientPool, trainGradientFlow } from '../src/dynamics/index.ts';
import type { NetGrad } from '../src/network/types.ts';

/** max |a - b| over dL/dW and dL/dv, relative to max |b| over dL/dW. */
function gradErr(a: NetGrad, b: NetGrad): number {
  let scale = 0, d = 0;
  for (let i = 0; i < b.W.length; i++) {
    scale = Math.max(scale, Math.abs(b.W[i]));
    d = Math.max(d, Math.abs(a.W[i] - b.W[i]));
  }
  for (let j = 0; j < b.v.length; j++) d = Math.max(d, Math.abs(a.v[j] - b.v[j]));
  return d / scale;
}

describe('worker pool over the samples', () => {
  it('loss and gradient match the single-thread sums to 1e-12; GF trajectories agree to 1e-9', async () => {
    const rng = new Rng(21);
    const mix = new OrthonormalMixture({ D: 12, K: 4, K1: 2, alpha: 0.1 });
    const data = mix.sample(101, rng);
    const net = createNet({ D: 12, h: 6, p: 3, init: 'gaussian', scale: 0.3 }, rng);
    const loss = { loss: 'exp', reduction: 'mean' } as const;
    const pool = await GradientPool.create(net, data, loss, 2);
    try {
      expect(pool.threads).toBe(2);
      const g1 = createGrad(net), g2 = createGrad(net);
      const L1 = lossAndGrad(net, data.X, data.y, data.n, loss, g1);
      const L2 = pool.lossAndGrad(net, g2);
      expect(Math.abs(L1 - L2)).toBeLessThan(1e-12 * L1);
      let scale = 0, d = 0;
      for (let i = 0; i < g1.W.length; i++) {
        scale = Math.max(scale, Math.abs(g1.W[i]));
        d = Math.max(d, Math.abs(g1.W[i] - g2.W[i]));
      }
      for (let j = 0; j < g1.v.length; j++) d = Math.max(d, Math.abs(g1.v[j] - g2.v[j]));
      expect(d).toBeLessThan(1e-12 * scale);
      const a = trainGradientFlow({ net, data, loss, tEnd: 20, rtol: 1e-8, atol: 1e-8, saveTimes: [20] });
      const b = trainGradientFlow({ net, data, loss, tEnd: 20, rtol: 1e-8, atol: 1e-8, saveTimes: [20], pool });
      expect(b.steps).toBeGreaterThan(0);
      expect(Math.abs(a.finalLoss - b.finalLoss)).toBeLessThan(1e-9 * a.finalLoss);
    } finally {
      await pool.close();
    }
  });

  // Issue 7: each backend's workers use that backend's kernels; pooled equals single-thread on the
  // same kernels, and across kernels, to 1e-12 (sums over two slices vs one pass: rounding only).
  // The shape crosses the wasm 128-row block (n = 301 -> slices of 150 and 151), with odd D and h,
  // centring and normalisation.
  it('pooled equals single-thread to 1e-12 on the wasm-simd and the js kernels', async () => {
    const rng = new Rng(22);
    const D = 37, h = 13;
    const mix = new OrthonormalMixture({ D, K: 5, K1: 2, alpha: 0.2 });
    const data = mix.sample(301, rng);
    const centre = new Float64Array(D).fill(0.01);
    const net = createNet({ D, h, p: 3, init: 'gaussian', scale: 0.3, centre, normalise: true }, rng);
    const loss = { loss: 'logistic', reduction: 'mean' } as const;
    const backends: KernelBackend[] = wasmKernelsAvailable() ? ['wasm-simd', 'js'] : ['js'];
    const single = new Map<KernelBackend, NetGrad>();
    for (const k of backends) {
      const g = createGrad(net);
      const L = lossAndGrad(net, data.X, data.y, data.n, loss, g, createWorkspace(net, data.n, { kernels: k }));
      single.set(k, g);
      const pool = await GradientPool.create(net, data, loss, 2, 600_000, k);
      try {
        expect(pool.kernels).toBe(k);
        const gp = createGrad(net);
        const Lp = pool.lossAndGrad(net, gp);
        expect(Math.abs(L - Lp)).toBeLessThan(1e-12 * L);
        expect(gradErr(gp, g)).toBeLessThan(1e-12);
      } finally {
        await pool.close();
      }
    }
    if (backends.length === 2) expect(gradErr(single.get('wasm-simd')!, single.get('js')!)).toBeLessThan(1e-12);
  });
});

