import { describe, expect, it } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { Rng } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';
import { evalF, evalFp } from '../src/classifiers/index.ts';
import { radiusF, witnessF } from '../src/robustness/exactF.ts';
import { centreRadiusF, centreRadiusFp } from '../src/robustness/exactCentre.ts';
import { radiusFp } from '../src/robustness/exactFp.ts';
import { fastLowerBoundFp, isRobustFp, decideRobustFp } from '../src/robustness/certifyFp.ts';

const split = fc.integer({ min: 3, max: 40 }).chain((K) => fc.record({ K: fc.constant(K), K1: fc.integer({ min: 1, max: K - 1 }) }));
const pArb = fc.double({ min: 1, max: 6, noNaN: true, noDefaultInfinity: true });

function centre(K: number, k: number): Float64Array {
  const s = new Float64Array(K);
  s[k] = 1;
  return s;
}

function noisyPoint(rng: Rng, K: number, K1: number, sigma: number): { s: Float64Array; y: 1 | -1 } {
  const z = rng.int(K);
  const s = new Float64Array(K);
  for (let k = 0; k < K; k++) s[k] = (k === z ? 1 : 0) + sigma * rng.normal();
  return { s, y: z < K1 ? 1 : -1 };
}

describe('exact radii at noise-free centres (issue 4)', () => {
  ptest.prop([split, pArb, fc.nat()], { numRuns: 40, seed: 424242 })(
    'F: 1/sqrt(K); F^(p): sqrt(2)/2 for p >= 2 and 1/sqrt(1 + m^(2/p-1)) for p < 2, to 1e-6',
    ({ K, K1 }, p, pick) => {
      const k = pick % K;
      const y = k < K1 ? 1 : -1;
      const m = y === 1 ? K - K1 : K1;
      const s = centre(K, k);
      expect(Math.abs(radiusF(s, y, K1) - 1 / Math.sqrt(K))).toBeLessThan(1e-12);
      expect(centreRadiusF(K)).toBe(1 / Math.sqrt(K));
      const b = radiusFp(s, y, K1, p);
      const expected = p >= 2 ? Math.SQRT1_2 : 1 / Math.sqrt(1 + Math.pow(m, 2 / p - 1));
      expect(centreRadiusFp(p, m)).toBeCloseTo(expected, 14);
      expect(b.lower).toBeLessThanOrEqual(expected + 1e-12);
      expect(b.upper).toBeGreaterThanOrEqual(expected - 1e-12);
      expect(b.upper - b.lower).toBeLessThan(1e-6);
      expect(y * evalFp(s.map((v, i) => v + b.witness[i]), K1, p)).toBeLessThanOrEqual(0);
      // The cheap certified bound is exact at centres.
      expect(Math.abs(fastLowerBoundFp(s, y, K1, p) - expected)).toBeLessThan(1e-12);
    },
  );

  ptest.prop([split, pArb, fc.nat()], { numRuns: 25, seed: 5150 })(
    'the branch-and-bound certificate alone (no cheap bound) reproduces the centre formulas to 1e-6',
    ({ K, K1 }, p, pick) => {
      const k = pick % K;
      const y = k < K1 ? 1 : -1;
      const m = y === 1 ? K - K1 : K1;
      const b = radiusFp(centre(K, k), y, K1, p, 2e-7, false);
      const expected = centreRadiusFp(p, m);
      expect(b.lower).toBeLessThanOrEqual(expected + 1e-12);
      expect(b.upper).toBeGreaterThanOrEqual(expected - 1e-12);
      expect(b.upper - b.lower).toBeLessThan(1e-6);
    },
  );

  it('p = 1 and p = 2 exactly (kink and linear-gain special cases)', () => {
    for (const [K, K1] of [[3, 1], [10, 6], [25, 24]]) {
      for (const p of [1, 2]) {
        const b = radiusFp(centre(K, 0), 1, K1, p, 2e-7, false);
        const want = centreRadiusFp(p, K - K1);
        expect(b.lower).toBeLessThanOrEqual(want + 1e-12);
        expect(b.upper).toBeGreaterThanOrEqual(want - 1e-12);
        expect(b.upper - b.lower).toBeLessThan(1e-6);
      }
    }
  });
});

describe('exact radius of F at noisy points (closed form min(a/sqrt(K1), (a-b)/sqrt(K)))', () => {
  it('the witness of norm r flips, and no perturbation of norm r (1 - 1e-9) flips (random + adversarial directions)', () => {
    const rng = new Rng(12);
    const x = new Float64Array(40);
    let flips = 0;
    for (let trial = 0; trial < 300; trial++) {
      const K = 3 + rng.int(20);
      const K1 = 1 + rng.int(K - 1);
      const { s, y } = noisyPoint(rng, K, K1, [0.05, 0.3, 1][trial % 3]);
      const r = radiusF(s, y, K1);
      if (y * evalF(s, K1) <= 0) {
        expect(r).toBe(0);
        continue;
      }
      const w = witnessF(s, y, K1);
      let n2 = 0;
      for (let k = 0; k < K; k++) n2 += w[k] * w[k];
      expect(Math.abs(Math.sqrt(n2) - r)).toBeLessThan(1e-9 * (1 + r));
      expect(y * evalF(s.map((v, i) => v + w[i]), K1)).toBeLessThanOrEqual(0);
      // Directions: random, and the two half-space normals (the only optimal ones) slightly rotated.
      for (let t = 0; t < 200; t++) {
        const d = new Float64Array(K);
        rng.fillNormal(d);
        if (t % 2 === 0) for (let k = 0; k < K; k++) d[k] = 0.05 * d[k] + w[k] / Math.max(r, 1e-300);
        let n = 0;
        for (let k = 0; k < K; k++) n += d[k] * d[k];
        n = Math.sqrt(n);
        for (let k = 0; k < K; k++) x[k] = s[k] + (r * (1 - 1e-9) * d[k]) / n;
        if (!(y * evalF(x.subarray(0, K), K1) > 0)) flips++;
      }
    }
    expect(flips).toBe(0);
  });
});

describe('certified F^(p) brackets at noisy points', () => {
  ptest.prop([split, pArb, fc.integer({ min: 0, max: 2 }), fc.nat()], { numRuns: 40, seed: 31337 })(
    'width < 1e-6, witness flips with norm = upper, fast bound <= lower, decision consistent',
    ({ K, K1 }, p, level, seed) => {
      const rng = new Rng(seed);
      const { s, y } = noisyPoint(rng, K, K1, [0.03, 0.15, 0.5][level]);
      const b = radiusFp(s, y, K1, p);
      expect(b.converged).toBe(true);
      expect(b.upper - b.lower).toBeLessThan(1e-6);
      expect(b.lower).toBeLessThanOrEqual(b.upper);
      let n2 = 0;
      for (const v of b.witness) n2 += v * v;
      expect(Math.abs(Math.sqrt(n2) - b.upper)).toBeLessThan(1e-12 * (1 + b.upper));
      expect(y * evalFp(s.map((v, i) => v + b.witness[i]), K1, p)).toBeLessThanOrEqual(0);
      expect(fastLowerBoundFp(s, y, K1, p)).toBeLessThanOrEqual(b.lower);
      if (b.upper > 0) {
        expect(isRobustFp(s, y, K1, p, Math.max(0, b.lower - 1e-6))).toBe(b.lower - 1e-6 >= 0);
        expect(isRobustFp(s, y, K1, p, b.upper + 1e-6)).toBe(false);
        expect(decideRobustFp(s, y, K1, p, b.upper + 1e-6)).toBe('flippable');
      }
    },
  );

  it('random points on the sphere of radius lower (1 - 1e-9) never flip (sign-structured directions)', () => {
    const rng = new Rng(8);
    let flips = 0;
    for (let trial = 0; trial < 30; trial++) {
      const K = 3 + rng.int(8);
      const K1 = 1 + rng.int(K - 1);
      const p = 1 + 5 * rng.uniform();
      const { s, y } = noisyPoint(rng, K, K1, 0.2);
      const b = radiusFp(s, y, K1, p);
      if (b.upper === 0) continue;
      const x = new Float64Array(K);
      for (let t = 0; t < 3000; t++) {
        const d = new Float64Array(K);
        for (let k = 0; k < K; k++) {
          const own = (k < K1) === (y === 1);
          d[k] = t % 2 === 0 ? rng.normal() : (own ? -1 : 1) * Math.abs(rng.normal()) * (rng.uniform() < 0.5 ? 1 : 0);
        }
        // Half of the directions near the witness, where the boundary is closest.
        if (t % 3 === 0) for (let k = 0; k < K; k++) d[k] = b.witness[k] / b.upper + 0.02 * d[k];
        let n = 0;
        for (let k = 0; k < K; k++) n += d[k] * d[k];
        n = Math.sqrt(n);
        if (n === 0) continue;
        for (let k = 0; k < K; k++) x[k] = s[k] + (b.lower * (1 - 1e-9) * d[k]) / n;
        if (!(y * evalFp(x, K1, p) > 0)) flips++;
      }
    }
    expect(flips).toBe(0);
  });

  it('misclassified points have radius 0 and bad inputs are rejected by name', () => {
    const s = Float64Array.from([0.1, 0.9, 0]);
    expect(radiusF(s, 1, 1)).toBe(0);
    expect(radiusFp(s, 1, 1, 3).upper).toBe(0);
    expect(isRobustFp(s, 1, 1, 3, 0)).toBe(false);
    const bad: [() => unknown, string][] = [
      [() => radiusFp(s, 1, 0, 3), 'K1'],
      [() => radiusFp(s, 1, 1, 0.9), 'p'],
      [() => radiusFp(s, 2 as 1, 1, 3), 'y'],
      [() => radiusFp(Float64Array.from([1, NaN]), 1, 1, 3), 's[1]'],
      [() => radiusF(s, 1, 3), 'K1'],
      [() => isRobustFp(s, 1, 1, 3, -1), 'r'],
    ];
    for (const [f, field] of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
    }
  });
});

describe('radii at full inputs (reduction to span{mu_k}, random frame)', () => {
  it('the lifted witnesses flip the D-dim classifiers and keep their norms', async () => {
    const { OrthonormalMixture } = await import('../src/data/index.ts');
    const { radiusFAtInput, radiusFpAtInput } = await import('../src/robustness/exactLift.ts');
    const { liftToInput, limitF, limitFp } = await import('../src/classifiers/index.ts');
    const rng = new Rng(99);
    const mix = new OrthonormalMixture({ D: 30, K: 6, K1: 2, alpha: 1, frame: 'random' }, rng);
    const smp = mix.sample(20, rng);
    const F = liftToInput(limitF({ K: 6, K1: 2 }), mix.centres, 30);
    const Fp = liftToInput(limitFp({ K: 6, K1: 2, p: 3 }), mix.centres, 30);
    const norm = (v: Float64Array): number => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
    for (let i = 0; i < 20; i++) {
      const x = smp.X.slice(i * 30, (i + 1) * 30);
      const y = smp.y[i] > 0 ? 1 : -1;
      const a = radiusFAtInput(x, y, mix);
      if (a.radius > 0) {
        expect(Math.abs(norm(a.witness) - a.radius)).toBeLessThan(1e-9);
        expect(y * F.value(x.map((v, j) => v + a.witness[j]))).toBeLessThanOrEqual(1e-12);
      }
      const b = radiusFpAtInput(x, y, 3, mix);
      if (b.upper > 0) {
        expect(Math.abs(norm(b.witness) - b.upper)).toBeLessThan(1e-9);
        // Rounding of the D-dim projection can move the boundary by ~1e-15; the witness is
        // verified exactly in the reduction, so allow that much here.
        expect(y * Fp.value(x.map((v, j) => v + b.witness[j]))).toBeLessThanOrEqual(1e-12);
      }
    }
  });
});
