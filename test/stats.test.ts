import { describe, expect, it } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { clopperPearson, integrate, logGaussTailIntegral, logNormalSf, normalSf, sideOf } from '../src/stats/index.ts';
import { Rng } from '../src/random/rng.ts';
import { ConfigError } from '../src/validate.ts';

describe('Clopper-Pearson', () => {
  it('matches the reference interval k = 37, n = 1000 (PACKAGES.md)', () => {
    const ci = clopperPearson(37, 1000);
    expect(ci.lower).toBeCloseTo(0.026183, 6);
    expect(ci.upper).toBeCloseTo(0.050641, 6);
  });
  it('handles k = 0 and k = n in closed form', () => {
    const z = clopperPearson(0, 50);
    expect(z.lower).toBe(0);
    expect(Math.abs(z.upper - (1 - Math.pow(0.025, 1 / 50)))).toBeLessThan(1e-14);
    const f = clopperPearson(50, 50);
    expect(f.upper).toBe(1);
    expect(Math.abs(f.lower - Math.pow(0.025, 1 / 50))).toBeLessThan(1e-12);
  });
  it('rejects invalid inputs naming the field', () => {
    expect(() => clopperPearson(5, 3)).toThrow(ConfigError);
    expect(() => clopperPearson(1, 10, 1.5)).toThrow(/level/);
  });
  it('has nominal coverage >= 94% over 1000 simulated binomial experiments per p', () => {
    const rng = new Rng(20240523);
    for (const [p, n] of [[0.03, 200], [0.5, 40], [0.002, 2000], [0.9, 25]] as const) {
      let covered = 0;
      for (let e = 0; e < 1000; e++) {
        let k = 0;
        for (let i = 0; i < n; i++) if (rng.uniform() < p) k++;
        const ci = clopperPearson(k, n);
        if (ci.lower <= p && p <= ci.upper) covered++;
      }
      expect(covered / 1000, `p = ${p}, n = ${n}`).toBeGreaterThanOrEqual(0.94);
    }
  });
  it('sideOf decides only when the threshold is outside', () => {
    expect(sideOf({ lower: 0.1, upper: 0.2 }, 0.05)).toBe('above');
    expect(sideOf({ lower: 0.1, upper: 0.2 }, 0.25)).toBe('below');
    expect(sideOf({ lower: 0.1, upper: 0.2 }, 0.15)).toBe('straddles');
  });
});

describe('normal tails in log space', () => {
  it('matches reference values', () => {
    expect(Math.abs(normalSf(1.96) - 0.024997895148220435) / 0.025).toBeLessThan(1e-13);
    // Q(10) = 7.6198530241605e-24 (Abramowitz-Stegun / mpmath)
    expect(Math.abs(Math.exp(logNormalSf(10)) / 7.619853024160527e-24 - 1)).toBeLessThan(1e-12);
    // log Q(40) = -804.6084420137538 (mpmath: log(erfc(40/sqrt 2)/2))
    expect(Math.abs(logNormalSf(40) + 804.6084420137538)).toBeLessThan(1e-9);
  });
  it('is continuous across the erfc / continued-fraction switch and the negative branch', () => {
    for (const t of [25, -5]) {
      const a = logNormalSf(t - 1e-9), b = logNormalSf(t + 1e-9);
      expect(Math.abs(a - b)).toBeLessThan(1e-6 * Math.max(1, Math.abs(a)));
    }
    expect(Math.abs(logNormalSf(-40))).toBeLessThan(1e-300);
  });
  ptest.prop([fc.double({ min: -30, max: 60, noNaN: true, noDefaultInfinity: true })], { numRuns: 200, seed: 11 })(
    'is decreasing and below the Chernoff bound for t >= 0', (t) => {
      expect(logNormalSf(t + 0.01)).toBeLessThan(logNormalSf(t));
      if (t >= 0) expect(logNormalSf(t)).toBeLessThanOrEqual(-(t * t) / 2 + 1e-12);
    });
});

describe('quadrature', () => {
  it('integrates smooth functions to tolerance', () => {
    expect(Math.abs(integrate(Math.sin, 0, Math.PI).value - 2)).toBeLessThan(1e-12);
    expect(Math.abs(integrate((x) => Math.exp(-x * x), -10, 10).value - Math.sqrt(Math.PI))).toBeLessThan(1e-12);
  });
  ptest.prop([
    fc.double({ min: -4, max: 8, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true }),
  ], { numRuns: 60, seed: 5 })('int phi(u) Q(A + B u) du over R = Q(A / sqrt(1 + B^2))', (A, B) => {
    const got = logGaussTailIntegral(-Infinity, A, B);
    const want = logNormalSf(A / Math.sqrt(1 + B * B));
    expect(Math.abs(got - want)).toBeLessThan(1e-8 * Math.max(1, Math.abs(want)));
  });
});
