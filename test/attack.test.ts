/**
 * Attacks (src/robustness): APGD finds known radii, the authors' zero-start PGD over-reports the
 * F^(3) radius while the strong attack finds sqrt(2)/2 (PAPER.md s.5, s.8), projections are feasible.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { apgd } from '../src/robustness/apgd.ts';
import { normOf, projectBall, type NormKind } from '../src/robustness/ball.ts';
import { bisectRadius, strongMinNorm } from '../src/robustness/minnorm.ts';
import { evaluateRobustness } from '../src/robustness/evaluate.ts';
import { binaryObjective, multiclassObjective, scalarModel, type VectorModel } from '../src/robustness/model.ts';
import { netModel } from '../src/robustness/netmodel.ts';
import { pgdL2 } from '../src/robustness/pgd.ts';
import { netTargets } from '../src/robustness/targets.ts';
import { Rng } from '../src/random/rng.ts';
import type { PReluNet } from '../src/network/types.ts';

const K = 10;
const K1 = 6;

/** F^(p) as a pReLU net: neurons mu_k = e_k, v = +-1 (PAPER.md s.5). */
function fp(p: number, D = K): PReluNet {
  const W = new Float64Array(K * D);
  for (let k = 0; k < K; k++) W[k * D + k] = 1;
  const v = Float64Array.from({ length: K }, (_, k) => (k < K1 ? 1 : -1));
  return { D, h: K, p, W, v, b: 0, hasBias: false, centre: null, normalise: false };
}

/** F = relu(<x, mu_+>) - relu(<x, mu_->) as a two-unit ReLU net. */
function fRelu(D = K): PReluNet {
  const W = new Float64Array(2 * D);
  for (let k = 0; k < K; k++) W[(k < K1 ? 0 : 1) * D + k] = 1;
  return { D, h: 2, p: 1, W, v: new Float64Array([1, -1]), b: 0, hasBias: false, centre: null, normalise: false };
}

const e = (k: number, D = K): Float64Array => {
  const x = new Float64Array(D);
  x[k] = 1;
  return x;
};

describe('APGD on models with a known minimal radius', () => {
  it('linear model: l2, l_inf and l1 radii margin/||w||_q found to 1%', () => {
    const rng = new Rng(11);
    const D = 12;
    const w = rng.fillNormal(new Float64Array(D));
    const x0 = rng.fillNormal(new Float64Array(D));
    const b = 1.5 - w.reduce((s, wi, i) => s + wi * x0[i], 0); // f(x0) = 1.5
    const model = scalarModel(D, (x) => b + x.reduce((s, xi, i) => s + xi * w[i], 0), (x, g) => {
      g.set(w);
      return b + x.reduce((s, xi, i) => s + xi * w[i], 0);
    });
    const obj = binaryObjective(model, 1, 'ce');
    const exact: Record<NormKind, number> = {
      l2: 1.5 / Math.hypot(...w),
      linf: 1.5 / w.reduce((s, v) => s + Math.abs(v), 0),
      l1: 1.5 / Math.max(...Array.from(w, Math.abs)),
    };
    for (const norm of ['l2', 'linf', 'l1'] as const) {
      const res = bisectRadius(obj, x0, 4 * exact[norm], 25, (r) => apgd(obj, x0, r, rng, { norm, steps: 60, restarts: 1 }), norm);
      expect(Math.abs(res.radius / exact[norm] - 1), norm).toBeLessThan(0.01);
      expect(res.radius).toBeGreaterThanOrEqual(exact[norm] * (1 - 1e-9)); // never below the truth
    }
  });

  it('F at a noise-free centre: APGD bisection gives 1/sqrt(K) to 1% (PAPER.md s.5)', () => {
    const net = fRelu();
    const obj = binaryObjective(netModel(net), 1, 'ce');
    const rng = new Rng(3);
    const res = bisectRadius(obj, e(0), 1.5, 25, (r) => apgd(obj, e(0), r, rng, { steps: 100, restarts: 1 }));
    expect(Math.abs(res.radius * Math.sqrt(K) - 1)).toBeLessThan(0.01);
  });

  it('multi-class CE objective: APGD flips a 3-class linear model at its exact l2 radius to 1%', () => {
    // logits l_c = <x, w_c> + o_c; from x0 with label 0 the minimal l2 flip is
    // min_c (l_0 - l_c)/||w_0 - w_c||. Class 1 is offset far down so that CE's ascent direction is the
    // flipping one (with two competing classes CE's maximiser mixes them and APGD-CE was measured 4%
    // above the exact radius in this example: a known CE limitation, not tested here).
    const D = 5;
    const offset = [0, -10, 0];
    const Wc = [new Float64Array([1, 0, 0, 0, 0]), new Float64Array([0, 1, 0, 0, 0]), new Float64Array([0, 0, 2, 0, 0])];
    const model: VectorModel = {
      dim: D,
      classes: 3,
      logits: (x, out) => Wc.forEach((w, c) => (out[c] = offset[c] + w.reduce((s, wi, i) => s + wi * x[i], 0))),
      vjp: (_x, coef, g) => {
        g.fill(0);
        Wc.forEach((w, c) => w.forEach((wi, i) => (g[i] += coef[c] * wi)));
      },
    };
    const x0 = new Float64Array([1, 0.2, 0.1, 0, 0]);
    const exact = (1 - 0.2) / Math.sqrt(5);
    const obj = multiclassObjective(model, 0);
    const rng = new Rng(4);
    const res = bisectRadius(obj, x0, 2, 25, (r) => apgd(obj, x0, r, rng, { steps: 80 }));
    expect(Math.abs(res.radius / exact - 1)).toBeLessThan(0.01);
    // With both competitors in play (no offset), the targeted margin loss run once per other class
    // finds the exact radius (the minimum over targets).
    offset[1] = 0;
    const both = Math.min(0.8 / Math.SQRT2, 0.8 / Math.sqrt(5));
    const perTarget = [1, 2].map((t) => {
      const m = multiclassObjective(model, 0, 'margin', t);
      return bisectRadius(m, x0, 2, 25, (r) => apgd(m, x0, r, rng, { steps: 80 })).radius;
    });
    expect(Math.abs(Math.min(...perTarget) / both - 1)).toBeLessThan(0.01);
  });
});

describe('evaluateRobustness on a multi-class model', () => {
  it('3-class linear model: the strong attack (with targeted margins) matches the exact l2 radius to 1%', () => {
    const D = 4;
    const Wc = [new Float64Array([1, 0, 0, 0]), new Float64Array([0, 1, 0, 0]), new Float64Array([0, 0, 2, 0])];
    const model: VectorModel = {
      dim: D,
      classes: 3,
      logits: (x, out) => Wc.forEach((w, c) => (out[c] = w.reduce((s, wi, i) => s + wi * x[i], 0))),
      vjp: (_x, coef, g) => {
        g.fill(0);
        Wc.forEach((w, c) => w.forEach((wi, i) => (g[i] += coef[c] * wi)));
      },
    };
    const X = new Float64Array([1, 0.2, 0.1, 0, 0.1, 0.9, 0.2, 0.3, 0.2, 0.1, 0.8, 0]);
    const y = new Float64Array([0, 1, 2]);
    const rep = evaluateRobustness({ kind: 'multiclass', model }, { n: 3, D, X, y }, { radii: [0, 0.2, 0.4], apgd: { steps: 40 }, strong: { bisections: 12, apgd: { steps: 60 } } });
    for (let i = 0; i < 3; i++) {
      const x = X.subarray(i * D, (i + 1) * D);
      const l = Wc.map((w) => w.reduce((s, wi, k) => s + wi * x[k], 0));
      const exact = Math.min(...[0, 1, 2].filter((c) => c !== y[i]).map((c) => (l[y[i]] - l[c]) / Math.hypot(...Wc[y[i]].map((v, k) => v - Wc[c][k]))));
      expect(rep.points[i].correct).toBe(true);
      expect(Math.abs(rep.points[i].upper / exact - 1)).toBeLessThan(0.01);
      expect(rep.points[i].attacks.pgd).toBeUndefined(); // the authors' PGD is binary-only
    }
  });
});

describe("F^(3) at noise-free centres (K = 10, K1 = 6): authors' PGD vs strong attack", () => {
  const net = fp(3);
  const model = netModel(net);
  const truth = Math.SQRT1_2;
  // Measured (seed-independent, the PGD is deterministic): zero-start PGD breaks the centre only at
  // r = 1 (it only lowers the own unit: F^(3)(mu_k - r mu_k) = (1 - r)^3), vs the true sqrt(2)/2.
  for (const k of [0, 8]) {
    it(`centre ${k}: PGD radius >= 1.3 x sqrt(2)/2, strong attack within 1% of sqrt(2)/2`, () => {
      const x0 = e(k);
      const y = k < K1 ? 1 : -1;
      const exp = binaryObjective(model, y, 'exp');
      const pgd = bisectRadius(exp, x0, 1.5, 20, (r) => pgdL2(exp, x0, r));
      expect(pgd.radius).toBeGreaterThan(1.3 * truth);
      expect(Math.abs(pgd.radius - 1)).toBeLessThan(1e-3);
      const ce = binaryObjective(model, y, 'ce');
      const strong = strongMinNorm(ce, x0, new Rng(7), { targets: netTargets(net, x0, y) });
      expect(Math.abs(strong.radius / truth - 1)).toBeLessThan(0.01);
      expect(strong.radius).toBeGreaterThanOrEqual(truth * (1 - 1e-9));
      // The reported perturbation really flips the point.
      const x = Float64Array.from(x0, (v, i) => v + strong.delta![i]);
      expect(y * model.value(x)).toBeLessThanOrEqual(0);
      expect(Math.abs(Math.hypot(...strong.delta!) - strong.radius)).toBeLessThan(1e-9);
    });
  }
});

describe('threat-model projections', () => {
  it('projectBall lands in the ball and the box (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<NormKind>('l2', 'linf', 'l1'),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0.01, max: 2, noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        (norm, d0, r, useBox) => {
          const D = d0.length;
          const x0 = Float64Array.from({ length: D }, (_, i) => 0.1 + (0.8 * i) / D);
          const d = Float64Array.from(d0);
          const box = useBox ? { lo: 0, hi: 1 } : undefined;
          projectBall(norm, x0, d, r, box);
          expect(normOf(norm, d)).toBeLessThanOrEqual(r * (1 + 1e-9));
          if (box) for (let i = 0; i < D; i++) expect(x0[i] + d[i]).toBeGreaterThanOrEqual(-1e-12), expect(x0[i] + d[i]).toBeLessThanOrEqual(1 + 1e-12);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it('APGD with a [0, 1] box returns a perturbation inside the box', () => {
    const net = fp(3);
    const x0 = Float64Array.from({ length: K }, (_, i) => (i === 0 ? 0.9 : 0.05));
    const obj = binaryObjective(netModel(net), 1, 'ce');
    for (const norm of ['l2', 'linf', 'l1'] as const) {
      const res = apgd(obj, x0, 0.5, new Rng(9), { norm, steps: 40, restarts: 2, box: { lo: 0, hi: 1 } });
      for (let i = 0; i < K; i++) expect(x0[i] + res.delta[i]).toBeGreaterThanOrEqual(-1e-12);
      for (let i = 0; i < K; i++) expect(x0[i] + res.delta[i]).toBeLessThanOrEqual(1 + 1e-12);
      expect(res.norm).toBeLessThanOrEqual(0.5 * (1 + 1e-9));
    }
  });
});
