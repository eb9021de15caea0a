/**
 * The per-cluster weights behind the conjecture-dist explanation test (src/experiments/netDist.ts
 * clusterWeights, src/experiments/conjectureDist.ts runExplanation): exact values on hand-built nets,
 * the centre-spread lower bound on dist, and the explanation's settings.
 */
import { describe, expect, it } from 'vitest';
import { fc, test as ptest } from '@fast-check/vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { clusterWeights, netDist, weightSpread } from '../src/experiments/netDist.ts';
import { conjectureSettings } from '../src/experiments/conjectureDist.ts';
import { trainedNet, TRAINED_DEFAULTS } from '../src/experiments/trained.ts';
import type { PReluNet } from '../src/network/types.ts';
import { Rng } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';

function net(D: number, p: number, rows: { w: Float64Array; v: number }[]): PReluNet {
  const W = new Float64Array(rows.length * D);
  rows.forEach((r, j) => W.set(r.w, j * D));
  return { D, h: rows.length, p, W, v: Float64Array.from(rows.map((r) => r.v)), b: 0, hasBias: false, centre: null, normalise: false };
}

const scaled = (u: Float64Array, s: number): Float64Array => u.map((x) => x * s);

describe('clusterWeights on nets built from the centres', () => {
  const mix = new OrthonormalMixture({ D: 9, K: 5, K1: 3, alpha: 0, frame: 'random' }, new Rng(4));

  ptest.prop([fc.array(fc.tuple(fc.double({ min: 0.1, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true })), { minLength: 5, maxLength: 5 })], { numRuns: 40, seed: 11 })(
    'p = 3, two neurons per centre: a_k = sum v_j ||w_j|| y_k, equal to y_k f(mu_k) to 1e-12; spread = (max - min)/(max + min)',
    (pairs) => {
      const rows: { w: Float64Array; v: number }[] = [];
      const a: number[] = [];
      pairs.forEach(([s, t], k) => {
        const y = mix.label(k);
        // Two neurons along mu_k with norms s and 2s and |v| = t and t/2: a_k = t s + (t/2)(2s) = 2ts.
        rows.push({ w: scaled(mix.centre(k), s), v: y * t }, { w: scaled(mix.centre(k), 2 * s), v: (y * t) / 2 });
        a.push(2 * t * s);
      });
      const cw = clusterWeights(net(mix.D, 3, rows), mix);
      for (let k = 0; k < 5; k++) {
        expect(Math.abs(cw.groupWeights[k] - a[k])).toBeLessThanOrEqual(1e-12 * a[k]);
        expect(Math.abs(cw.centreMargins[k] - a[k])).toBeLessThanOrEqual(1e-12 * a[k]);
      }
      const expected = (Math.max(...a) - Math.min(...a)) / (Math.max(...a) + Math.min(...a));
      expect(Math.abs(cw.groupSpread - expected)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(cw.alignedShare - 1)).toBeLessThanOrEqual(1e-12);
      expect(cw.meanSine).toBeLessThan(1e-6);
    },
  );

  ptest.prop([fc.double({ min: 1e-4, max: 0.3, noNaN: true })], { numRuns: 30, seed: 12 })(
    'p = 3: neurons tilted off mu_k by angle theta (toward a direction outside the centres) give meanSine = sin theta (1e-9)',
    (theta) => {
      // e: a unit vector orthogonal to every centre (Gram-Schmidt of a fixed vector against the frame).
      const e = new Float64Array(mix.D).map((_, i) => Math.cos(i + 1));
      for (let k = 0; k < mix.K; k++) {
        let d = 0;
        for (let i = 0; i < mix.D; i++) d += e[i] * mix.centres[k * mix.D + i];
        for (let i = 0; i < mix.D; i++) e[i] -= d * mix.centres[k * mix.D + i];
      }
      const ne = Math.hypot(...e);
      const rows = Array.from({ length: 5 }, (_, k) => ({ w: mix.centre(k).map((x, i) => Math.cos(theta) * x + (Math.sin(theta) * e[i]) / ne), v: mix.label(k) * (k + 1) }));
      const cw = clusterWeights(net(mix.D, 3, rows), mix);
      expect(Math.abs(cw.meanSine - Math.sin(theta))).toBeLessThanOrEqual(1e-9);
    },
  );

  it('p = 3: a neuron off every centre counts in the total but not in a_k', () => {
    const off = new Float64Array(mix.D);
    for (let k = 0; k < 2; k++) for (let i = 0; i < mix.D; i++) off[i] += mix.centres[k * mix.D + i]; // cos 1/sqrt2 with mu_1, mu_2
    const rows = Array.from({ length: 5 }, (_, k) => ({ w: mix.centre(k), v: mix.label(k) }));
    rows.push({ w: off, v: 1 });
    const cw = clusterWeights(net(mix.D, 3, rows), mix);
    expect(cw.groupWeights.map((x) => Number(x.toFixed(12)))).toEqual([1, 1, 1, 1, 1]);
    expect(cw.groupSpread).toBeLessThan(1e-12);
    // Total |v| ||w|| = 5 + sqrt2; aligned 5.
    expect(cw.alignedShare).toBeCloseTo(5 / (5 + Math.SQRT2), 12);
    // The off neuron lifts f(mu_1) and f(mu_2) above 1, which the centre margins see.
    expect(cw.centreMargins[0]).toBeGreaterThan(1.1);
    expect(cw.centreSpread).toBeGreaterThan(0.05);
  });

  it('p = 1: F itself (weights sqrt(K1), sqrt(K2) on mubar_+-) has class weights [1, 1] and margins 1; unequal weights give the spread', () => {
    const F = net(mix.D, 1, [{ w: mix.classAverage(1), v: Math.sqrt(3) }, { w: mix.classAverage(-1), v: -Math.SQRT2 }]);
    const cw = clusterWeights(F, mix);
    cw.groupWeights.forEach((x) => expect(x).toBeCloseTo(1, 12));
    cw.centreMargins.forEach((x) => expect(x).toBeCloseTo(1, 12));
    expect(cw.groupSpread).toBeLessThan(1e-12);
    const G = net(mix.D, 1, [{ w: scaled(mix.classAverage(1), 2), v: Math.sqrt(3) }, { w: mix.classAverage(-1), v: -Math.SQRT2 }]);
    const cg = clusterWeights(G, mix);
    expect(cg.groupWeights[0]).toBeCloseTo(2, 12);
    expect(cg.groupSpread).toBeCloseTo(1 / 3, 12);
    expect(cg.centreSpread).toBeCloseTo(1 / 3, 12);
  });

  it('rejects a net of the wrong dimension and a cosine outside (0, 1), naming the field', () => {
    const bad = net(4, 3, [{ w: new Float64Array(4).fill(1), v: 1 }]);
    expect(() => clusterWeights(bad, mix)).toThrow(ConfigError);
    const ok = net(mix.D, 3, [{ w: mix.centre(0), v: 1 }]);
    for (const c of [0, 1, 1.5, NaN]) {
      try {
        clusterWeights(ok, mix, c);
        expect.unreachable();
      } catch (e) {
        expect((e as ConfigError).field).toBe('cosine');
      }
    }
  });
});

describe('weightSpread = inf_c max_k |c w_k - 1|', () => {
  ptest.prop([fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }), fc.double({ min: 0, max: 200, noNaN: true })], { numRuns: 200, seed: 5 })(
    'never above max |c w - 1| for any c >= 0, attained at c = 2/(max + min) (1e-12)',
    (w, c) => {
      const s = weightSpread(w);
      const at = (cc: number): number => Math.max(...w.map((x) => Math.abs(cc * x - 1)));
      expect(s).toBeLessThanOrEqual(at(c) + 1e-12);
      expect(Math.abs(at(2 / (Math.max(...w) + Math.min(...w))) - s)).toBeLessThanOrEqual(1e-12);
    },
  );
  it('is 1 when a weight is not positive (c = 0 is then optimal)', () => {
    expect(weightSpread([2, -1])).toBe(1);
    expect(weightSpread([0, 3])).toBe(1);
  });
});

describe('the centre spread is a lower bound on dist (the sup includes the centres)', () => {
  for (const p of [1, 3]) {
    it(`trained tiny net, p = ${p}: centreSpread <= dist (proper estimate) + 1e-9; skipping the authors' estimator leaves the proper one unchanged`, () => {
      const tr = trainedNet(
        { ...TRAINED_DEFAULTS, spec: { D: 12, K: 4, K1: 2, n: 80, h: 16, init: 1e-4, p, alpha: 0.05 }, seed: 7, lossThreshold: 0.05, saveCount: 8, nTest: 20, wallTimeMs: 60_000 },
        { cacheDir: null },
      );
      const opts = { seed: 3, starts: 2, maxRounds: 2, authorsIterations: 50 };
      const d0 = netDist(tr.net, tr.mix, tr.train.X, { ...opts, authorsStarts: 0 });
      const d1 = netDist(tr.net, tr.mix, tr.train.X, { ...opts, authorsStarts: 2 });
      expect(Number.isNaN(d0.authors)).toBe(true);
      expect(Number.isFinite(d1.authors)).toBe(true);
      expect(d0.value).toBe(d1.value);
      expect(d0.lower).toBe(d1.lower);
      const cw = clusterWeights(tr.net, tr.mix);
      expect(cw.centreSpread).toBeGreaterThan(0);
      expect(cw.centreSpread).toBeLessThanOrEqual(d0.value + 1e-9);
    });
  }
});

describe('conjecture-dist explanation settings', () => {
  it('quick reads losses 1e-4 and 1e-6, full 1e-4 .. 1e-8; targets below the training threshold are dropped', () => {
    expect(conjectureSettings({ quick: true, config: {} }).explanation.targets).toEqual([1e-4, 1e-6]);
    expect(conjectureSettings({ quick: false, config: {} }).explanation.targets).toEqual([1e-4, 1e-6, 1e-8]);
    expect(conjectureSettings({ quick: true, config: { lossThreshold: 1e-3 } }).explanation.targets).toEqual([1e-3]);
    expect(conjectureSettings({ quick: false, config: { lossThreshold: 1e-6 } }).explanation.targets).toEqual([1e-4, 1e-6]);
  });
  it('every setting pairs iid with balanced data at the same noise levels, and the dist rows skip the authors estimator', () => {
    for (const quick of [true, false]) {
      const e = conjectureSettings({ quick, config: {} }).explanation;
      expect(e.enabled).toBe(true);
      expect(e.dist.authorsStarts).toBe(0);
      for (const s of e.settings.filter((x) => x.balanced)) expect(e.settings.some((x) => !x.balanced && x.alpha === s.alpha)).toBe(true);
      expect(e.settings.some((x) => x.alpha === 0 && x.balanced)).toBe(true);
    }
  });
  it('config key explanation: boolean turns the runs off; anything else is a ConfigError naming it', () => {
    expect(conjectureSettings({ quick: true, config: { explanation: false } }).explanation.enabled).toBe(false);
    try {
      conjectureSettings({ quick: true, config: { explanation: 'no' } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).field).toBe('explanation');
    }
    // The quick settings object is not mutated by an override.
    expect(conjectureSettings({ quick: true, config: {} }).explanation.enabled).toBe(true);
  });
});
