/**
 * Hold one theorem of PAPER.md s.6 against Monte-Carlo estimates over a grid of parameter points.
 *
 * Per point: sequential estimation of q (sequential.ts) against b = tail(C_candidate), with the
 * error rate 0.05 split over the N points (Bonferroni), so all N decisions and intervals hold
 * simultaneously with probability >= 95%. Status of a point:
 * - 'vacuous'   b >= 1: the bound cannot be violated there (not refutable, no information);
 * - 'violated'  the whole interval lies above b (a significant violation);
 * - 'confirmed' the whole interval lies below b (the bound holds there, and the same test would
 *               have shown a violation had q exceeded b by the interval's width);
 * - 'straddles' inconclusive at this budget.
 * What "holds" can mean for a bound on a probability from finitely many samples: nowhere a
 * significant violation AND the bound was refutable and survived at a substantial share of points
 * (at least a quarter of the grid confirmed, non-vacuous). Then verdict 'holds'; any violated point
 * gives 'violated' (with its parameters, counts and replay seed); otherwise 'inconclusive'.
 * Implied constants per point and over the grid come from constants.ts.
 */
import { compileBound } from '../bounds/compile.ts';
import { THEOREMS, type TheoremId } from '../bounds/registry.ts';
import type { BoundParams } from '../bounds/theorem.ts';
import { Rng } from '../random/rng.ts';
import { clopperPearson, type BinomialInterval } from '../stats/index.ts';
import type { Verdict } from '../checks/types.ts';
import { impliedC, largestCEverywhere, type CInterval, type LargestC } from './constants.ts';
import type { GridPoint } from './grid.ts';
import { MonteCarloPool } from './pool.ts';
import { sequentialEstimate } from './sequential.ts';

export type PointStatus = 'vacuous' | 'violated' | 'confirmed' | 'straddles';

export interface PointResult {
  index: number;
  params: BoundParams;
  placedBy: 'q' | 'bound';
  target: number;
  k: number;
  n: number;
  /** Family-wise interval (level 1 - errorRate/(N L)). */
  ci: BinomialInterval;
  /** Pointwise 95% interval valid under the stopping rule (level 1 - 0.05/L). */
  ci95: BinomialInterval;
  bound: number;
  status: PointStatus;
  /** Constants consistent with the pointwise 95% interval. */
  c95: CInterval;
  /** Constants consistent with the family-wise interval. */
  cFamily: CInterval;
  /** Exact q where a closed form exists (T1, T2) and whether the family interval contains it. */
  exact?: number;
  exactInCI?: boolean;
}

export interface TheoremCheckOptions {
  seed: number;
  /** The constant held against the data (default: the theorem's candidate). */
  C?: number;
  errorRate?: number;
  nStart?: number;
  nMax?: number;
  chunkSize?: number;
  threads?: number;
  /** Exact q for a point, if known. */
  exact?: (p: BoundParams) => number;
  progress?: (fraction: number, message?: string) => void;
  /** Share of grid points that must be confirmed for 'holds' (default 1/4). */
  minConfirmedShare?: number;
}

export interface TheoremCheckResult {
  theorem: TheoremId;
  C: number;
  verdict: Verdict;
  points: PointResult[];
  counts: Record<PointStatus, number>;
  straddleShare: number;
  /**
   * Largest C with the bound valid at every q-placed grid point (family-wise interval): those are
   * the points where q is measured; at bound-placed points q is often too small to see (k = 0)
   * and only loosens the lower end. `at` indexes `points`.
   */
  largestC: LargestC;
  /** max over confirmed points of q-hat / b: how close the bound came to being violated. */
  tightestRatio: number;
  exactAgreement: { checked: number; outside: number } | null;
  totalSamples: number;
  firstViolation: PointResult | null;
}

function largestOnMeasured(points: readonly PointResult[]): LargestC {
  const measured = points.filter((p) => p.placedBy === 'q');
  const use = measured.length > 0 ? measured : points;
  const lc = largestCEverywhere(use.map((p) => p.cFamily));
  return { ...lc, at: lc.at >= 0 ? use[lc.at].index : -1 };
}

export async function checkTheorem(id: TheoremId, grid: readonly GridPoint[], opts: TheoremCheckOptions): Promise<TheoremCheckResult> {
  const thm = THEOREMS[id];
  const cb = compileBound(thm);
  const C = opts.C ?? thm.candidateC;
  if (C === null || C === undefined) throw new Error(`${id}: no constant given and no candidate`);
  const errorRate = opts.errorRate ?? 0.05;
  const N = grid.length;
  const pool = new MonteCarloPool(opts.threads ?? 2);
  const master = new Rng(opts.seed);
  const points: PointResult[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const g = grid[i];
      const b = cb.tail(C, g.params);
      const stream = master.jump();
      const r = await sequentialEstimate({ theorem: id, params: g.params }, {
        seed: stream, threshold: b >= 1 ? null : b, errorRate: errorRate / N,
        nStart: opts.nStart, nMax: b >= 1 ? opts.nStart ?? opts.chunkSize ?? 65536 : opts.nMax, chunkSize: opts.chunkSize, pool,
      });
      const ci95 = clopperPearson(r.k, r.n, 1 - 0.05 / r.plannedLooks);
      const status: PointStatus = b >= 1 ? 'vacuous' : r.decision === 'above' ? 'violated' : r.decision === 'below' ? 'confirmed' : 'straddles';
      const pr: PointResult = {
        index: i, params: g.params, placedBy: g.placedBy, target: g.target, k: r.k, n: r.n, ci: r.ci, ci95, bound: b, status,
        c95: impliedC(thm, g.params, ci95), cFamily: impliedC(thm, g.params, r.ci),
      };
      if (opts.exact) {
        pr.exact = opts.exact(g.params);
        pr.exactInCI = pr.exact >= r.ci.lower && pr.exact <= r.ci.upper;
      }
      points.push(pr);
      opts.progress?.((i + 1) / N, `${id} point ${i + 1}/${N}: ${status}`);
    }
  } finally {
    await pool.close();
  }
  const counts: Record<PointStatus, number> = { vacuous: 0, violated: 0, confirmed: 0, straddles: 0 };
  for (const p of points) counts[p.status]++;
  const firstViolation = points.find((p) => p.status === 'violated') ?? null;
  const need = Math.max(1, Math.ceil((opts.minConfirmedShare ?? 0.25) * N));
  const verdict: Verdict = firstViolation ? 'violated' : counts.confirmed >= need ? 'holds' : 'inconclusive';
  let tightestRatio = 0;
  for (const p of points) if (p.status === 'confirmed') tightestRatio = Math.max(tightestRatio, p.ci.estimate / p.bound);
  const withExact = points.filter((p) => p.exact !== undefined);
  return {
    theorem: id, C, verdict, points, counts, straddleShare: counts.straddles / N,
    largestC: largestOnMeasured(points),
    tightestRatio,
    exactAgreement: withExact.length ? { checked: withExact.length, outside: withExact.filter((p) => !p.exactInCI).length } : null,
    totalSamples: points.reduce((a, p) => a + p.n, 0),
    firstViolation,
  };
}
