/**
 * Issue 2: gradients of the loss (PAPER.md s.3) agree with central finite differences to relative
 * 1e-6, for random p in [1, 5], both losses, both reductions, with and without bias, centring and
 * input normalisation; the fused implementation also agrees with the naive reference at sizes
 * that exercise every blocking remainder.
 */
import { describe, expect } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { createGrad, createWorkspace, forward, lossAndGrad, type LossOptions } from '../src/network/index.ts';
import { referenceLossAndGrad } from '../src/network/reference.ts';
import { randomCase, relMaxErr } from './network.helpers.ts';

/** Central differences of L in every parameter (W, v, then b), with step 1e-6 * max(1, |theta|). */
function fdGradient(c: ReturnType<typeof randomCase>, opts: LossOptions): Float64Array {
  const { net, X, y, n } = c;
  const ws = createWorkspace(net, n);
  const L = () => lossAndGrad(net, X, y, n, opts, null, ws);
  const params = net.W.length + net.v.length + (net.hasBias ? 1 : 0);
  const g = new Float64Array(params);
  const bump = (arr: Float64Array, k: number, at: number) => {
    const x0 = arr[k];
    const eps = 1e-6 * Math.max(1, Math.abs(x0));
    arr[k] = x0 + eps;
    const lp = L();
    arr[k] = x0 - eps;
    const lm = L();
    arr[k] = x0;
    g[at] = (lp - lm) / (2 * eps);
  };
  for (let k = 0; k < net.W.length; k++) bump(net.W, k, k);
  for (let k = 0; k < net.v.length; k++) bump(net.v, k, net.W.length + k);
  if (net.hasBias) {
    const b0 = net.b;
    const eps = 1e-6 * Math.max(1, Math.abs(b0));
    net.b = b0 + eps;
    const lp = L();
    net.b = b0 - eps;
    const lm = L();
    net.b = b0;
    g[params - 1] = (lp - lm) / (2 * eps);
  }
  return g;
}

const caseArb = fc.record({
  p: fc.double({ min: 1, max: 5, noNaN: true, noDefaultInfinity: true }),
  exactOne: fc.boolean(),
  loss: fc.constantFrom('exp' as const, 'logistic' as const),
  reduction: fc.constantFrom('sum' as const, 'mean' as const),
  bias: fc.boolean(),
  centre: fc.boolean(),
  normalise: fc.boolean(),
  D: fc.integer({ min: 1, max: 5 }),
  h: fc.integer({ min: 1, max: 5 }),
  n: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('lossAndGrad vs central finite differences', () => {
  ptest.prop([caseArb], { numRuns: 150, seed: 20240524 })(
    'relative max error <= 1e-6 for p in [1, 5] (p = 1 exactly in a share of cases)',
    (a) => {
      const p = a.exactOne ? 1 : a.p;
      const c = randomCase({ ...a, p, kinkGap: 0.05 });
      const opts: LossOptions = { loss: a.loss, reduction: a.reduction };
      const g = createGrad(c.net);
      const L = lossAndGrad(c.net, c.X, c.y, c.n, opts, g);
      expect(Number.isFinite(L)).toBe(true);
      const analytic = new Float64Array(g.W.length + g.v.length + (c.net.hasBias ? 1 : 0));
      analytic.set(g.W, 0);
      analytic.set(g.v, g.W.length);
      if (c.net.hasBias) analytic[analytic.length - 1] = g.b;
      else expect(g.b).toBe(0);
      const fd = fdGradient(c, opts);
      expect(relMaxErr(analytic, fd)).toBeLessThanOrEqual(1e-6);
    },
  );
});

describe('fused lossAndGrad vs the naive reference (src/network/reference.ts)', () => {
  ptest.prop([caseArb], { numRuns: 40, seed: 7 })(
    'loss, outputs and gradients agree to 1e-12 at sizes crossing the 2-row, 4-unit and 64-row blocks',
    (a) => {
      const p = a.exactOne ? 1 : a.p;
      const c = randomCase({ ...a, p, D: a.D + 6, h: a.h + 4, n: 60 + 7 * a.n });
      const opts: LossOptions = { loss: a.loss, reduction: a.reduction };
      const g = createGrad(c.net);
      const ws = createWorkspace(c.net, c.n);
      const L = lossAndGrad(c.net, c.X, c.y, c.n, opts, g, ws);
      const R = referenceLossAndGrad(c.net, c.X, c.y, c.n, opts);
      expect(Math.abs(L - R.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(R.loss));
      expect(relMaxErr(g.W, R.W.flat())).toBeLessThanOrEqual(1e-12);
      expect(relMaxErr(g.v, R.v)).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(g.b - R.b)).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, ...R.v.map(Math.abs), Math.abs(R.b)));
      expect(relMaxErr(forward(c.net, c.X, c.n), R.f)).toBeLessThanOrEqual(1e-12);
      expect(relMaxErr(ws.f.subarray(0, c.n), R.f)).toBeLessThanOrEqual(1e-12);
    },
  );
});
