import { describe, expect, it } from 'vitest';
import { fc, test as ptest } from '@fast-check/vitest';
import { Rng } from '../src/random/index.ts';
import { randomOrthonormalFrame, uniformSphere } from '../src/random/sampling.ts';
import {
  DataObjective,
  clusterObjective,
  extremalField,
  gp,
  sphereFlow,
  symmetricEigenvalues,
  tangentBasis,
  projectTangent,
  minNormConvex,
} from '../src/extremal/index.ts';
import { ConfigError } from '../src/validate.ts';

const P_VALUES = [1, 1.5, 2, 3, 4];

/** N copies of each centre (rows of M, K x D) with labels +-1: the noise-free data set. */
function noiseFree(M: Float64Array, K: number, K1: number, D: number, N: number) {
  const X = new Float64Array(N * K * D);
  const y = new Float64Array(N * K);
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < N; r++) {
      const i = k * N + r;
      X.set(M.subarray(k * D, (k + 1) * D), i * D);
      y[i] = k < K1 ? 1 : -1;
    }
  }
  return { X, y };
}

describe('G_p and x^(p) (PAPER.md s.4)', () => {
  ptest.prop([fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 1000 })], { numRuns: 40, seed: 3 })(
    'grad G_p(u) = p x^(p)(u) at unit u, and finite differences of G_p match it (p > 1) to 1e-6',
    (pi, seed) => {
      const p = P_VALUES[pi];
      const rng = new Rng(seed);
      const D = 6;
      const n = 12;
      const X = new Float64Array(n * D);
      rng.fillNormal(X);
      const y = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));
      const u = uniformSphere(rng, D);
      const obj = new DataObjective(X, y, p, D);
      const g = new Float64Array(D);
      obj.valueAndGrad(u, g);
      // x^(p) of a non-normalised w equals x^(p) of its direction.
      const w = u.map((v) => 3.7 * v);
      const xp = extremalField(X, y, w, p);
      for (let j = 0; j < D; j++) expect(Math.abs(g[j] - p * xp[j])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(g[j])));
      if (p > 1) {
        const h = 1e-6;
        for (let j = 0; j < D; j++) {
          const a = u.slice();
          const b = u.slice();
          a[j] += h;
          b[j] -= h;
          const fd = (gp(X, y, a, p) - gp(X, y, b, p)) / (2 * h);
          expect(Math.abs(fd - g[j])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(g[j])));
        }
      }
    },
  );

  ptest.prop([fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 1000 })], { numRuns: 30, seed: 4 })(
    'noise-free clusters: G_p(u) in R^D equals the reduced N (sum_+ relu(c_k)^p - sum_- relu(c_k)^p), c = M u',
    (pi, seed) => {
      const p = P_VALUES[pi];
      const rng = new Rng(seed);
      const K = 5;
      const K1 = 2;
      const D = 9;
      const N = 3;
      const M = randomOrthonormalFrame(rng, K, D);
      const { X, y } = noiseFree(M, K, K1, D, N);
      const u = uniformSphere(rng, D);
      const c = new Float64Array(K);
      for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) c[k] += M[k * D + j] * u[j];
      const red = clusterObjective({ K, K1, p, N });
      const full = gp(X, y, u, p);
      const reduced = red.valueAndGrad(c, new Float64Array(K));
      expect(Math.abs(full - reduced)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(full)));
      // p-homogeneity.
      expect(Math.abs(gp(X, y, u.map((v) => 2 * v), p) - Math.pow(2, p) * full)).toBeLessThanOrEqual(1e-12 * (1 + Math.pow(2, p) * Math.abs(full)));
    },
  );

  it('validates its inputs', () => {
    expect(() => new DataObjective(new Float64Array(5), new Float64Array(2), 3, 2)).toThrow(ConfigError);
    expect(() => clusterObjective({ K: 4, K1: 4, p: 3 })).toThrow(/K1/);
    expect(() => clusterObjective({ K: 4, K1: 2, p: 0.5 })).toThrow(/p/);
    expect(() => extremalField(new Float64Array(4), new Float64Array(2), new Float64Array(2), 2)).toThrow(/w/);
  });
});

describe('linear algebra helpers', () => {
  ptest.prop([fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 12 })], { numRuns: 30, seed: 8 })(
    'Jacobi recovers the spectrum of Q diag(l) Q^T to 1e-12 relative',
    (seed, n) => {
      const rng = new Rng(seed);
      const Q = randomOrthonormalFrame(rng, n, n);
      const l = Array.from({ length: n }, () => rng.normal() * 10);
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j] += Q[k * n + i] * l[k] * Q[k * n + j];
      const ev = symmetricEigenvalues(A, n);
      const sorted = [...l].sort((a, b) => a - b);
      const big = Math.max(...l.map(Math.abs));
      for (let i = 0; i < n; i++) expect(Math.abs(ev[i] - sorted[i])).toBeLessThanOrEqual(1e-12 * big);
    },
  );

  it('tangent bases are orthonormal and orthogonal to u; minNormConvex finds the closest hull point', () => {
    const rng = new Rng(2);
    const u = uniformSphere(rng, 7);
    for (const m of [6, 3]) {
      const B = tangentBasis(u, m, rng);
      for (let a = 0; a < m; a++) {
        let cu = 0;
        for (let i = 0; i < 7; i++) cu += B[a * 7 + i] * u[i];
        expect(Math.abs(cu)).toBeLessThanOrEqual(1e-14);
        for (let b = 0; b < m; b++) {
          let s = 0;
          for (let i = 0; i < 7; i++) s += B[a * 7 + i] * B[b * 7 + i];
          expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThanOrEqual(1e-14);
        }
      }
    }
    // Hull of (1, 1), (-1, 1), (0, 3): the min-norm point is (0, 1).
    const out = new Float64Array(2);
    const nrm = minNormConvex([Float64Array.from([1, 1]), Float64Array.from([-1, 1]), Float64Array.from([0, 3])], out);
    expect(Math.abs(nrm - 1)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(out[0])).toBeLessThanOrEqual(1e-9);
  });
});

describe('the reduced alignment flow', () => {
  it('ascent from a start near mu_1 at p = 3 converges to mu_1 with G increasing; descent goes to a negative centre', () => {
    const obj = clusterObjective({ K: 4, K1: 2, p: 3, N: 5 });
    const u0 = Float64Array.from([0.9, 0.3, 0.2, 0.1]);
    const up = sphereFlow(obj, u0, { sign: 1 });
    expect(['converged', 'stalled']).toContain(up.reason);
    expect(up.u[0]).toBeGreaterThan(1 - 1e-12);
    expect(up.value).toBeGreaterThan(obj.valueAndGrad(u0.map((v) => v / Math.hypot(...u0)), new Float64Array(4)));
    expect(up.gradNorm).toBeLessThanOrEqual(1e-6);
    const down = sphereFlow(obj, u0, { sign: -1 });
    expect(down.value).toBeLessThan(-5 + 1e-9);
    expect(Math.max(Math.abs(down.u[2]), Math.abs(down.u[3]))).toBeGreaterThan(1 - 1e-9);
  });

  it('p = 1: an inactive positive cluster stays inactive (no step jumps across the kink)', () => {
    // Continuous flow: dc_k/dt = -p G c_k for an inactive k, so c_k -> 0^- and never crosses (flow.ts).
    const obj = clusterObjective({ K: 4, K1: 2, p: 1, N: 1 });
    const r = sphereFlow(obj, Float64Array.from([0.8, -0.3, 0.2, -0.4]), { sign: 1 });
    expect(r.u[1]).toBeLessThanOrEqual(0);
    expect(r.u[0]).toBeGreaterThan(1 - 1e-9);
    expect(r.value).toBeGreaterThan(1 - 1e-9);
  });

  it('reports why it stopped', () => {
    const obj = clusterObjective({ K: 3, K1: 1, p: 3 });
    expect(sphereFlow(obj, Float64Array.from([0.5, 0.5, 0.5]), { sign: 1, maxSteps: 0 }).reason).toBe('max-steps');
    expect(sphereFlow(obj, new Float64Array(3), { sign: 1 }).reason).toBe('non-finite');
    const r = sphereFlow(obj, Float64Array.from([1, 0, 0]), { sign: 1 });
    expect(r.reason).toBe('converged');
    expect(r.steps).toBe(0);
    const g = new Float64Array(3);
    const rr = new Float64Array(3);
    obj.valueAndGrad(r.u, g);
    expect(projectTangent(r.u, g, rr)).toBe(0);
  });
});
