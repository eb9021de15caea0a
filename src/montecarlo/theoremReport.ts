/**
 * Turn a theorem check (theoremCheck.ts) into the CheckResult of a proofs-check: sizes for quick
 * and full mode, config overrides (validated), the key figure, evidence and tables.
 */
import type { CheckContext, CheckResult, EvidenceTable } from '../checks/types.ts';
import { THEOREMS, type TheoremId } from '../bounds/registry.ts';
import type { BoundParams } from '../bounds/theorem.ts';
import { requireInt, requireKnownKeys, requireReal } from '../validate.ts';
import { theoremGrid } from './grid.ts';
import { checkTheorem, type TheoremCheckResult } from './theoremCheck.ts';
import { boundVsEstimateFigure, intervalsFigure } from '../report/plots.ts';
import type { FigureSpec } from '../checks/types.ts';

/** The report's two figures per theorem: bound vs estimate (log scale) and implied-C intervals. */
function theoremFigures(id: TheoremId, r: TheoremCheckResult): FigureSpec[] {
  const label = (p: TheoremCheckResult['points'][number]) =>
    `D=${p.params.D} K=${p.params.K} K1=${p.params.K1} alpha=${Number(p.params.alpha.toPrecision(3))}`;
  const implied = r.points.filter((p) => Number.isFinite(p.c95.lower) || Number.isFinite(p.c95.upper));
  return [
    boundVsEstimateFigure({
      name: `${id}-bound-vs-estimate`,
      caption: `${id}: Monte-Carlo estimate of the bounded probability (dot, family-wise 95% Clopper-Pearson bar) against the bound at C = ${r.C} (red tick), per grid point`,
      yTitle: 'probability',
      logY: true,
      points: r.points.map((p) => ({ label: label(p), bound: p.bound, estimate: p.ci.estimate, lo: p.ci.lower, hi: p.ci.upper })),
    }),
    intervalsFigure({
      name: `${id}-implied-constant`,
      caption: `${id}: interval of constants C consistent with each point's estimate (pointwise 95%); dashed: C = ${r.C}`,
      xTitle: 'C',
      logX: true,
      rows: implied.map((p) => ({
        label: label(p),
        lo: Number.isFinite(p.c95.lower) && p.c95.lower > 0 ? p.c95.lower : NaN,
        hi: Number.isFinite(p.c95.upper) ? p.c95.upper : NaN,
        point: Number.isFinite(p.c95.estimate) && p.c95.estimate > 0 ? p.c95.estimate : undefined,
      })),
      references: [{ x: r.C, label: `C = ${r.C}` }],
    }),
  ];
}

export interface TheoremRunSizes {
  points: number;
  nStart: number;
  nMax: number;
  chunkSize: number;
}

export const QUICK: TheoremRunSizes = { points: 8, nStart: 1 << 14, nMax: 1 << 18, chunkSize: 1 << 14 };
export const FULL: TheoremRunSizes = { points: 60, nStart: 1 << 16, nMax: 1 << 22, chunkSize: 1 << 16 };

const KNOWN = ['points', 'nStart', 'nMax', 'chunkSize', 'C', 'threads'];

const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));

function pointTable(id: TheoremId, r: TheoremCheckResult): EvidenceTable {
  const extra = id === 'T2' ? ['rho'] : id === 'T3' ? ['p'] : id === 'T4' ? ['p', 'delta'] : [];
  return {
    title: `${id}: per point, q-hat with family-wise CI vs bound at C = ${r.C}; implied C (pointwise 95%)`,
    columns: ['placed_by', 'D', 'K', 'K1', 'alpha', ...extra, 'n', 'q_hat', 'q_lo', 'q_hi', 'bound', 'status', 'C_lo', 'C_hat', 'C_hi', ...(r.exactAgreement ? ['q_exact'] : [])],
    rows: r.points.map((p) => [
      p.placedBy, p.params.D, p.params.K, p.params.K1, p.params.alpha, ...extra.map((e) => p.params[e as keyof BoundParams] as number),
      p.n, p.ci.estimate, p.ci.lower, p.ci.upper, p.bound, p.status, p.c95.lower, p.c95.estimate, p.c95.upper,
      ...(r.exactAgreement ? [p.exact ?? null] : []),
    ]),
  };
}

/** Sizes, constant and threads of a theorem check from its config section (validated, fields named). */
export function theoremSettings(id: TheoremId, config: Record<string, unknown>, quick: boolean): { sizes: TheoremRunSizes; C: number; threads: number } {
  const cfg = requireKnownKeys('', config, KNOWN);
  const base = quick ? QUICK : FULL;
  const sizes: TheoremRunSizes = {
    points: cfg.points === undefined ? base.points : requireInt('points', cfg.points, 1, 10000),
    chunkSize: cfg.chunkSize === undefined ? base.chunkSize : requireInt('chunkSize', cfg.chunkSize, 1024),
    nStart: cfg.nStart === undefined ? base.nStart : requireInt('nStart', cfg.nStart, 1024),
    nMax: cfg.nMax === undefined ? base.nMax : requireInt('nMax', cfg.nMax, 1024),
  };
  const C = cfg.C === undefined ? (THEOREMS[id].candidateC as number) : requireReal('C', cfg.C, { min: 0, minExclusive: true });
  const threads = cfg.threads === undefined ? 2 : requireInt('threads', cfg.threads, 1, 64);
  return { sizes, C, threads };
}

export async function runTheoremCheck(
  id: TheoremId,
  ctx: CheckContext,
  extra: { exact?: (p: BoundParams) => number } = {},
): Promise<{ result: CheckResult; raw: TheoremCheckResult }> {
  const { sizes, C, threads } = theoremSettings(id, ctx.config, ctx.quick);
  const thm = THEOREMS[id];
  const grid = theoremGrid(id, sizes.points, ctx.seed, undefined, C);
  const raw = await checkTheorem(id, grid, {
    seed: ctx.seed, C, nStart: sizes.nStart, nMax: sizes.nMax, chunkSize: sizes.chunkSize, threads, exact: extra.exact,
    progress: ctx.progress,
  });
  const lc = raw.largestC;
  const v = raw.firstViolation;
  const keyFigure = v
    ? `violated at ${JSON.stringify(v.params)}: q in [${fmt(v.ci.lower)}, ${fmt(v.ci.upper)}] > bound ${fmt(v.bound)} (C = ${C})`
    : `C = ${C}: ${raw.counts.confirmed}/${grid.length} points confirmed, ${raw.counts.straddles} straddle, ${raw.counts.vacuous} vacuous; ` +
      `largest C valid on the grid ${fmt(lc.estimate)} (95% family-wise [${fmt(lc.lower)}, ${fmt(lc.upper)}])`;
  const result: CheckResult = {
    verdict: raw.verdict,
    keyFigure,
    evidence: {
      C, candidateNote: thm.candidateNote, sizes, counts: raw.counts, straddleShare: raw.straddleShare,
      largestC: lc, bindingPoint: lc.at >= 0 ? raw.points[lc.at].params : null,
      tightestConfirmedRatio: raw.tightestRatio, exactAgreement: raw.exactAgreement, totalSamples: raw.totalSamples,
      violation: v ? { params: v.params, k: v.k, n: v.n, ci: v.ci, bound: v.bound, replay: { seed: ctx.seed, pointIndex: v.index } } : null,
    },
    tables: [pointTable(id, raw)],
    figures: theoremFigures(id, raw),
    seed: ctx.seed,
    config: { ...sizes, C, threads },
  };
  return { result, raw };
}
