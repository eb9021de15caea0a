/**
 * Aggregation over seeds and the verdict of the `mnist-parity` proofs-check, following issue 8's
 * "What it must show" (PAPER.md s.8, Section 5.2.1):
 *   (A) at every Table 1 radius, mean robust accuracy for p = 4 exceeds p = 1 by more than the
 *       spread over seeds, taken as sd(p = 1) + sd(p = 4) (sample standard deviations over seeds);
 *       the ordering over p is reported;
 *   (B) clean test accuracy of every p within 2 points (0.02) of the best p (means over seeds);
 *   (C) the hidden features' stable rank at the end of training increases with p (means);
 *   (D) attack sanity: on every run, robust accuracy non-increasing along the l_inf curve, and at
 *       radius 0 equal to the clean accuracy of the attacked points.
 * (D) failing means the attack code is wrong: "violated" in any mode. (A)-(C) are the paper's
 * claims about nets trained to the authors' recipe; a quick run is far from it (few Adam steps,
 * small h), so there a failure of (A)-(C) gives "inconclusive", and only a full-size run can give
 * "violated". A criterion needing a spread with a single seed is "unclear" (inconclusive).
 */
import type { RobustRow } from './robust.ts';
import { PAPER_TABLE1, TABLE_GRIDS, CURVE_RADII, type ParityExperiment, type RunResult } from './experiment.ts';

export interface Stat {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

export function stat(xs: number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs), n };
}

export type Status = 'pass' | 'fail' | 'unclear';

export interface Criterion {
  id: 'A' | 'B' | 'C' | 'D';
  status: Status;
  detail: string;
}

export interface ParitySummary {
  ps: number[];
  /** Per Table 1 radius: stats per p, the paper's values, the p4 - p1 gap and spread. */
  table: { norm: string; radius: number; byP: Stat[]; paperP1: number | null; paperP4: number | null; gap: number; spread: number; order: number[] }[];
  curve: { radius: number; byP: Stat[] }[];
  clean: Stat[];
  featureRank: Stat[];
  weightRank: Stat[];
  /** Mean feature / weight stable rank per epoch, per p. */
  rankHistory: { p: number; epoch: number; feature: number; weight: number }[];
  sanity: { maxIncrease: number; maxZeroGap: number; runs: number };
  criteria: Criterion[];
}

function rowAt(rows: RobustRow[], norm: string, r: number): RobustRow {
  const row = rows.find((x) => x.norm === norm && Math.abs(x.radius - r) < 1e-12);
  if (!row) throw new Error(`no row for ${norm} ${r}`);
  return row;
}

function runsOf(e: ParityExperiment, p: number): RunResult[] {
  return e.runs.filter((r) => r.p === p);
}

export function summarise(e: ParityExperiment, quick: boolean): ParitySummary {
  const ps = e.config.ps;
  const byP = (f: (r: RunResult) => number) => ps.map((p) => stat(runsOf(e, p).map(f)));
  const iMin = ps.indexOf(Math.min(...ps));
  const iMax = ps.indexOf(Math.max(...ps));
  const table = TABLE_GRIDS.flatMap((g) => g.radii.map((r) => {
    const s = byP((run) => rowAt(run.table, g.norm, r).robustAccuracy);
    const paper = PAPER_TABLE1.find((t) => t.norm === g.norm && t.radius === r);
    const order = ps.map((_, i) => i).sort((a, b) => s[a].mean - s[b].mean).map((i) => ps[i]);
    return {
      norm: g.norm, radius: r, byP: s, paperP1: paper?.p1 ?? null, paperP4: paper?.p4 ?? null,
      gap: s[iMax].mean - s[iMin].mean, spread: s[iMax].sd + s[iMin].sd, order,
    };
  }));
  const curve = CURVE_RADII.map((r) => ({ radius: r, byP: byP((run) => rowAt(run.curve, 'linf', r).robustAccuracy) }));
  const clean = byP((r) => r.cleanAccuracy);
  const featureRank = byP((r) => r.finalFeatureStableRank);
  const weightRank = byP((r) => r.finalWeightStableRank);
  const rankHistory = ps.flatMap((p) => {
    const rs = runsOf(e, p);
    return rs[0].history.map((h, k) => ({
      p, epoch: h.epoch,
      feature: stat(rs.map((r) => r.history[k].featureStableRank ?? NaN)).mean,
      weight: stat(rs.map((r) => r.history[k].weightStableRank)).mean,
    }));
  });
  let maxIncrease = 0;
  let maxZeroGap = 0;
  for (const run of e.runs) {
    for (let k = 1; k < run.curve.length; k++) maxIncrease = Math.max(maxIncrease, run.curve[k].robustAccuracy - run.curve[k - 1].robustAccuracy);
    maxZeroGap = Math.max(maxZeroGap, Math.abs(run.curve[0].robustAccuracy - run.cleanAccuracyAttacked));
  }
  const seeds = e.config.seeds;
  const soft: Status = quick ? 'unclear' : 'fail';
  const criteria: Criterion[] = [];
  {
    const worst = table.reduce((a, t) => (t.gap - t.spread < a.gap - a.spread ? t : a));
    const anyReversed = table.some((t) => t.gap < -t.spread);
    const allAbove = table.every((t) => t.gap > t.spread);
    const status: Status = seeds < 2 ? 'unclear' : allAbove ? 'pass' : anyReversed ? soft : 'unclear';
    criteria.push({ id: 'A', status, detail: `min over radii of (gap p${ps[iMax]}-p${ps[iMin]}) - spread = ${(worst.gap - worst.spread).toFixed(3)} at ${worst.norm} ${worst.radius} (gap ${worst.gap.toFixed(3)}, spread ${worst.spread.toFixed(3)})` });
  }
  {
    const best = Math.max(...clean.map((s) => s.mean));
    const worst = Math.min(...clean.map((s) => s.mean));
    criteria.push({ id: 'B', status: best - worst <= 0.02 ? 'pass' : soft, detail: `clean accuracy means ${clean.map((s) => s.mean.toFixed(4)).join(', ')} (p = ${ps.join(', ')}); best - worst = ${(best - worst).toFixed(4)}` });
  }
  {
    const sorted = ps.map((p, i) => ({ p, m: featureRank[i].mean })).sort((a, b) => a.p - b.p);
    const inc = sorted.every((x, k) => k === 0 || x.m > sorted[k - 1].m);
    criteria.push({ id: 'C', status: inc ? 'pass' : soft, detail: `final hidden-feature stable rank means ${sorted.map((x) => `p=${x.p}: ${x.m.toFixed(2)}`).join(', ')}` });
  }
  {
    const ok = maxIncrease <= 0 && maxZeroGap === 0;
    criteria.push({ id: 'D', status: ok ? 'pass' : 'fail', detail: `largest increase of robust accuracy along the l_inf curve ${maxIncrease.toFixed(4)}; largest |robust acc at r=0 - clean acc| ${maxZeroGap.toFixed(4)} over ${e.runs.length} runs` });
  }
  return { ps, table, curve, clean, featureRank, weightRank, rankHistory, sanity: { maxIncrease, maxZeroGap, runs: e.runs.length }, criteria };
}

/** holds iff every criterion passes; violated iff one fails (see the file comment); else inconclusive. */
export function verdictOf(s: ParitySummary): 'holds' | 'violated' | 'inconclusive' {
  if (s.criteria.some((c) => c.status === 'fail')) return 'violated';
  return s.criteria.every((c) => c.status === 'pass') ? 'holds' : 'inconclusive';
}
