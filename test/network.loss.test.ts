/**
 * Stable losses of PAPER.md s.3 (and s.9's overflow pitfall): finite and correct values at margins
 * +-1e3 and +-1e6, where the naive formulas overflow, underflow or produce NaN.
 */
import { describe, expect, test } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import {
  createGrad, lossAndGrad, logLossTerm, logLossValue, lossTerm, lossValue, lossWeight, type PReluNet,
} from '../src/network/index.ts';

describe('loss terms at extreme margins', () => {
  test('exp loss: exp(-z) is 0 above the underflow point, Infinity only beyond the double range, log l = -z', () => {
    for (const z of [1e3, 1e6]) {
      expect(lossTerm('exp', z)).toBe(0); // true value e^-1000 < 5e-324
      expect(lossWeight('exp', z)).toBe(0);
      expect(lossTerm('exp', -z)).toBe(Infinity); // true value e^1000 > 1.8e308
      expect(logLossTerm('exp', z)).toBe(-z);
      expect(logLossTerm('exp', -z)).toBe(z);
    }
    expect(lossTerm('exp', -709)).toBeCloseTo(Math.exp(709), -300);
    expect(Number.isFinite(lossTerm('exp', -709.7))).toBe(true);
  });

  test('logistic loss: softplus(-z) finite for z = +-1e3, +-1e6; weight in [0, 1]; log l finite', () => {
    for (const z of [1e3, 1e6]) {
      expect(lossTerm('logistic', -z)).toBe(z); // z + log1p(e^-z) rounds to z
      expect(lossTerm('logistic', z)).toBe(0); // e^-z underflows
      expect(lossWeight('logistic', -z)).toBe(1);
      expect(lossWeight('logistic', z)).toBe(0);
      expect(logLossTerm('logistic', z)).toBe(-z); // log l = -z - e^-z/2 + ...
      expect(Math.abs(logLossTerm('logistic', -z) - Math.log(z))).toBeLessThanOrEqual(1e-15 * Math.log(z));
    }
    // In the transition region the log form keeps full relative accuracy where log(l) would not.
    const t = Math.exp(-40);
    expect(Math.abs(logLossTerm('logistic', 40) - (-40 + Math.log(Math.log1p(t) / t)))).toBeLessThanOrEqual(1e-14 * 40);
  });

  ptest.prop([fc.double({ min: -30, max: 30, noNaN: true })], { numRuns: 200, seed: 21 })(
    'moderate margins: the stable forms equal the textbook formulas to 1e-14 relative',
    (z) => {
      const naiveL = Math.log(1 + Math.exp(-z));
      const accurateL = Math.log1p(Math.exp(-z));
      expect(Math.abs(lossTerm('logistic', z) - accurateL)).toBeLessThanOrEqual(1e-14 * accurateL);
      expect(Math.abs(lossWeight('logistic', z) - 1 / (1 + Math.exp(z)))).toBeLessThanOrEqual(1e-14 * lossWeight('logistic', z));
      expect(Math.abs(lossTerm('exp', z) - Math.exp(-z))).toBe(0);
      if (z < 20) expect(Math.abs(logLossTerm('logistic', z) - Math.log(naiveL))).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(Math.log(naiveL))));
    },
  );
});

describe('reduced loss values', () => {
  test('a mean of exp terms near the top of the double range does not overflow in the sum', () => {
    const m = Float64Array.from([-709.5, -709.5]);
    const mean = lossValue(m, { loss: 'exp', reduction: 'mean' });
    expect(Math.abs(mean - Math.exp(709.5))).toBeLessThanOrEqual(1e-12 * Math.exp(709.5));
    expect(lossValue(m, { loss: 'exp', reduction: 'sum' })).toBe(Infinity); // 2.7e308: truly out of range
    expect(logLossValue(m, { loss: 'exp', reduction: 'sum' })).toBeCloseTo(709.5 + Math.log(2), 12);
  });

  test('log L stays finite where L underflows or overflows', () => {
    const big = Float64Array.from([1e6, 1e6 + 1]);
    expect(lossValue(big, { loss: 'exp', reduction: 'mean' })).toBe(0);
    const want = -1e6 + Math.log((1 + Math.exp(-1)) / 2);
    expect(Math.abs(logLossValue(big, { loss: 'exp', reduction: 'mean' }) - want)).toBeLessThanOrEqual(1e-15 * 1e6);
    expect(Math.abs(logLossValue(big, { loss: 'logistic', reduction: 'mean' }) - want)).toBeLessThanOrEqual(1e-15 * 1e6);
    const neg = Float64Array.from([-1e6, -1e3]);
    expect(logLossValue(neg, { loss: 'exp', reduction: 'sum' })).toBe(1e6);
    expect(Math.abs(logLossValue(neg, { loss: 'logistic', reduction: 'sum' }) - Math.log(1e6 + 1e3))).toBeLessThanOrEqual(1e-14);
  });

  ptest.prop([fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.constantFrom('exp' as const, 'logistic' as const), fc.constantFrom('sum' as const, 'mean' as const)], { numRuns: 100, seed: 22 })(
    'logLossValue = log(lossValue) to 1e-12 at moderate margins',
    (zs, loss, reduction) => {
      const m = Float64Array.from(zs);
      const L = lossValue(m, { loss, reduction });
      expect(Math.abs(logLossValue(m, { loss, reduction }) - Math.log(L))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(Math.log(L))));
    },
  );
});

describe('lossAndGrad at huge margins', () => {
  const net = (): PReluNet => ({ D: 1, h: 1, p: 1, W: Float64Array.from([1]), v: Float64Array.from([1e6]), b: 0, hasBias: true, centre: null, normalise: false });
  const X = Float64Array.from([1, 1]);

  test('logistic: margins +-1e6 give a finite loss (1e6 / 2 for the mean) and a finite gradient', () => {
    const g = createGrad(net());
    const L = lossAndGrad(net(), X, Float64Array.from([1, -1]), 2, { loss: 'logistic', reduction: 'mean' }, g);
    expect(L).toBe(5e5);
    expect(Array.from(g.v)).toEqual([0.5]); // d/dv of softplus(v x) at the misclassified point, / n
    expect(Array.from(g.W)).toEqual([0.5e6]);
    expect(g.b).toBe(0.5);
  });

  test('exp: a margin of -1e6 gives L = Infinity, not NaN; margins of +1e6 give L = 0 and a zero gradient', () => {
    expect(lossAndGrad(net(), X, Float64Array.from([1, -1]), 2, { loss: 'exp', reduction: 'sum' }, null)).toBe(Infinity);
    const g = createGrad(net());
    expect(lossAndGrad(net(), X, Float64Array.from([1, 1]), 2, { loss: 'exp', reduction: 'sum' }, g)).toBe(0);
    expect([...g.W, ...g.v, g.b].every((x) => x === 0)).toBe(true);
  });
});
