/**
 * The empirical limits of the sample-mean test (src/experiments/conjectureEmpirical.ts): F and
 * F^(p) on the unit training-cluster means muhat_k. Noise-free data must give the true limits; on a
 * small trained net at alpha > 0 the empirical dist must be below the true-centre one, and a
 * matched-angle random-direction control must not be.
 */
import { describe, expect, it } from 'vitest';
import { fc, test as ptest } from '@fast-check/vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { limitFor, netDist } from '../src/experiments/netDist.ts';
import {
  EmpiricalCollector, limitOnDirections, netDistOnDirections, neuronSineToDirections, sampleDirections, tiltedDirections,
} from '../src/experiments/conjectureEmpirical.ts';
import { conjectureSettings } from '../src/experiments/conjectureDist.ts';
import { trainedNet, TRAINED_DEFAULTS } from '../src/experiments/trained.ts';
import { Rng } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';

const tiny = (alpha: number, seed: number) => trainedNet(
  { ...TRAINED_DEFAULTS, spec: { D: 12, K: 4, K1: 2, n: 80, h: 16, init: 1e-4, p: 3, alpha }, seed, lossThreshold: 1e-3, saveCount: 8, nTest: 20, wallTimeMs: 60_000, balanced: true },
  { cacheDir: null },
);

describe('sample directions muhat_k', () => {
  it('noise-free balanced data (canonical frame): muhat_k = mu_k bit for bit, and F, F^(3) on them are the true limits exactly', () => {
    const mix = new OrthonormalMixture({ D: 12, K: 4, K1: 2, alpha: 0, clusters: 'balanced' });
    const s = mix.sample(40, new Rng(3));
    const d = sampleDirections(mix, s.X, s.z);
    expect(d.counts).toEqual([10, 10, 10, 10]);
    expect(Array.from(d.directions)).toEqual(Array.from(mix.centres));
    expect(d.sines).toEqual([0, 0, 0, 0]);
    const rng = new Rng(9);
    const x = new Float64Array(12);
    const g1 = new Float64Array(12);
    const g2 = new Float64Array(12);
    for (const p of [1, 3]) {
      const Fe = limitOnDirections(4, 2, 12, d.directions, p);
      const F = limitFor(mix, p);
      for (let i = 0; i < 200; i++) {
        rng.fillNormal(x);
        expect(Fe.valueAndGrad(x, g1)).toBe(F.valueAndGrad(x, g2));
        expect(Array.from(g1)).toEqual(Array.from(g2));
      }
    }
  });

  it('noise-free data on a random frame: muhat_k = mu_k to 1e-15', () => {
    const mix = new OrthonormalMixture({ D: 9, K: 3, K1: 1, alpha: 0, frame: 'random' }, new Rng(2));
    const s = mix.sample(31, new Rng(4));
    const d = sampleDirections(mix, s.X, s.z);
    for (let i = 0; i < mix.centres.length; i++) expect(Math.abs(d.directions[i] - mix.centres[i])).toBeLessThanOrEqual(1e-15);
    for (const x of d.sines) expect(x).toBeLessThanOrEqual(1e-15);
  });

  it('at alpha > 0 the sines are ~ alpha sqrt(K/n) (E ||orthogonal part of the noise mean||; within a factor 2 for each cluster at n/K = 2000)', () => {
    const mix = new OrthonormalMixture({ D: 40, K: 4, K1: 2, alpha: 0.3, clusters: 'balanced' });
    const s = mix.sample(8000, new Rng(5));
    const d = sampleDirections(mix, s.X, s.z);
    const pred = 0.3 * Math.sqrt(4 / 8000);
    for (const x of d.sines) {
      expect(x).toBeGreaterThan(pred / 2);
      expect(x).toBeLessThan(pred * 2);
    }
  });

  it('rejects a cluster id out of range, an empty cluster and a size mismatch, naming the field', () => {
    const mix = new OrthonormalMixture({ D: 6, K: 3, K1: 1, alpha: 0.1 });
    const s = mix.sample(12, new Rng(1));
    const bad = Int32Array.from(s.z);
    bad[5] = 3;
    expect(() => sampleDirections(mix, s.X, bad)).toThrow(/z\[5\]/);
    expect(() => sampleDirections(mix, s.X, new Int32Array(12))).toThrow(ConfigError);
    expect(() => sampleDirections(mix, s.X.subarray(6), s.z)).toThrow(/X\.length/);
  });
});

describe('matched-angle control directions', () => {
  const mix = new OrthonormalMixture({ D: 15, K: 5, K1: 2, alpha: 0, frame: 'random' }, new Rng(6));
  ptest.prop([fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: 5, maxLength: 5 }), fc.integer({ min: 0, max: 1000 })], { numRuns: 50, seed: 21 })(
    'unit rows at exactly the requested sine from mu_k (1e-12), cosine positive',
    (sines, seed) => {
      const T = tiltedDirections(mix, sines, new Rng(seed));
      for (let k = 0; k < 5; k++) {
        const row = T.subarray(k * 15, (k + 1) * 15);
        let nn = 0;
        let c = 0;
        for (let i = 0; i < 15; i++) {
          nn += row[i] * row[i];
          c += row[i] * mix.centres[k * 15 + i];
        }
        expect(Math.abs(Math.sqrt(nn) - 1)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(Math.sqrt(Math.max(0, 1 - c * c)) - sines[k])).toBeLessThanOrEqual(1e-7);
        expect(c).toBeGreaterThan(0);
      }
    },
  );
  it('rejects a sine outside [0, 1] or the wrong count', () => {
    expect(() => tiltedDirections(mix, [0.1, 0.1, 0.1, 0.1, 1.5], new Rng(1))).toThrow(/sines\[4\]/);
    expect(() => tiltedDirections(mix, [0.1], new Rng(1))).toThrow(/sines\.length/);
  });
});

describe('dist against the empirical limits on trained nets', () => {
  it('noise-free balanced data: the empirical dist equals the true-centre dist (same estimator and starts; 1e-9 relative)', () => {
    const tr = tiny(0, 7);
    const d = sampleDirections(tr.mix, tr.train.X, tr.trainClusters!);
    const o = { seed: 3, starts: 2, maxRounds: 3 };
    const tru = netDist(tr.net, tr.mix, tr.train.X, { ...o, authorsStarts: 0 });
    const emp = netDistOnDirections(tr.net, 4, 2, d.directions, o);
    expect(Math.abs(emp.value - tru.value)).toBeLessThanOrEqual(1e-9 * tru.value);
    expect(Math.abs(emp.lower - tru.lower)).toBeLessThanOrEqual(1e-9 * tru.value);
    expect(emp.lower).toBeLessThanOrEqual(emp.value);
  });

  // Observed (D = 12, K = 4, n = 80, h = 16, alpha = 0.1, balanced, GF to loss 1e-3; seeds 1 / 7 / 11):
  // true / emp = 2.97 / 1.67 / 1.94; control / emp = 3.98 / 2.18 / 2.78; control / true = 1.34 / 1.31 / 1.44.
  // Asserted: 1.3, 1.5 and 1.1, with the true side taken at its certified lower bound.
  for (const seed of [1, 7, 11]) {
    it(`alpha = 0.1, seed ${seed}: dist(f_3, F^(3)_emp) * 1.3 < certified lower bound of dist(f_3, F^(3)); the random-tilt control is above both`, () => {
      const tr = tiny(0.1, seed);
      expect(tr.run.reason).toBe('loss-threshold');
      const d = sampleDirections(tr.mix, tr.train.X, tr.trainClusters!);
      const o = { seed: 3, starts: 2, maxRounds: 3 };
      const tru = netDist(tr.net, tr.mix, tr.train.X, { ...o, authorsStarts: 0 });
      const emp = netDistOnDirections(tr.net, 4, 2, d.directions, o);
      const ctl = netDistOnDirections(tr.net, 4, 2, tiltedDirections(tr.mix, d.sines, new Rng(5)), o);
      expect(emp.value * 1.3).toBeLessThan(tru.lower);
      expect(ctl.lower).toBeGreaterThan(1.5 * emp.value);
      expect(ctl.lower).toBeGreaterThan(1.1 * tru.value);
      // The neurons sit nearer their sample means than the sample means sit to the centres.
      expect(neuronSineToDirections(tr.net, 4, d.directions)).toBeLessThan(Math.min(...d.sines));
    });
  }
});

describe('EmpiricalCollector and the config key', () => {
  it('skips alpha = 0 readings, pairs p = 1 with p = 3 into the ratio, and builds a table row per (setting, target)', () => {
    const tr = tiny(0.1, 7);
    const c = new EmpiricalCollector({ seed: 3, starts: 2, maxRounds: 2 }, { K: 4, n: 80, D: 12 });
    const save = tr.saved.at(-1)!;
    const base = { setting: 's', alpha: 0.1, balanced: true, target: 1e-3, save, tr, trueDist: { value: 0.05, lower: 0.05 }, wantDist: true };
    c.visit({ ...base, p: 3, alpha: 0, setting: 'noise-free' });
    expect(c.rows).toHaveLength(0);
    c.visit({ ...base, p: 3 });
    // A p = 1 reading of the same setting (the p = 3 net stands in: only the bookkeeping is tested here).
    c.visit({ ...base, p: 1, wantDist: false, trueDist: { value: 0.2, lower: 0.2 } });
    expect(c.rows).toHaveLength(1);
    const r = c.rows[0];
    expect(r.ratioTrue).toBeCloseTo(0.2 / 0.05, 12);
    expect(Number.isNaN(r.ratioEmp)).toBe(true); // p = 1 dist not computed
    expect(r.byP[3]!.empDist).toBeLessThan(r.byP[3]!.controlDist);
    expect(c.table().rows).toHaveLength(1);
    const sum = c.summary();
    expect(sum.settings).toHaveLength(1);
    expect(sum.predictionMet).toBe(false); // one target: no slope
  });
  it('empirical: boolean toggles the test; anything else is a ConfigError naming it', () => {
    expect(conjectureSettings({ quick: true, config: {} }).explanation.empirical).toBe(true);
    expect(conjectureSettings({ quick: false, config: {} }).explanation.empirical).toBe(true);
    expect(conjectureSettings({ quick: true, config: { empirical: false } }).explanation.empirical).toBe(false);
    try {
      conjectureSettings({ quick: true, config: { empirical: 1 } });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).field).toBe('empirical');
    }
  });
});
