import { describe, expect, it } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { THEOREMS, THEOREM_IDS } from '../src/bounds/registry.ts';
import { compileBound, symbolicCheck } from '../src/bounds/compile.ts';
import { validateParams } from '../src/bounds/theorem.ts';
import { logT1Failure, logT2GaussianTail, logT2Probability } from '../src/bounds/exact.ts';
import { certifyRobustFp } from '../src/bounds/robustFp.ts';
import { exactRobustFp } from '../src/bounds/robustExact.ts';
import { reluF } from '../src/bounds/classifiers.ts';
import { attackedMarginF } from '../src/bounds/t2.ts';
import { drawProjection } from '../src/montecarlo/sampler.ts';
import { findViolation, paramArbitrary } from '../src/montecarlo/propertyCheck.ts';
import { Rng } from '../src/random/rng.ts';
import { ConfigError } from '../src/validate.ts';
import { OrthonormalMixture } from '../src/data/index.ts';

describe('theorem objects', () => {
  it('every C solution is confirmed symbolically by mathjs (substituted into the tail, simplifies to q)', () => {
    for (const id of THEOREM_IDS) expect(symbolicCheck(THEOREMS[id]), id).toEqual({ simplified: 'q', confirmed: true });
  });
  ptest.prop([fc.constantFrom(...THEOREM_IDS).chain((id) => fc.tuple(fc.constant(id), paramArbitrary(id))), fc.double({ min: 1e-12, max: 0.99, noNaN: true })],
    { numRuns: 80, seed: 17 })('numeric root in C = symbolic solution, and the bound is tight there', ([id, p], q) => {
    const cb = compileBound(THEOREMS[id]);
    const c1 = cb.solveC(q, p), c2 = cb.solveCSymbolic(q, p);
    if (c2 === 0) { expect(cb.tail(0, p)).toBeLessThanOrEqual(q * (1 + 1e-12)); return; }
    expect(Math.abs(c1 - c2) / c2).toBeLessThan(1e-9);
    expect(Math.abs(cb.tail(c2, p) - q) / q).toBeLessThan(1e-9);
    // The paper's bound on P(event) and the tail agree: bound = 1 - tail (lower bounds) or = tail (T2).
    const b = cb.bound(c2, p), t = cb.tail(c2, p);
    expect(Math.abs(THEOREMS[id].controlled === 'failure' ? 1 - b - t : b - t)).toBeLessThan(1e-12);
  });
  it('validates hypotheses with errors that name the field and range', () => {
    expect(() => validateParams(THEOREMS.T1, { D: 5, K: 10, K1: 3, alpha: 1 })).toThrow(/invalid D/);
    expect(() => validateParams(THEOREMS.T1, { D: 50, K: 10, K1: 10, alpha: 1 })).toThrow(/invalid K1.*1\.\.9/);
    expect(() => validateParams(THEOREMS.T2, { D: 50, K: 10, K1: 3, alpha: 1, rho: 0 })).toThrow(ConfigError);
    expect(() => validateParams(THEOREMS.T4, { D: 50, K: 10, K1: 3, alpha: 1, p: 2, delta: 0.5 })).toThrow(/invalid p/);
    expect(() => validateParams(THEOREMS.T4, { D: 50, K: 10, K1: 3, alpha: 1, p: 3, delta: 1.5 })).toThrow(/invalid delta/);
    expect(() => validateParams(THEOREMS.T1, { D: 50, K: 10, K1: 3, alpha: 1, rh0: 1 })).toThrow(/T1\.rh0/);
  });
});

describe('exact T1 / T2 probabilities (PAPER.md s.6)', () => {
  it('T2 at D = 50, K = 10, K1 = 6, alpha = 1, rho = 0.2: exact 0.3253, Gaussian tail 0.3274', () => {
    expect(Math.exp(logT2Probability(50, 10, 6, 1, 0.2))).toBeCloseTo(0.3253, 4);
    expect(Math.exp(logT2GaussianTail(50, 10, 1, 0.2))).toBeCloseTo(0.3274, 4);
  });
  ptest.prop([paramArbitrary('T2')], { numRuns: 40, seed: 3 })('T2 exact <= Gaussian tail <= exp(-D rho^2/(2 alpha^2 K))', (p) => {
    const e = logT2Probability(p.D, p.K, p.K1, p.alpha, p.rho as number);
    const g = logT2GaussianTail(p.D, p.K, p.alpha, p.rho as number);
    expect(e).toBeLessThanOrEqual(g + 1e-9);
    expect(g).toBeLessThanOrEqual(-(p.D * (p.rho as number) ** 2) / (2 * p.alpha ** 2 * p.K) + 1e-12);
  });
  it('T1 failure in log space stays finite where it is astronomically small (D = 1000, alpha = 0.3)', () => {
    const l = logT1Failure(1000, 10, 6, 0.3);
    expect(Number.isFinite(l)).toBe(true);
    expect(l).toBeLessThan(-500);
    // and the C = 2 bound holds there: log q <= log 2 - D/(2 alpha^2 K)
    expect(l).toBeLessThanOrEqual(Math.log(2) - 1000 / (2 * 0.09 * 10));
  });
  it('the exact T1 failure and T2 probability match direct counting on full D-dim samples', () => {
    const rng = new Rng(99);
    const mix = new OrthonormalMixture({ D: 40, K: 5, K1: 2, alpha: 1.2, frame: 'random' }, rng);
    const n = 40000;
    const smp = mix.sample(n, rng);
    const S = mix.project(smp.X, n);
    let f1 = 0, f2 = 0;
    for (let i = 0; i < n; i++) {
      const s = S.subarray(i * 5, i * 5 + 5);
      if (!(reluF(s, 2) * smp.y[i] > 0)) f1++;
      if (attackedMarginF(s, smp.y[i], 2, 0.3) > 0) f2++;
    }
    const q1 = Math.exp(logT1Failure(40, 5, 2, 1.2)), q2 = Math.exp(logT2Probability(40, 5, 2, 1.2, 0.3));
    // 4.5 binomial standard deviations: a false failure has probability < 1e-5.
    expect(Math.abs(f1 / n - q1)).toBeLessThan(4.5 * Math.sqrt(q1 * (1 - q1) / n));
    expect(Math.abs(f2 / n - q2)).toBeLessThan(4.5 * Math.sqrt(q2 * (1 - q2) / n));
  });
});

describe('T4 event: fast certificates agree with the exact radius decision', () => {
  it('no disagreement on 3000 noisy samples around the boundary; certificates settle most of them', () => {
    const rng = new Rng(8);
    const K = 6, K1 = 4, p = 3;
    const s = new Float64Array(K), w = new Float64Array(K);
    let undecided = 0;
    for (let i = 0; i < 3000; i++) {
      const y = drawProjection(rng, K, K1, 0.15, s);
      const r = 0.3 + 0.4 * rng.uniform();
      const c = certifyRobustFp(s, y, K1, p, r, w);
      if (c === 'undecided') { undecided++; continue; }
      expect(c === 'robust', `sample ${i}`).toBe(exactRobustFp(s, y, K1, p, r));
    }
    expect(undecided / 3000).toBeLessThan(0.2);
  });
  it('at a noise-free centre the certificate is exact: robust below sqrt2/2, broken above', () => {
    const s = new Float64Array([1, 0, 0, 0]), w = new Float64Array(4);
    expect(certifyRobustFp(s, 1, 2, 3, Math.SQRT1_2 - 1e-9, w)).toBe('robust');
    expect(certifyRobustFp(s, 1, 2, 3, Math.SQRT1_2 + 1e-6, w)).toBe('broken');
  });
});

describe('property: no significant violation with the candidate constants (fixed seed, bounded runs)', () => {
  for (const [id, runs, nMax] of [['T1', 40, 1 << 15], ['T2', 40, 1 << 15], ['T3', 25, 1 << 14], ['T4', 12, 1 << 12]] as const) {
    it(`${id}`, async () => {
      const rep = await findViolation(id, { seed: 2024, numRuns: runs, nMax, nStart: Math.min(4096, nMax) });
      console.log(`${id} C = ${rep.C}: decided ${JSON.stringify(rep.decided)}, inconclusive share ${rep.inconclusiveShare.toFixed(2)}`);
      expect(rep.violated, JSON.stringify(rep)).toBe(false);
    });
  }
  it('a wrong constant (T1, C = 200) fails and shrinks to a minimal point with a replay seed', async () => {
    const rep = await findViolation('T1', { seed: 2024, numRuns: 60, C: 200, nMax: 1 << 14 });
    expect(rep.violated).toBe(true);
    expect(rep.replay?.seed).toBe(2024);
    expect(rep.numShrinks).toBeGreaterThan(0);
    expect(rep.evidence && rep.evidence.cMax < 200).toBe(true);
    expect(rep.counterexample).toMatchObject({ K: 2, K1: 1, D: 10 });
  });
});
