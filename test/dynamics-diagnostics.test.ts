import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import type { PReluNet } from '../src/network/types.ts';
import {
  stableRank,
  cosineMatrix,
  mixtureReferences,
  conservationResidual,
  balances,
  contributions,
  neuronNorms,
  topByContribution,
  reluAlignment,
  preluAlignment,
} from '../src/diagnostics/index.ts';
import { geometricTimes, geometricSteps } from '../src/dynamics/index.ts';

function net(W: number[], v: number[], D: number, p = 1): PReluNet {
  return { D, h: v.length, p, W: Float64Array.from(W), v: Float64Array.from(v), b: 0, hasBias: false, centre: null, normalise: false };
}

describe('neuron diagnostics', () => {
  it('stable rank: rank one -> 1, orthogonal equal rows -> h, diag(3, 1) -> 10/9', () => {
    expect(stableRank(Float64Array.of(1, 2, 2, 4, 3, 6), 3, 2)).toBeCloseTo(1, 12);
    expect(stableRank(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3, 3)).toBeCloseTo(3, 12);
    expect(stableRank(Float64Array.of(3, 0, 0, 1), 2, 2)).toBeCloseTo(10 / 9, 10);
    expect(stableRank(Float64Array.of(3e-9, 0, 0, 1e-9), 2, 2)).toBeCloseTo(10 / 9, 10);
  });

  it('stable rank lies in [1, min(h, D)] and is scale invariant (property, seed 42)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true }), { minLength: 12, maxLength: 12 }), fc.double({ min: 1e-8, max: 1e8, noNaN: true }), (a, s) => {
        const W = Float64Array.from(a);
        if (W.every((x) => Math.abs(x) < 1e-3)) return;
        const r = stableRank(W, 3, 4);
        expect(r).toBeGreaterThanOrEqual(1 - 1e-9);
        expect(r).toBeLessThanOrEqual(3 + 1e-9);
        expect(stableRank(W.map((x) => x * s), 3, 4)).toBeCloseTo(r, 6);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('cosines against [mubar+, mubar-, mu_k], contributions, balances and the residual', () => {
    const mix = new OrthonormalMixture({ D: 5, K: 3, K1: 2, alpha: 0 });
    const refs = mixtureReferences(mix);
    expect(refs.names).toEqual(['mubar+', 'mubar-', 'mu1', 'mu2', 'mu3']);
    // neuron 0 along mu_+ (scaled 2), neuron 1 along mu_1 (scaled 1e-7), neuron 2 along e_5 (orthogonal).
    const n = net([2, 2, 0, 0, 0, 1e-7, 0, 0, 0, 0, 0, 0, 0, 0, 3], [3, -1e-7, 0.5], 5);
    const c = cosineMatrix(n, refs);
    expect(c[0]).toBeCloseTo(1, 14);
    expect(c[2]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(c[5 + 0]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(c[5 + 2]).toBeCloseTo(1, 14);
    for (let k = 0; k < 5; k++) expect(c[10 + k]).toBe(0);
    expect(Array.from(neuronNorms(n))).toEqual([Math.sqrt(8), 1e-7, 3]);
    const ct = contributions(n);
    expect(ct[0]).toBeCloseTo(3 * Math.sqrt(8), 12);
    expect(ct[2]).toBeCloseTo(1.5, 12);
    const b0 = balances(n);
    expect(b0[0]).toBeCloseTo(1, 12);
    n.v[0] = 4; // balance 16 - 8 = 8, change 7; scale max(16 + 8) = 24
    const r = conservationResidual(n, b0);
    expect(r.absolute).toBeCloseTo(7, 12);
    expect(r.relative).toBeCloseTo(7 / 24, 12);
  });
});

describe('alignment verdicts (PAPER.md s.4)', () => {
  const mix = new OrthonormalMixture({ D: 6, K: 4, K1: 2, alpha: 0 });
  const refs = mixtureReferences(mix);
  it('p = 1: neurons on mubar_+- pass, a neuron on a single centre fails', () => {
    const good = net([1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 2, 2.01, 0, 0, 0, 0], [1, -1, 2], 6);
    const top = topByContribution(contributions(good), 1);
    expect(top[0]).toBe(2);
    const v = reluAlignment(cosineMatrix(good, refs), refs.m, 4, good.v, top, 0.95);
    expect(v.holds).toBe(true);
    expect(v.alignedPlus).toBe(2);
    expect(v.alignedMinus).toBe(1);
    expect(v.fractionSignConsistent).toBe(1);
    const bad = net([1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], [1, -1], 6);
    const vb = reluAlignment(cosineMatrix(bad, refs), refs.m, 4, bad.v, [0, 1], 0.95);
    expect(vb.holds).toBe(false);
    expect(vb.minBestCosine).toBeCloseTo(Math.SQRT1_2, 12);
  });
  it('p = 3: every centre covered passes; a missing centre or an average-aligned neuron fails', () => {
    const eye = [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0];
    const good = net(eye, [1, 1, -1, -1], 6, 3);
    expect(preluAlignment(cosineMatrix(good, refs), refs.m, 4, [0, 1, 2, 3], 0.95).holds).toBe(true);
    const missing = preluAlignment(cosineMatrix(good, refs), refs.m, 4, [0, 1, 2], 0.95);
    expect(missing.holds).toBe(false);
    expect(missing.worstCentre).toBe(0);
    const avg = net([...eye, 1, 1, 0, 0, 0, 0], [1, 1, -1, -1, 1], 6, 3);
    const va = preluAlignment(cosineMatrix(avg, refs), refs.m, 4, [0, 1, 2, 3, 4], 0.95);
    expect(va.nearerAverage).toBe(1);
    expect(va.holds).toBe(false);
  });
  it('topByContribution takes ceil(fraction h), at least one', () => {
    expect(topByContribution([1, 5, 3, 4], 0.5)).toEqual([1, 3]);
    expect(topByContribution([1, 5, 3], 0.01)).toEqual([1]);
    expect(() => topByContribution([1], 0)).toThrow(/fraction/);
  });
});

describe('geometric schedules', () => {
  it('times start at 0, end at tEnd, increase geometrically', () => {
    const t = geometricTimes(0.01, 100, 5);
    expect(t[0]).toBe(0);
    expect(t.at(-1)).toBe(100);
    expect(t[2] / t[1]).toBeCloseTo(10, 10);
    expect(geometricSteps(1, 1000, 10)).toEqual([0, 1, 2, 5, 10, 22, 46, 100, 215, 464, 1000]);
  });
});
