import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { Rng } from '../src/random/rng.ts';
import { nnlsGram } from '../src/vardi/nnls.ts';
import { kktReport } from '../src/vardi/kkt.ts';
import { appendConstant, scaleData, universalDirection, vardiData, type LabelledData } from '../src/vardi/data.ts';
import { flipRadiusAlong, restrictedModel } from '../src/vardi/flipRadius.ts';
import { templateCertifiedRadius, templateNet, vardiRobustNet, ownTemplateDirection } from '../src/vardi/robustConstruction.ts';
import { logLogSlope } from '../src/vardi/slopeFit.ts';
import { forward } from '../src/network/forward.ts';
import { createNet } from '../src/network/create.ts';
import type { PReluNet } from '../src/network/types.ts';

function gram(A: number[][]): { Q: Float64Array; k: number } {
  const k = A[0].length;
  const Q = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (const row of A) Q[i * k + j] += row[i] * row[j];
  return { Q, k };
}

describe('NNLS (Lawson-Hanson, Gram form)', () => {
  it('solves a hand case with one active constraint', () => {
    // min ||A l - t||^2, A = I (2 x 2), t = (1, -2): lambda = (1, 0).
    const { Q, k } = gram([[1, 0], [0, 1]]);
    const r = nnlsGram(Q, new Float64Array([1, -2]), k);
    // Tolerance: the Cholesky ridge is 1e-14 * max diag.
    expect(Math.abs(r.lambda[0] - 1)).toBeLessThan(1e-12);
    expect(r.lambda[1]).toBe(0);
  });
  it('solves a coupled hand case', () => {
    // A = [[1, 1], [0, 1]], t = (2, -1): unconstrained (3, -1) is infeasible; with l2 = 0 the best
    // l1 = argmin (l1 - 2)^2 + 1 = 2; with l1 = 0: (l2-2)^2 + (l2+1)^2 -> l2 = 0.5, value 4.5 > 1.
    const A = [[1, 1], [0, 1]];
    const { Q, k } = gram(A);
    const t = [2, -1];
    const c = new Float64Array([A[0][0] * t[0] + A[1][0] * t[1], A[0][1] * t[0] + A[1][1] * t[1]]);
    const r = nnlsGram(Q, c, k);
    expect(r.lambda[0]).toBeCloseTo(2, 12);
    expect(r.lambda[1]).toBe(0);
  });
  it('satisfies the NNLS optimality conditions on random problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), (seed) => {
        const rng = new Rng(seed);
        const m = 8, k = 5;
        const A = Array.from({ length: m }, () => Array.from({ length: k }, () => rng.normal()));
        const t = Array.from({ length: m }, () => rng.normal());
        const { Q } = gram(A);
        const c = new Float64Array(k);
        for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) c[j] += A[i][j] * t[i];
        const { lambda } = nnlsGram(Q, c, k);
        for (let j = 0; j < k; j++) {
          let g = c[j];
          for (let l = 0; l < k; l++) g -= Q[j * k + l] * lambda[l];
          expect(lambda[j]).toBeGreaterThanOrEqual(0);
          // KKT of NNLS: g <= 0 where lambda = 0, g = 0 where lambda > 0.
          if (lambda[j] > 0) expect(Math.abs(g)).toBeLessThan(1e-9);
          else expect(g).toBeLessThan(1e-9);
        }
      }),
      { seed: 7, numRuns: 30 },
    );
  });
});

/** Points sqrt(d) e_i, one neuron per point: an exact KKT point with lambda_i = 1/sqrt(d). */
function exactKkt(d: number, y: number[], extra = false): { net: PReluNet; data: LabelledData } {
  const n = y.length;
  const h = n + (extra ? 1 : 0);
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) X[i * d + i] = Math.sqrt(d);
  const a = Math.pow(d, -0.25); // q_i = a^2 sqrt(d) = 1
  const W = new Float64Array(h * d);
  const v = new Float64Array(h);
  for (let i = 0; i < n; i++) {
    W[i * d + i] = a;
    v[i] = y[i] * a;
  }
  if (extra) {
    // A neuron active on no training point: nothing in the cone of grad q_i can produce it.
    for (let k = 0; k < d; k++) W[n * d + k] = -0.3;
    v[n] = 0.3;
  }
  return { net: { D: d, h, p: 1, W, v, b: 0, hasBias: false, centre: null, normalise: false }, data: { n, D: d, X, y: Float64Array.from(y) } };
}

describe('KKT report', () => {
  it('is zero on a constructed exact KKT point, with lambda = 1/sqrt(d)', () => {
    const { net, data } = exactKkt(9, [1, -1, 1, 1]);
    const r = kktReport(net, data, { gapTol: 1e-12 });
    expect(r.margin).toBeCloseTo(1, 12);
    // Clarke fit (iterative, stops at gapTol) and the exact one-sided NNLS fit.
    expect(r.stationarity).toBeLessThan(1e-10);
    expect(r.stationarityIndicator).toBeLessThan(1e-12);
    expect(Math.abs(r.slackness)).toBeLessThan(1e-10);
    expect(r.kinkPairs).toBe(12); // every (point, other neuron) pair has <w_j, x_i> = 0 exactly
    for (const l of r.lambda) expect(l).toBeCloseTo(1 / 3, 9);
    expect(r.support).toBe(4);
    expect(r.marginPoints).toBe(4);
  });
  it('is invariant to rescaling the net (normalisation by the margin)', () => {
    const { net, data } = exactKkt(9, [1, -1, 1], true);
    const r1 = kktReport(net, data);
    const s = 7.5;
    const scaled = { ...net, W: net.W.map((w) => w * s), v: net.v.map((w) => w * s) };
    const r2 = kktReport(scaled, data);
    expect(r1.stationarity).toBeGreaterThan(0.1); // the dead neuron is not explained by any point
    expect(Math.abs(r1.stationarity - r2.stationarity)).toBeLessThan(1e-12);
    expect(Math.abs(r1.slackness - r2.slackness)).toBeLessThan(1e-12);
  });
  it('detects a non-KKT point: unequal margins give positive slackness', () => {
    const { net, data } = exactKkt(9, [1, -1]);
    net.W[0] *= 2; // q_0 = 2, q_1 = 1 and theta_0 no longer proportional to grad q_0 alone
    const r = kktReport(net, data);
    expect(r.stationarity + r.slackness).toBeGreaterThan(0.05);
  });
});

describe('hidden biases through a constant coordinate keep 2-homogeneity', () => {
  it('f(x; s theta) = s^2 f(x; theta) on (x, 1)', () => {
    const rng = new Rng(3);
    const data = appendConstant(vardiData(5, 6, rng));
    const net = createNet({ D: 7, h: 4, p: 1, init: 'gaussian', scale: 1 }, rng);
    const f1 = forward(net, data.X, data.n);
    const s = 2.5;
    const f2 = forward({ ...net, W: net.W.map((w) => w * s), v: net.v.map((w) => w * s) }, data.X, data.n);
    for (let i = 0; i < data.n; i++) expect(Math.abs(f2[i] - s * s * f1[i])).toBeLessThan(1e-12 * (1 + Math.abs(f2[i])));
  });
});

describe('flip radius along the universal direction', () => {
  it('matches the hand computation for a linear-on-the-data ReLU net', () => {
    // f(x) = relu(<e1, x>) - relu(<-e1, x>) = x_1; at x = (2, 0), u = e1: flip at distance 2.
    const net: PReluNet = { D: 2, h: 2, p: 1, W: new Float64Array([1, 0, -1, 0]), v: new Float64Array([1, -1]), b: 0, hasBias: false, centre: null, normalise: false };
    const r = flipRadiusAlong(restrictedModel(net, 2), new Float64Array([2, 0]), new Float64Array([3, 0]), 10);
    expect(Math.abs(r - 2)).toBeLessThan(1e-9);
    // Direction along -sign(f) u: for x = (-1.5, 0) (negative), moving along +e1 flips at 1.5.
    const r2 = flipRadiusAlong(restrictedModel(net, 2), new Float64Array([-1.5, 0]), new Float64Array([1, 0]), 10);
    expect(Math.abs(r2 - 1.5)).toBeLessThan(1e-9);
  });
  it('restrictedModel leaves the constant coordinate alone', () => {
    // f(x, c) = relu(x_1 - c): with c = 1 at x_1 = 3, flipping (to f = 0 <= 0) needs distance 2.
    const net: PReluNet = { D: 2, h: 1, p: 1, W: new Float64Array([1, -1]), v: new Float64Array([1]), b: 0, hasBias: false, centre: null, normalise: false };
    const r = flipRadiusAlong(restrictedModel(net, 1, [1]), new Float64Array([3]), new Float64Array([1]), 10);
    expect(Math.abs(r - 2)).toBeLessThan(1e-9);
  });
  it('universal direction is sum_i y_i x_i and zero on the constant coordinate', () => {
    const data: LabelledData = { n: 2, D: 2, X: new Float64Array([1, 2, 3, 5]), y: new Float64Array([1, -1]) };
    expect(Array.from(universalDirection(data))).toEqual([-2, -3]);
    expect(Array.from(universalDirection(appendConstant(data)))).toEqual([-2, -3, 0]);
  });
});

describe('robust constructions', () => {
  it('Vardi construction: certified radius ~ sqrt(d)/2, never above an actual flip', () => {
    const rng = new Rng(11);
    const d = 400, n = 20;
    const data = vardiData(n, d, rng);
    const tn = vardiRobustNet(data);
    const model = restrictedModel(tn.net, d, [tn.C]);
    for (let i = 0; i < n; i++) {
      const x = data.X.subarray(i * d, (i + 1) * d);
      const c = templateCertifiedRadius(tn, x, data.y[i]);
      expect(c).toBeGreaterThan(0.3 * Math.sqrt(d)); // 1/2 sqrt(d) - O(sqrt(log n))
      expect(c).toBeLessThanOrEqual(Math.sqrt(d) / 2 + 1e-9); // own term = ||x_i|| / 2
      const a = flipRadiusAlong(model, x, ownTemplateDirection(tn, x, data.y[i]), 4 * c, 64);
      expect(a).toBeGreaterThanOrEqual(c - 1e-9);
    }
  });
  it('template net: closed form is exact on orthogonal templates (own unit binds)', () => {
    // Templates 2 e1 (+), 2 e2 (-), point x = 2 e1: own term (4 - 2)/2 = 1, other (2 - 0)/2 = 1.
    const tn = templateNet(new Float64Array([2, 0, 0, 2]), new Float64Array([1, -1]), 2);
    const x = new Float64Array([2, 0]);
    expect(templateCertifiedRadius(tn, x, 1)).toBeCloseTo(1, 12);
    // Soundness: no direction of a 64-direction grid flips strictly inside r = 1.
    const model = restrictedModel(tn.net, 2, [tn.C]);
    for (let k = 0; k < 64; k++) {
      const th = (2 * Math.PI * k) / 64;
      const r = flipRadiusAlong(model, x, new Float64Array([Math.cos(th), Math.sin(th)]), 5, 200);
      expect(r).toBeGreaterThanOrEqual(1 - 1e-9);
    }
  });
});

describe('log-log slope', () => {
  it('recovers an exact power law and its zero-width interval', () => {
    const x = [1, 2, 4, 8, 16];
    const f = logLogSlope(x, x.map((t) => 3 * Math.pow(t, 0.5)));
    expect(Math.abs(f.slope - 0.5)).toBeLessThan(1e-12);
    expect(f.upper - f.lower).toBeLessThan(1e-9);
  });
});

describe('unit scaling', () => {
  it('scaleData scales X and keeps labels', () => {
    const data = vardiData(3, 4, new Rng(1));
    const s = scaleData(data, 0.5);
    for (let t = 0; t < data.X.length; t++) expect(s.X[t]).toBe(0.5 * data.X[t]);
    expect(s.y).toBe(data.y);
  });
});
