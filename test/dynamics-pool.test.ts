import { describe, expect, it } from 'vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/index.ts';
import { createNet, createGrad } from '../src/network/create.ts';
import { lossAndGrad } from '../src/network/gradient.ts';
import { GradientPool, trainGradientFlow } from '../src/dynamics/index.ts';

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
});
