/**
 * Cross-check of the attacks and the certified lower bound against the exact F^(p) radii of
 * src/robustness/exactFp.ts (engineer B1's certified brackets, PAPER.md s.5) at noisy points in the
 * K-dimensional reduction: the strong attack is never below the exact radius and lands within 2% of
 * it; the certified lower bound is never above it. The attack runs on B1's classifier object
 * directly (it satisfies ScalarModel).
 */
import { describe, expect, it } from 'vitest';
import { limitFp } from '../src/classifiers/index.ts';
import { radiusFp } from '../src/robustness/exactFp.ts';
import { attackGapFp } from '../src/robustness/attackGap.ts';
import { certifiedRadius } from '../src/robustness/lowerbound.ts';
import { strongMinNorm } from '../src/robustness/minnorm.ts';
import { binaryObjective } from '../src/robustness/model.ts';
import { netTargets } from '../src/robustness/targets.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/rng.ts';
import type { PReluNet } from '../src/network/types.ts';

const K = 10;
const K1 = 6;

describe('strong attack and certified bound vs exact F^(p) radii (K = 10, K1 = 6, alpha = 0.3, D = 100)', () => {
  for (const p of [1, 3]) {
    it(`p = ${p}: 0.9 exact < lower <= exact <= strong < 1.01 exact on 8 noisy points`, () => {
      const mix = new OrthonormalMixture({ D: 100, K, K1, alpha: 0.3 });
      const s = mix.sampleProjections(8, new Rng(100 + p));
      const model = limitFp({ K, K1, p });
      const W = new Float64Array(K * K);
      for (let k = 0; k < K; k++) W[k * K + k] = 1;
      const net: PReluNet = { D: K, h: K, p, W, v: Float64Array.from({ length: K }, (_, k) => (k < K1 ? 1 : -1)), b: 0, hasBias: false, centre: null, normalise: false };
      for (let i = 0; i < s.n; i++) {
        const x = s.S.slice(i * K, (i + 1) * K);
        const y = s.y[i] as 1 | -1;
        const exact = radiusFp(x, y, K1, p);
        if (exact.upper === 0) continue;
        // Targets: the other class's centres and their average, scaled to the point's norm.
        const targets = netTargets(net, x, y);
        const strong = strongMinNorm(binaryObjective(model, y, 'ce'), x, new Rng(i), { targets }).radius;
        expect(strong).toBeGreaterThanOrEqual(exact.lower - 1e-9);
        expect(strong / exact.upper).toBeLessThan(1.01); // measured <= 1.001 (30 points, alpha 0.05 and 0.3)
        const lb = certifiedRadius(net, x, y, 2)!.radius;
        expect(lb).toBeLessThanOrEqual(exact.upper + 1e-9);
        expect(lb).toBeGreaterThan(0.9 * exact.lower); // measured >= 0.989 (p = 1), >= 0.932 (p = 3)
      }
    });
  }
});

describe('attackGapFp (the PAPER.md s.8 gap at the authors\' D = 1000, alpha = 0.01, p = 3)', () => {
  it('zero-start PGD over-reports by > 20%, the strong attack is within 1% of exact, no violations', () => {
    const r = attackGapFp({ K, K1, p: 3, D: 1000, alpha: 0.01, n: 6, seed: 3 });
    expect(r.violations).toBe(0);
    expect(r.points.length).toBe(6);
    // Measured (n = 20, seed 1): PGD median 0.963 vs exact 0.707; strong / exact <= 1.0000004.
    expect(r.median.pgd / r.median.exact).toBeGreaterThan(1.2);
    expect(r.worstStrongOverExact).toBeLessThan(1.01);
    expect(r.worstLowerOverExact).toBeGreaterThan(0.9);
    expect(r.curves.perAttack.pgd[0]).toBe(1);
  });
});
