import { describe, expect, it } from 'vitest';
import { makeCounter } from '../src/montecarlo/events.ts';
import { ChunkStreams, MonteCarloPool } from '../src/montecarlo/pool.ts';
import { plannedLooks, sequentialEstimate } from '../src/montecarlo/sequential.ts';
import { impliedC, largestCEverywhere } from '../src/montecarlo/constants.ts';
import { theoremGrid } from '../src/montecarlo/grid.ts';
import { checkTheorem } from '../src/montecarlo/theoremCheck.ts';
import { THEOREMS } from '../src/bounds/registry.ts';
import { compileBound } from '../src/bounds/compile.ts';
import { logT2Probability } from '../src/bounds/exact.ts';
import { clopperPearson } from '../src/stats/index.ts';
import { Rng } from '../src/random/rng.ts';

const P2 = { D: 50, K: 10, K1: 6, alpha: 1, rho: 0.2 };

describe('samplers and counters', () => {
  it('fast (class-sum) and reference (K-dim, theorem predicate) counters estimate the same T1/T2 probabilities', () => {
    for (const [id, params] of [['T1', { D: 30, K: 6, K1: 2, alpha: 1.5 }], ['T2', P2]] as const) {
      const n = 100000;
      const a = makeCounter({ theorem: id, params })(new Rng(1), n);
      const b = makeCounter({ theorem: id, params, mode: 'reference' })(new Rng(2), n);
      // Two independent estimates of the same p: |a - b|/n within 4.5 sd of the difference.
      const p = (a + b) / (2 * n);
      expect(Math.abs(a - b) / n, id).toBeLessThan(4.5 * Math.sqrt((2 * p * (1 - p)) / n));
    }
  });
  it('T3/T4 fast counters equal the reference counters sample by sample (same stream, same draws)', () => {
    for (const [id, params] of [['T3', { D: 30, K: 5, K1: 2, alpha: 1.2, p: 3 }], ['T4', { D: 30, K: 5, K1: 2, alpha: 0.6, p: 3, delta: 0.4 }]] as const) {
      const a = makeCounter({ theorem: id, params })(new Rng(5), 3000);
      const b = makeCounter({ theorem: id, params, mode: 'reference' })(new Rng(5), 3000);
      expect(a, id).toBe(b);
      expect(a, id).toBeGreaterThan(0);
    }
  });
});

describe('parallel counting', () => {
  it('gives identical counts with 1 and 2 worker threads for a fixed seed', async () => {
    const sizes = [20000, 20000, 20000, 7000];
    const one = await new MonteCarloPool(1).countChunks({ theorem: 'T2', params: P2 }, new ChunkStreams(42), 0, sizes);
    const pool = new MonteCarloPool(2);
    try {
      const two = await pool.countChunks({ theorem: 'T2', params: P2 }, new ChunkStreams(42), 0, sizes);
      expect(two).toEqual(one);
    } finally {
      await pool.close();
    }
  });
});

describe('sequential estimation', () => {
  it('plans looks by doubling and spends the error rate over them (Bonferroni)', async () => {
    expect(plannedLooks(1000, 8000)).toEqual([1000, 2000, 4000, 8000]);
    const r = await sequentialEstimate({ theorem: 'T2', params: P2 }, { seed: 1, threshold: 0.9, nStart: 1024, chunkSize: 1024, nMax: 1 << 16 });
    expect(r.decision).toBe('below');
    expect(r.looks).toBe(1);
    expect(r.perLookLevel).toBeCloseTo(1 - 0.05 / 7, 12);
    const up = await sequentialEstimate({ theorem: 'T2', params: P2 }, { seed: 1, threshold: 0.3, nStart: 1024, chunkSize: 1024, nMax: 1 << 18 });
    expect(up.decision).toBe('above');
    expect(up.ci.lower).toBeGreaterThan(0.3);
    const close = await sequentialEstimate({ theorem: 'T2', params: P2 }, { seed: 1, threshold: 0.3253, nStart: 1024, chunkSize: 1024, nMax: 1 << 14 });
    expect(close.decision).toBe('straddles');
    expect(close.n).toBe(1 << 14);
  });
  it('T2 estimates agree with the closed form within their family-wise intervals at every point', async () => {
    const grid = theoremGrid('T2', 6, 77);
    const res = await checkTheorem('T2', grid, {
      seed: 77, threads: 1, nStart: 1 << 15, chunkSize: 1 << 15, nMax: 1 << 16,
      exact: (p) => Math.exp(logT2Probability(p.D, p.K, p.K1, p.alpha, p.rho as number)),
    });
    expect(res.exactAgreement).toEqual({ checked: 6, outside: 0 });
    expect(res.counts.violated).toBe(0);
  });
});

describe('implied constants', () => {
  it('invert the bound at the interval ends (T1 closed form C = 4 alpha^2 K log(2/q)/D)', () => {
    const p = { D: 50, K: 10, K1: 6, alpha: 1 };
    const ci = clopperPearson(37, 1000);
    const c = impliedC(THEOREMS.T1, p, ci);
    const f = (q: number) => (4 * 10 * Math.log(2 / q)) / 50;
    expect(c.lower).toBeCloseTo(f(ci.upper), 8);
    expect(c.upper).toBeCloseTo(f(ci.lower), 8);
    expect(c.estimate).toBeCloseTo(f(0.037), 8);
    expect(impliedC(THEOREMS.T1, p, clopperPearson(0, 1000)).upper).toBe(Infinity);
    const lc = largestCEverywhere([{ lower: 1, estimate: 2, upper: 3 }, { lower: 0.5, estimate: 2.5, upper: 2.7 }]);
    expect(lc).toEqual({ lower: 0.5, estimate: 2, upper: 2.7, at: 0 });
  });
  it('a grid point placed by the bound value has the candidate bound at its target', () => {
    const g = theoremGrid('T4', 4, 3);
    const cb = compileBound(THEOREMS.T4);
    for (const pt of g.filter((x) => x.placedBy === 'bound')) {
      expect(Math.abs(cb.tail(0.5, pt.params) / pt.target - 1)).toBeLessThan(5e-3); // alpha rounded to 4 digits
    }
  });
});
