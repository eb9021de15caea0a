/**
 * Structural properties of the pReLU net (PAPER.md s.2, s.3), issue 2:
 * - each unit is 1-homogeneous in w_j and f is linear in v_j;
 * - f - b is p-homogeneous in x~ without normalisation and 1-homogeneous with it;
 * - v_j dL/dv_j = <w_j, dL/dw_j> for every j (why v_j^2 - ||w_j||^2 is conserved);
 * - inputGrad agrees with central finite differences;
 * - the w_j = 0 and x = xbar conventions give 0, never NaN.
 */
import { describe, expect, test } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { Rng } from '../src/random/index.ts';
import {
  balanceGaps, createGrad, createNet, forward, gradView, hiddenFeatures, inputGrad, lossAndGrad, netView, paramCount, stableRank,
  type PReluNet,
} from '../src/network/index.ts';
import { randomCase, relMaxErr } from './network.helpers.ts';

const pArb = fc.double({ min: 1, max: 5, noNaN: true, noDefaultInfinity: true });
const base = {
  p: pArb,
  bias: fc.boolean(),
  centre: fc.boolean(),
  normalise: fc.boolean(),
  D: fc.integer({ min: 1, max: 6 }),
  h: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
};

function withRow(net: PReluNet, j: number, fn: (W: Float64Array, v: Float64Array) => void): PReluNet {
  const W = net.W.slice();
  const v = net.v.slice();
  fn(W, v);
  return { ...net, W, v, b: net.b };
}

/** sum over units of |unit output| at each sample: the scale against which f is compared. */
function unitScale(net: PReluNet, X: Float64Array, n: number): Float64Array {
  const abs = { ...net, v: net.v.map(Math.abs), b: 0, hasBias: false };
  return forward(abs, X, n);
}

describe('homogeneity in the weights', () => {
  ptest.prop([fc.record({ ...base, j: fc.nat(), c: fc.double({ min: 0.01, max: 100, noNaN: true }) })], { numRuns: 100, seed: 11 })(
    'f(c w_j) - f = (c - 1) unit_j and f(v_j + c) - f = c * unit_j/v_j, to 1e-12 of sum |units|',
    (a) => {
      const { net, X, n } = randomCase(a);
      const j = a.j % net.h;
      const f0 = forward(net, X, n);
      const scaleRef = unitScale(net, X, n);
      const off = forward(withRow(net, j, (_W, v) => { v[j] = 0; }), X, n);
      const one = forward(withRow(net, j, (_W, v) => { v[j] = 1; }), X, n);
      const scaledW = forward(withRow(net, j, (W) => { for (let k = 0; k < net.D; k++) W[j * net.D + k] *= a.c; }), X, n);
      const shiftedV = forward(withRow(net, j, (_W, v) => { v[j] += a.c; }), X, n);
      for (let i = 0; i < n; i++) {
        const unit = f0[i] - off[i];
        // The bias cancels in the differences and leaves eps |b| of rounding.
        const tol = 1e-12 * ((scaleRef[i] + Math.abs(one[i] - off[i])) * (1 + a.c) + Math.abs(net.b)) + 1e-300;
        expect(Math.abs(scaledW[i] - off[i] - a.c * unit)).toBeLessThanOrEqual(tol);
        expect(Math.abs(shiftedV[i] - f0[i] - a.c * (one[i] - off[i]))).toBeLessThanOrEqual(tol);
      }
    },
  );
});

describe('homogeneity in the input', () => {
  ptest.prop([fc.record({ ...base, t: fc.double({ min: 0.05, max: 20, noNaN: true }) })], { numRuns: 100, seed: 12 })(
    'f(xbar + t(x - xbar)) - b = t^p (f(x) - b) without normalisation, t (f(x) - b) with it',
    (a) => {
      const { net, X, n } = randomCase(a);
      const { D } = net;
      const Xt = X.slice();
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < D; k++) {
          const c = net.centre ? net.centre[k] : 0;
          Xt[i * D + k] = c + a.t * (X[i * D + k] - c);
        }
      }
      const f0 = forward(net, X, n);
      const f1 = forward(net, Xt, n);
      const scaleRef = unitScale(net, X, n);
      const degree = net.normalise ? 1 : net.p;
      const factor = Math.pow(a.t, degree);
      for (let i = 0; i < n; i++) {
        // f - b loses eps |b| to cancellation when a bias is present.
        expect(Math.abs(f1[i] - net.b - factor * (f0[i] - net.b))).toBeLessThanOrEqual(1e-12 * (factor * scaleRef[i] + (1 + factor) * Math.abs(net.b)) + 1e-300);
      }
    },
  );

  test('normalisation really changes the degree: for p = 3 without it, f(2x) = 8 f(x) exactly up to rounding', () => {
    const a = randomCase({ D: 4, h: 3, n: 3, p: 3, bias: false, centre: false, normalise: false, seed: 5 });
    const f1 = forward(a.net, a.X, a.n);
    const f2 = forward(a.net, a.X.map((x) => 2 * x), a.n);
    const f2n = forward({ ...a.net, normalise: true }, a.X.map((x) => 2 * x), a.n);
    const f1n = forward({ ...a.net, normalise: true }, a.X, a.n);
    expect(relMaxErr(f2, f1.map((f) => 8 * f))).toBeLessThanOrEqual(1e-14);
    expect(relMaxErr(f2n, f1n.map((f) => 2 * f))).toBeLessThanOrEqual(1e-14);
    expect(relMaxErr(f1n, f1)).toBeGreaterThan(1e-3);
  });
});

describe('conservation: v_j dL/dv_j = <w_j, dL/dw_j>', () => {
  ptest.prop([fc.record({ ...base, loss: fc.constantFrom('exp' as const, 'logistic' as const), reduction: fc.constantFrom('sum' as const, 'mean' as const) })], { numRuns: 150, seed: 13 })(
    'to 1e-10 relative for every unit',
    (a) => {
      const { net, X, y, n } = randomCase(a);
      const g = createGrad(net);
      lossAndGrad(net, X, y, n, { loss: a.loss, reduction: a.reduction }, g);
      for (let j = 0; j < net.h; j++) {
        const lhs = net.v[j] * g.v[j];
        let rhs = 0, mag = Math.abs(lhs);
        for (let k = 0; k < net.D; k++) {
          rhs += net.W[j * net.D + k] * g.W[j * net.D + k];
          mag += Math.abs(net.W[j * net.D + k] * g.W[j * net.D + k]);
        }
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * mag);
      }
    },
  );
});

describe('inputGrad', () => {
  ptest.prop([fc.record(base)], { numRuns: 100, seed: 14 })(
    'returns f(x) and df/dx matching central differences to relative 1e-6',
    (a) => {
      const { net, X, n } = randomCase({ ...a, kinkGap: 0.05 });
      const { D } = net;
      const fAll = forward(net, X, n);
      const g = new Float64Array(D);
      const fd = new Float64Array(D);
      const xb = new Float64Array(D + 3);
      for (let i = 0; i < n; i++) {
        const f = inputGrad(net, X, g, i * D);
        expect(Math.abs(f - fAll[i])).toBeLessThanOrEqual(1e-13 * (Math.abs(fAll[i]) + unitScale(net, X.subarray(i * D, (i + 1) * D), 1)[0]));
        xb.set(X.subarray(i * D, (i + 1) * D), 3);
        for (let k = 0; k < D; k++) {
          const x0 = xb[3 + k];
          const eps = 1e-6 * Math.max(1, Math.abs(x0));
          xb[3 + k] = x0 + eps;
          const fp = forward(net, xb.subarray(3), 1)[0];
          xb[3 + k] = x0 - eps;
          const fm = forward(net, xb.subarray(3), 1)[0];
          xb[3 + k] = x0;
          fd[k] = (fp - fm) / (2 * eps);
        }
        // The offset form reads the same numbers from a longer array.
        const g2 = new Float64Array(D);
        expect(inputGrad(net, xb, g2, 3)).toBe(f);
        expect(Array.from(g2)).toEqual(Array.from(g));
        expect(relMaxErr(g, fd)).toBeLessThanOrEqual(1e-6);
      }
    },
  );
});

describe('hidden features', () => {
  ptest.prop([fc.record(base)], { numRuns: 50, seed: 15 })('f = features v + b to 1e-13 of sum |units|', (a) => {
    const { net, X, n } = randomCase(a);
    const A = hiddenFeatures(net, X, n);
    const f = forward(net, X, n);
    const scaleRef = unitScale(net, X, n);
    for (let i = 0; i < n; i++) {
      let s = net.b;
      for (let j = 0; j < net.h; j++) {
        expect(A[i * net.h + j]).toBeGreaterThanOrEqual(0);
        s += net.v[j] * A[i * net.h + j];
      }
      expect(Math.abs(s - f[i])).toBeLessThanOrEqual(1e-13 * (scaleRef[i] + Math.abs(net.b)) + 1e-300);
    }
  });
});

describe('degenerate points', () => {
  test('a zero unit w_j = 0 contributes 0 with zero gradient (p > 1 and p = 1), never NaN', () => {
    for (const p of [1, 1.5, 3]) {
      const c = randomCase({ D: 4, h: 3, n: 5, p, bias: true, centre: true, normalise: true, seed: 3 });
      c.net.W.fill(0, 4, 8);
      const g = createGrad(c.net);
      const L = lossAndGrad(c.net, c.X, c.y, c.n, { loss: 'logistic', reduction: 'mean' }, g);
      expect(Number.isFinite(L)).toBe(true);
      expect(Array.from(g.W.subarray(4, 8))).toEqual([0, 0, 0, 0]);
      expect(g.v[1]).toBe(0);
      for (const x of [...g.W, ...g.v, g.b]) expect(Number.isFinite(x)).toBe(true);
      const without = forward({ ...c.net, v: c.net.v.map((x, j) => (j === 1 ? 0 : x)) }, c.X, c.n);
      expect(Array.from(forward(c.net, c.X, c.n))).toEqual(Array.from(without));
    }
  });

  test('with normalisation, x = xbar gives f = b and a zero input gradient for p > 1', () => {
    const c = randomCase({ D: 5, h: 4, n: 1, p: 2.5, bias: true, centre: true, normalise: true, seed: 4 });
    const x = c.net.centre!.slice();
    const g = new Float64Array(5).fill(7);
    expect(inputGrad(c.net, x, g)).toBe(c.net.b);
    expect(Array.from(g)).toEqual([0, 0, 0, 0, 0]);
    expect(forward(c.net, x, 1)[0]).toBe(c.net.b);
  });
});

describe('packed views and initialisations', () => {
  test('netView/gradView read and write through the packed vectors, including b', () => {
    const D = 3, h = 2;
    const theta = Float64Array.from({ length: paramCount(D, h, true) }, (_, i) => Math.sin(i + 1));
    const net = netView(D, h, 2, theta, { bias: true });
    expect(net.b).toBe(theta[h * D + h]);
    theta[h * D + h] = 0.25;
    expect(net.b).toBe(0.25);
    net.W[0] = 9;
    expect(theta[0]).toBe(9);
    const gvec = new Float64Array(theta.length);
    const g = gradView(D, h, gvec, true);
    const X = Float64Array.from([1, 2, 3, 0.5, -1, 2]);
    const y = Float64Array.from([1, -1]);
    const own = createGrad(net);
    lossAndGrad(net, X, y, 2, { loss: 'exp', reduction: 'sum' }, g);
    lossAndGrad(net, X, y, 2, { loss: 'exp', reduction: 'sum' }, own);
    expect(Array.from(gvec)).toEqual([...own.W, ...own.v, own.b]);
  });

  test('balanced init: |v_j| = ||w_j|| = scale (gap 0 to 1e-15 relative), both signs present', () => {
    const net = createNet({ D: 30, h: 400, p: 3, init: 'balanced', scale: 1e-3 }, new Rng(1));
    for (const gap of balanceGaps(net)) expect(Math.abs(gap)).toBeLessThanOrEqual(1e-15 * 1e-6);
    const pos = Array.from(net.v).filter((x) => x > 0).length;
    expect(pos).toBeGreaterThan(150);
    expect(pos).toBeLessThan(250);
    expect(net.b).toBe(0);
  });

  test('gaussian init: entries N(0, scale^2), default scale 1e-7 (sample sd within 4 standard errors)', () => {
    const net = createNet({ D: 50, h: 200, p: 1, init: 'gaussian' }, new Rng(2));
    const m = net.W.length;
    let s2 = 0, s = 0;
    for (const w of net.W) { s += w; s2 += w * w; }
    const sd = Math.sqrt(s2 / m);
    expect(Math.abs(sd - 1e-7)).toBeLessThanOrEqual(4 * 1e-7 / Math.sqrt(2 * m));
    expect(Math.abs(s / m)).toBeLessThanOrEqual(4 * 1e-7 / Math.sqrt(m));
  });

  test('kaiming init: W in (-1/sqrt(D), 1/sqrt(D)), v and b in (-1/sqrt(h), 1/sqrt(h)), spread over the range', () => {
    const D = 784, h = 500;
    const net = createNet({ D, h, p: 2, init: 'kaiming', bias: true }, new Rng(3));
    const bw = 1 / Math.sqrt(D), bv = 1 / Math.sqrt(h);
    let mx = 0, mv = 0;
    for (const w of net.W) mx = Math.max(mx, Math.abs(w));
    for (const v of net.v) mv = Math.max(mv, Math.abs(v));
    expect(mx).toBeLessThan(bw);
    expect(mx).toBeGreaterThan(0.999 * bw);
    expect(mv).toBeLessThan(bv);
    expect(mv).toBeGreaterThan(0.95 * bv);
    expect(Math.abs(net.b)).toBeLessThan(bv);
    expect(net.b).not.toBe(0);
  });

  test('stable rank: 1 for a rank-one matrix, r for an orthonormal r x c matrix, to 1e-10', () => {
    const A = Float64Array.from({ length: 12 }, (_, i) => (1 + (i >> 2)) * (1 + (i & 3)));
    expect(Math.abs(stableRank(A, 3, 4) - 1)).toBeLessThanOrEqual(1e-10);
    const I = new Float64Array(3 * 5);
    for (let k = 0; k < 3; k++) I[k * 5 + k] = 1;
    expect(Math.abs(stableRank(I, 3, 5) - 3)).toBeLessThanOrEqual(1e-10);
    const T = new Float64Array(5 * 3);
    for (let k = 0; k < 3; k++) T[k * 3 + k] = 1;
    expect(Math.abs(stableRank(T, 5, 3) - 3)).toBeLessThanOrEqual(1e-10);
    const Z = new Float64Array(6);
    expect(stableRank(Z, 2, 3)).toBe(0);
  });
});
