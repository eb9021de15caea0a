import { describe, expect, it } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';
import {
  bayesClassifier,
  bayesLogAbs,
  limitF,
  limitFp,
  liftToInput,
  type DifferentiableClassifier,
} from '../src/classifiers/index.ts';

/** Root of t -> f(t) on [a, b] by bisection (f(a) > 0 >= f(b)). */
function bisectRoot(f: (t: number) => number, a: number, b: number): number {
  expect(f(a)).toBeGreaterThan(0);
  expect(f(b)).toBeLessThanOrEqual(0);
  for (let i = 0; i < 200; i++) {
    const c = 0.5 * (a + b);
    if (f(c) > 0) a = c;
    else b = c;
  }
  return 0.5 * (a + b);
}

/** Maximum relative disagreement between the analytic gradient and central differences. */
function gradError(c: DifferentiableClassifier, x: Float64Array, h = 1e-6): number {
  const g = new Float64Array(c.dim);
  c.valueAndGrad(x, g);
  let scale = 0;
  for (const v of g) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  const xp = x.slice();
  for (let i = 0; i < c.dim; i++) {
    xp[i] = x[i] + h;
    const fp = c.value(xp);
    xp[i] = x[i] - h;
    const fm = c.value(xp);
    xp[i] = x[i];
    err = Math.max(err, Math.abs((fp - fm) / (2 * h) - g[i]) / Math.max(scale, 1e-12));
  }
  return err;
}

const split = fc.integer({ min: 3, max: 40 }).chain((K) => fc.record({ K: fc.constant(K), K1: fc.integer({ min: 1, max: K - 1 }) }));

describe('limiting classifiers at noise-free centres (issue 2, PAPER.md s.5)', () => {
  ptest.prop([split, fc.integer({ min: 0, max: 1000 }), fc.boolean()], { numRuns: 60, seed: 20261122 })(
    'F changes sign at radius 1/sqrt(K) along -y (mu_+ - mu_-)/sqrt(K), to 1e-9 (full inputs, random frame)',
    ({ K, K1 }, seed, negative) => {
      const rng = new Rng(seed);
      const D = K + rng.int(10);
      const m = new OrthonormalMixture({ D, K, K1, alpha: 0, frame: 'random' }, rng);
      const F = liftToInput(limitF({ K, K1 }), m.centres, D);
      const k = negative ? K1 + rng.int(K - K1) : rng.int(K1);
      const y = m.label(k);
      const x = m.centre(k);
      const mp = m.classSum(1);
      const mn = m.classSum(-1);
      const d = new Float64Array(D);
      for (let i = 0; i < D; i++) d[i] = (-y * (mp[i] - mn[i])) / Math.sqrt(K);
      const at = (t: number): number => {
        const z = new Float64Array(D);
        for (let i = 0; i < D; i++) z[i] = x[i] + t * d[i];
        return y * F.value(z);
      };
      expect(Math.abs(bisectRoot(at, 0, 2) - 1 / Math.sqrt(K))).toBeLessThan(1e-9);
    },
  );

  ptest.prop([split, fc.double({ min: 1, max: 6, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 1000 })], { numRuns: 60, seed: 7 })(
    'F^(p) changes sign at radius sqrt(2)/2 along (mu_j - mu_k)/sqrt(2), j of the other class, to 1e-9',
    ({ K, K1 }, p, seed) => {
      const rng = new Rng(seed);
      const D = K + rng.int(10);
      const m = new OrthonormalMixture({ D, K, K1, alpha: 0, frame: 'random' }, rng);
      const Fp = liftToInput(limitFp({ K, K1, p }), m.centres, D);
      const k = rng.int(K);
      const y = m.label(k);
      const j = y === 1 ? K1 + rng.int(K - K1) : rng.int(K1);
      const x = m.centre(k);
      const mj = m.centre(j);
      const at = (t: number): number => {
        const z = new Float64Array(D);
        for (let i = 0; i < D; i++) z[i] = x[i] + (t * (mj[i] - x[i])) / Math.SQRT2;
        return y * Fp.value(z);
      };
      expect(Math.abs(bisectRoot(at, 0, 1.4) - Math.SQRT1_2)).toBeLessThan(1e-9);
    },
  );
});

describe('classifier gradients agree with central differences', () => {
  ptest.prop([split, fc.double({ min: 1, max: 6, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 1000 })], { numRuns: 60, seed: 99 })(
    'F, F^(p) and Bayes on projections and on full inputs, relative 1e-6',
    ({ K, K1 }, p, seed) => {
      const rng = new Rng(seed);
      const D = K + 3;
      const m = new OrthonormalMixture({ D, K, K1, alpha: 1, frame: 'random' }, rng);
      // A point away from the kinks of relu: noisy sample, coordinates at least 1e-3 from 0.
      const s = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        let v = 0;
        do v = 0.8 * rng.normal() + (k === 0 ? 1 : 0);
        while (Math.abs(v) < 1e-3);
        s[k] = v;
      }
      const x = new Float64Array(D);
      for (let k = 0; k < K; k++) for (let i = 0; i < D; i++) x[i] += s[k] * m.centres[k * D + i];
      const reduced = [limitFp({ K, K1, p }), bayesClassifier({ K, K1, D, alpha: 3 })];
      let a = 0;
      let b = 0;
      for (let k = 0; k < K; k++) (k < K1 ? (a += s[k]) : (b += s[k]));
      if (Math.abs(a) > 1e-3 && Math.abs(b) > 1e-3) reduced.push(limitF({ K, K1 }));
      for (const c of reduced) {
        expect(gradError(c, s)).toBeLessThan(1e-6);
        expect(gradError(liftToInput(c, m.centres, D), x)).toBeLessThan(1e-6);
      }
    },
  );
});

describe('Bayes classifier computed stably', () => {
  it('matches the direct formula where exp does not overflow and stays finite where it does', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 200; trial++) {
      const K = 2 + rng.int(8);
      const K1 = 1 + rng.int(K - 1);
      const D = 20;
      const alpha = 1 + rng.uniform();
      const beta = D / (alpha * alpha);
      const s = new Float64Array(K);
      for (let k = 0; k < K; k++) s[k] = 0.5 * rng.normal();
      let f = 0;
      for (let k = 0; k < K; k++) f += (k < K1 ? 1 : -1) * Math.exp(beta * s[k]);
      const r = bayesLogAbs(s, K1, beta);
      expect(r.sign).toBe(Math.sign(f));
      expect(Math.abs(r.logAbs - Math.log(Math.abs(f)))).toBeLessThan(1e-9 * Math.max(1, Math.abs(r.logAbs)));
      expect(Math.sign(bayesClassifier({ K, K1, D, alpha }).value(s))).toBe(Math.sign(f));
    }
    // beta = 1e6: every exponential overflows, the log form does not.
    const s = Float64Array.from([1.001, 0.2, 1, -0.3]);
    const big = bayesLogAbs(s, 2, 1e6);
    expect(big.sign).toBe(1);
    expect(big.logAbs).toBeCloseTo(1.001e6, 6);
    const c = bayesClassifier({ K: 4, K1: 2, D: 1e6, alpha: 1 });
    const g = new Float64Array(4);
    expect(c.valueAndGrad(s, g)).toBeCloseTo(1000, 6);
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('lifting and validation', () => {
  it('lifted classifiers equal the projected ones on mixture samples', () => {
    const rng = new Rng(17);
    const m = new OrthonormalMixture({ D: 25, K: 6, K1: 2, alpha: 0.8, frame: 'random' }, rng);
    const smp = m.sample(50, rng);
    const S = m.project(smp.X, 50);
    for (const c of [limitF({ K: 6, K1: 2 }), limitFp({ K: 6, K1: 2, p: 3.5 }), bayesClassifier({ K: 6, K1: 2, D: 25, alpha: 0.8 })]) {
      const L = liftToInput(c, m.centres, 25);
      for (let i = 0; i < 50; i++) {
        const a = L.value(smp.X, i * 25);
        const b = c.value(S, i * 6);
        expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(b)));
      }
    }
  });

  it('rejects bad parameters with errors naming the field', () => {
    const bad: [() => unknown, string][] = [
      [() => limitF({ K: 5, K1: 0 }), 'K1'],
      [() => limitF({ K: 5, K1: 5 }), 'K1'],
      [() => limitF({ K: 1.5, K1: 1 }), 'K'],
      [() => limitFp({ K: 5, K1: 2, p: 0.5 }), 'p'],
      [() => limitFp({ K: 5, K1: 2, p: NaN }), 'p'],
      [() => bayesClassifier({ K: 5, K1: 2, D: 10, alpha: 0 }), 'alpha'],
      [() => bayesClassifier({ K: 5, K1: 2, D: 10, alpha: -1 }), 'alpha'],
      [() => liftToInput(limitF({ K: 3, K1: 1 }), new Float64Array(10), 4), 'centres'],
      [() => liftToInput(limitF({ K: 3, K1: 1 }), new Float64Array(6), 2), 'D'],
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
