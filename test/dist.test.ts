import { describe, expect, it } from 'vitest';
import { fc, test as ptest } from '@fast-check/vitest';
import { Rng } from '../src/random/index.ts';
import { randomOrthonormalFrame } from '../src/random/sampling.ts';
import { authorsDist, dist, minimiseMaxAbs, type ScalarFn } from '../src/conjecture/index.ts';
import { ConfigError } from '../src/validate.ts';

/** F^(p)(x) = sum_{k<K1} relu(<x, mu_k>)^p - sum_{k>=K1} relu(<x, mu_k>)^p (PAPER.md s.5), mu = rows of M. */
function fp(M: Float64Array, K: number, K1: number, D: number, p: number, scale = 1): ScalarFn {
  return {
    dim: D,
    valueAndGrad(x, g) {
      g.fill(0);
      let v = 0;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += M[k * D + j] * x[j];
        if (!(s > 0)) continue;
        const sg = (k < K1 ? 1 : -1) * scale;
        v += sg * Math.pow(s, p);
        const c = sg * p * Math.pow(s, p - 1);
        for (let j = 0; j < D; j++) g[j] += c * M[k * D + j];
      }
      return v;
    },
  };
}

/** relu(x_1) + beta relu(x_2) (beta = 0: the target F = relu(x_1)). */
function reluPair(D: number, beta: number): ScalarFn {
  return {
    dim: D,
    valueAndGrad(x, g) {
      g.fill(0);
      let v = 0;
      if (x[0] > 0) {
        v += x[0];
        g[0] = 1;
      }
      if (x[1] > 0 && beta !== 0) {
        v += beta * x[1];
        g[1] = beta;
      }
      return v;
    },
  };
}

function identity(K: number, D: number): Float64Array {
  const M = new Float64Array(K * D);
  for (let k = 0; k < K; k++) M[k * D + k] = 1;
  return M;
}

describe('minimiseMaxAbs (the cutting-plane model over c)', () => {
  ptest.prop([fc.array(fc.tuple(fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 8 })], { numRuns: 100, seed: 11 })(
    'matches a brute-force minimum over the breakpoints within 1e-12',
    (pairs) => {
      const a = pairs.map((p) => p[0]);
      const b = pairs.map((p) => p[1]);
      const h = (c: number) => Math.max(...a.map((ai, i) => Math.abs(c * ai - b[i])));
      // The minimum of a convex piecewise-linear function of c >= 0 is at 0 or at a breakpoint.
      const cands = [0];
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== 0) cands.push(b[i] / a[i]);
        for (let j = 0; j < a.length; j++) {
          if (a[i] + a[j] !== 0) cands.push((b[i] + b[j]) / (a[i] + a[j]));
          if (a[i] - a[j] !== 0) cands.push((b[i] - b[j]) / (a[i] - a[j]));
        }
      }
      const brute = Math.min(...cands.filter((c) => c >= 0).map(h));
      const r = minimiseMaxAbs(a, b);
      expect(r.c).toBeGreaterThanOrEqual(0);
      expect(Math.abs(r.value - h(r.c))).toBeLessThanOrEqual(1e-15 * (1 + r.value));
      expect(r.value - brute).toBeLessThanOrEqual(1e-12 * (1 + brute));
    },
  );
});

describe('dist(f, F) (PAPER.md s.7)', () => {
  it('dist(c F^(3), F^(3)) = 0 with c* = 1/c, for c in {0.25, 1, 4}', () => {
    const D = 8;
    const K = 4;
    const M = randomOrthonormalFrame(new Rng(3), K, D);
    const F = fp(M, K, 2, D, 3);
    for (const c of [0.25, 1, 4]) {
      const f = fp(M, K, 2, D, 3, c);
      const r = dist(f, F, { rng: new Rng(7), starts: 8, maxRounds: 4 });
      // F^(3) is at most 1 on the sphere; zero to 1e-12 of it.
      expect(r.value).toBeLessThanOrEqual(1e-12);
      expect(r.lower).toBeLessThanOrEqual(r.value + 1e-15);
      expect(Math.abs(r.c * c - 1)).toBeLessThanOrEqual(1e-9);
    }
  });

  ptest.prop([fc.double({ min: 0.1, max: 3, noNaN: true, noDefaultInfinity: true })], { numRuns: 6, seed: 5 })(
    'f = relu(x1) + beta relu(x2), F = relu(x1): dist = beta/(1+beta) at c* = 1/(1+beta) (hand computation)',
    (beta) => {
      // For c < 1, |(c - 1) relu(x1) + c beta relu(x2)| <= max(1 - c, c beta) on the sphere (the two
      // terms have opposite signs), attained at e1 and e2; for c >= 1 it is at least c beta >= beta.
      const D = 3;
      const r = dist(reluPair(D, beta), reluPair(D, 0), { rng: new Rng(2), starts: 8, maxRounds: 8, relTol: 1e-9 });
      const exact = beta / (1 + beta);
      expect(Math.abs(r.value - exact)).toBeLessThanOrEqual(1e-8 * exact);
      expect(Math.abs(r.lower - exact)).toBeLessThanOrEqual(1e-8 * exact);
      expect(Math.abs(r.c - 1 / (1 + beta))).toBeLessThanOrEqual(1e-6);
      expect(r.converged).toBe(true);
    },
  );

  it("the authors' data-fitted c overestimates dist where the data do not see the perturbation", () => {
    // Data x_i = s_i e1 + noise on e3: f = F on every data point, so the fitted c is exactly 1, and
    // at c = 1 the sup is beta (at x = e2), while the proper dist is beta/(1+beta) = 0.5 for beta = 1.
    const D = 3;
    const beta = 1;
    const rng = new Rng(9);
    const n = 50;
    const X = new Float64Array(n * D);
    for (let i = 0; i < n; i++) {
      X[i * D] = 0.5 + rng.uniform();
      X[i * D + 2] = 0.1 * rng.normal();
    }
    const f = reluPair(D, beta);
    const F = reluPair(D, 0);
    const authors = authorsDist(f, F, X, { rng: new Rng(4), starts: 40, iterations: 2000, step: 0.01 });
    const proper = dist(f, F, { rng: new Rng(4), starts: 8, maxRounds: 8 });
    expect(authors.c).toBe(1);
    // The normalised ascent with step 0.01 ends within ~step of e2: |gap - beta| <= 1e-3.
    expect(Math.abs(authors.value - beta)).toBeLessThanOrEqual(1e-3);
    expect(Math.abs(proper.value - 0.5)).toBeLessThanOrEqual(1e-8);
    expect(authors.value - proper.value).toBeGreaterThan(0.49);
  });

  it('the subspace reduction gives the full-space answer for equal degrees, and rejects unequal ones', () => {
    // F^(3) on K = 3 centres of a random frame in D = 10, f = F^(3) + 0.3 relu(<x, w>)^3 with w in
    // the span: both depend only on the span, both 3-homogeneous.
    const D = 10;
    const K = 3;
    const M = randomOrthonormalFrame(new Rng(21), K, D);
    const F = fp(M, K, 2, D, 3);
    const w = new Float64Array(D);
    for (let j = 0; j < D; j++) w[j] = (M[j] + M[2 * D + j]) / Math.SQRT2;
    const Fw = fp(w, 1, 1, D, 3, 0.3);
    const f: ScalarFn = {
      dim: D,
      valueAndGrad(x, g) {
        const g2 = new Float64Array(D);
        const v = F.valueAndGrad(x, g) + Fw.valueAndGrad(x, g2);
        for (let j = 0; j < D; j++) g[j] += g2[j];
        return v;
      },
    };
    const full = dist(f, F, { rng: new Rng(1), starts: 24, maxRounds: 10, relTol: 1e-8 });
    const sub = dist(f, F, { rng: new Rng(1), starts: 24, maxRounds: 10, relTol: 1e-8, subspace: { basis: M, rank: K, degree: 3 } });
    expect(sub.dimSearched).toBe(K);
    expect(full.value).toBeGreaterThan(0.01);
    expect(Math.abs(sub.value - full.value)).toBeLessThanOrEqual(1e-6 * full.value);
    // The worst point lies in the span (unit norm after the lift).
    let inSpan = 0;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += M[k * D + j] * sub.worstX[j];
      inSpan += s * s;
    }
    expect(Math.abs(inSpan - 1)).toBeLessThanOrEqual(1e-12);
    const linear = reluPair(D, 0);
    expect(() => dist(linear, F, { rng: new Rng(1), subspace: { basis: M, rank: K, degree: 3 } })).toThrow(ConfigError);
  });

  it('validates its inputs', () => {
    expect(() => dist(reluPair(3, 1), reluPair(4, 0), { rng: new Rng(1) })).toThrow(ConfigError);
    expect(() => dist(reluPair(3, 1), reluPair(3, 0), { rng: new Rng(1), starts: 0 })).toThrow(/starts/);
    expect(() => authorsDist(reluPair(3, 1), reluPair(3, 0), new Float64Array(4), { rng: new Rng(1) })).toThrow(/X.length/);
  });
});

describe('dist(f, F): the reported value is never below the certified lower bound', () => {
  // A weak search (one start, two rounds) between unrelated pReLU-like functions is where the sup
  // at the best c could be under-found while later rounds found larger gaps; value is then lifted to
  // the final model h_S(best c) >= min_c h_S = lower. Seed 7049 gave value 0.744 < lower 0.996
  // before that lift.
  ptest.prop([fc.integer({ min: 1, max: 10_000 })], { numRuns: 25, seed: 11, examples: [[7049]] })('value >= lower for random pairs', (seed) => {
    const D = 6;
    const rng = new Rng(seed);
    const M1 = randomOrthonormalFrame(rng, 4, D);
    const M2 = randomOrthonormalFrame(rng, 4, D);
    const r = dist(fp(M1, 4, 2, D, 1), fp(M2, 4, 1, D, 3), { rng, starts: 1, maxRounds: 2 });
    expect(r.value).toBeGreaterThanOrEqual(r.lower);
  });
});
