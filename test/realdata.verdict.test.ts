/**
 * The mnist-parity verdict logic (src/realdata/verdict.ts) on hand-made experiment results: each
 * criterion of issue 8 can pass, fail and be unclear, and the verdict follows.
 */
import { describe, expect, it } from 'vitest';
import { summarise, verdictOf, stat } from '../src/realdata/verdict.ts';
import { CURVE_RADII, TABLE_GRIDS, QUICK_CONFIG, AUTHORS_STEPS, type ParityExperiment, type RunResult } from '../src/realdata/experiment.ts';

/** A run whose robust accuracy is `rob` at every Table 1 radius and clean * (1 - r/0.2) on the curve. */
function run(p: number, seed: number, clean: number, rob: number, rank: number, bump = 0): RunResult {
  const table = TABLE_GRIDS.flatMap((g) => g.radii.map((radius) => ({ norm: g.norm, radius, robustAccuracy: rob, n: 100, robust: Math.round(rob * 100) })));
  const curve = CURVE_RADII.map((radius, k) => {
    const robustAccuracy = clean * (1 - radius / 0.2) + (k === 5 ? bump : 0);
    return { norm: 'linf' as const, radius, robustAccuracy, n: 100, robust: Math.round(robustAccuracy * 100) };
  });
  const history = [0, 1].map((epoch) => ({ epoch, trainLoss: 0.5, weightStableRank: 2, featureStableRank: rank, seconds: epoch }));
  return { p, seed, cleanAccuracy: clean, cleanAccuracyAttacked: clean, cleanAccuracyCurve: clean, table, curve, history, finalFeatureStableRank: rank, finalWeightStableRank: 2, trainSeconds: 1, attackSeconds: 1 };
}

function experiment(robByP: number[], cleanByP: number[], rankByP: number[], jitter: number, bump = 0, steps = AUTHORS_STEPS): ParityExperiment {
  const ps = [1, 2, 3, 4];
  const runs = ps.flatMap((p, i) => [0, 1].map((s) => run(p, s, cleanByP[i], robByP[i] + (s ? jitter : -jitter), rankByP[i] + s * 0.01, s === 1 && i === 0 ? bump : 0)));
  return { task: 'parity', config: { ...QUICK_CONFIG, ps, seeds: 2 }, split: { train: 8000, test: 2000, trainPerDigit: [], testPerDigit: [] }, runs, steps, seconds: 1, cachedUnits: 0, estimate: null };
}

describe('mnist-parity verdict', () => {
  it('holds when p = 4 beats p = 1 beyond the spread, clean accuracies agree, ranks grow and the attack is sane', () => {
    const s = summarise(experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.975, 0.97], [2, 3, 4, 5], 0.01), false);
    expect(s.criteria.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(verdictOf(s)).toBe('holds');
    expect(s.table[0].order).toEqual([1, 2, 3, 4]);
    expect(s.table[0].gap).toBeCloseTo(0.6, 12);
    expect(s.table[0].spread).toBeCloseTo(2 * Math.SQRT2 * 0.01, 12);
  });
  it('is inconclusive when the gap is within the spread, violated (full run) when reversed beyond it', () => {
    const within = summarise(experiment([0.5, 0.5, 0.5, 0.52], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.05), false);
    expect(within.criteria[0].status).toBe('unclear');
    expect(verdictOf(within)).toBe('inconclusive');
    const reversed = experiment([0.8, 0.6, 0.4, 0.2], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.01);
    expect(verdictOf(summarise(reversed, false))).toBe('violated');
    expect(verdictOf(summarise(reversed, true))).toBe('inconclusive');
  });
  it('fails B on a 3-point clean-accuracy gap at the authors\' step count, and C on a non-increasing rank', () => {
    const b = summarise(experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.98, 0.95], [2, 3, 4, 5], 0.01), false);
    expect(b.criteria[1].status).toBe('fail');
    expect(b.undertrained).toEqual([4]);
    expect(verdictOf(b)).toBe('violated');
    const c = summarise(experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.98, 0.98], [2, 3, 2.5, 5], 0.01), false);
    expect(c.criteria[2].status).toBe('fail');
    expect(verdictOf(c)).toBe('violated');
  });
  it('an undertrained p (fewer steps than the authors\') makes B and failures of A and C unclear, with the reason', () => {
    // p = 4 3 points behind and less robust, after 200 steps.
    const s = summarise(experiment([0.8, 0.6, 0.4, 0.2], [0.98, 0.98, 0.98, 0.95], [2, 3, 2.5, 5], 0.01, 0, 200), false);
    expect(s.criteria.map((c) => c.status)).toEqual(['unclear', 'unclear', 'unclear', 'pass']);
    expect(s.undertrained).toEqual([4]);
    expect(s.reasons[0]).toMatch(/p = 4 undertrained/);
    expect(s.criteria[1].detail).toMatch(/200 Adam steps per run, fewer than the authors' 3060/);
    expect(verdictOf(s)).toBe('inconclusive');
    // At the authors' step count the same undertrained p fails B (violated), A and C stay unclear.
    const full = summarise(experiment([0.8, 0.6, 0.4, 0.2], [0.98, 0.98, 0.98, 0.95], [2, 3, 2.5, 5], 0.01), false);
    expect(full.criteria.map((c) => c.status)).toEqual(['unclear', 'fail', 'unclear', 'pass']);
    // Equal clean accuracy but fewer steps than the authors': a reversed gap is unclear, not a refutation.
    const few = summarise(experiment([0.8, 0.6, 0.4, 0.2], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.01, 0, 408), false);
    expect(few.criteria[0].status).toBe('unclear');
    expect(few.criteria[0].detail).toMatch(/408 Adam steps/);
  });
  it('reports pooled robust counts with Clopper-Pearson intervals', () => {
    const s = summarise(experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.01), false);
    const q = s.table[0].pooled[3];
    expect(q.n).toBe(200);
    expect(q.k).toBe(160);
    expect(q.lower).toBeLessThan(0.8);
    expect(q.upper).toBeGreaterThan(0.8);
  });
  it('calls D unclear (attack missed) when the curve increases with the radius, with the missed count', () => {
    const s = summarise(experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.01, 0.3), true);
    expect(s.criteria[3].status).toBe('unclear');
    expect(s.sanity.maxIncrease).toBeGreaterThan(0.2);
    // The bump adds 30 of 100 points at one radius; the curve falls 7 points per radius there
    // (0.98 / 14 = 0.07), so the count rises by 23 over its left neighbour.
    expect(s.sanity.missed).toBe(23);
    expect(verdictOf(s)).toBe('inconclusive');
    // Even a full-recipe run with every other criterion passing stays inconclusive, never holds.
    const full = summarise(experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.01, 0.3), false);
    expect(full.criteria.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'unclear']);
    expect(verdictOf(full)).toBe('inconclusive');
  });
  it('fails D in any mode when robust accuracy at radius 0 differs from clean accuracy (code error)', () => {
    const e = experiment([0.2, 0.4, 0.6, 0.8], [0.98, 0.98, 0.98, 0.98], [2, 3, 4, 5], 0.01);
    e.runs[3].curve[0].robustAccuracy -= 0.01;
    const s = summarise(e, true);
    expect(s.criteria[3].status).toBe('fail');
    expect(s.sanity.maxZeroGap).toBeCloseTo(0.01, 12);
    expect(verdictOf(s)).toBe('violated');
  });
  it('stat: mean, sample sd, range', () => {
    const t = stat([1, 2, 3, 6]);
    expect(t.mean).toBe(3);
    expect(t.sd).toBeCloseTo(Math.sqrt(14 / 3), 14);
    expect([t.min, t.max, t.n]).toEqual([1, 6, 4]);
    expect(Number.isNaN(stat([1]).sd)).toBe(true);
  });
});
