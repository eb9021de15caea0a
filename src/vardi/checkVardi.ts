/**
 * The logic of the proofs-checks vardi-kkt-nonrobust and vardi-robust-net-exists (PAPER.md s.6,
 * Vardi bullet; issue 9). The proofs-check files only wrap these.
 */
import type { CheckContext, CheckResult } from '../checks/types.ts';
import { curvesFigure } from '../report/plots.ts';
import { Rng } from '../random/rng.ts';
import { FULL_TRAIN, QUICK_TRAIN, vardiBrackets, vardiCase, vardiConstructionCase, type VardiRow } from './experiments.ts';
import { logLogSlope } from './slopeFit.ts';
import type { KktTracePoint } from './training.ts';

/** (d, n) grids with n <= d / 4. */
const QUICK_GRID: [number, number][] = [[100, 10], [100, 25], [200, 10], [200, 25], [200, 50], [400, 25], [400, 50], [400, 100]];
const FULL_GRID: [number, number][] = [[200, 10], [200, 25], [200, 50], [400, 25], [400, 50], [400, 100], [800, 25], [800, 50], [800, 100], [800, 200], [1600, 50], [1600, 100], [1600, 200]];

/** "Small" KKT stationarity residual (relative), fixed before measuring. */
export const KKT_SMALL = 0.1;

export async function runVardiKktNonrobust(ctx: CheckContext): Promise<CheckResult> {
  const rng = new Rng(ctx.seed);
  const grid = ctx.quick ? QUICK_GRID : FULL_GRID;
  const s = ctx.quick ? QUICK_TRAIN : FULL_TRAIN;
  const rows: VardiRow[] = [];
  let trace: KktTracePoint[] = [];
  let traceCase = '';
  let brackets: { lower: number; upper: number; universal: number }[] = [];
  const variants: boolean[] = ctx.quick ? [false] : [false, true];
  const total = grid.length * variants.length + 2;
  let done = 0;
  for (const bias of variants) {
    for (const [d, n] of grid) {
      ctx.progress(done++ / total, `d = ${d}, n = ${n}, bias = ${bias}`);
      rows.push(vardiCase(d, n, bias, s, rng.jump()).row);
    }
  }
  // KKT trace (and B2's bracket) on one mid-size case, with hidden biases.
  {
    const [d, n] = ctx.quick ? [400, 40] : [800, 100];
    ctx.progress(done++ / total, `KKT trace d = ${d}, n = ${n}`);
    // Tighter tolerance and a lower loss than the grid: directional convergence is logarithmic.
    const st = ctx.quick ? { ...s, rtol: 1e-5, lossThreshold: 1e-6 } : { ...s, rtol: 1e-6, lossThreshold: 1e-8 };
    const c = vardiCase(d, n, true, st, rng.jump(), true);
    trace = c.trace.filter((p) => p.accuracy === 1 && Number.isFinite(p.stationarity));
    traceCase = `d = ${d}, n = ${n}, hidden biases, h = ${s.h}`;
    ctx.progress(done++ / total, 'B2 bracket');
    brackets = vardiBrackets(c.data, c.unitNet, true, ctx.quick ? 3 : 10, rng.jump());
  }
  const fits = variants.map((bias) => {
    const rs = rows.filter((r) => r.bias === bias);
    return { bias, fit: logLogSlope(rs.map((r) => r.d / r.n), rs.map((r) => r.medianRadius)) };
  });
  const ratios = rows.map((r) => r.medianRadius / r.constructionMedian);
  const maxRatio = Math.max(...ratios);
  const scalingOk = fits.every((f) => f.fit.lower <= 0.5 && 0.5 <= f.fit.upper);
  const belowOk = maxRatio < 1;
  const first = trace[0];
  const last = trace[trace.length - 1];
  const falling = trace.length >= 2 && last.stationarity < first.stationarity && last.slackness < first.slackness;
  const small = last !== undefined && last.stationarity < KKT_SMALL;
  const bracketOk = brackets.every((b) => b.lower <= b.upper * (1 + 1e-9));
  // The NNLS residual can never exceed sin angle(theta, -grad L) (-grad L is in the searched cone).
  const nnlsConsistent = trace.every((p) => p.stationarity <= p.angleSine + 1e-9);
  const verdict = !scalingOk || !belowOk || !bracketOk || !nnlsConsistent ? 'violated' : falling && small ? 'holds' : 'inconclusive';
  const f0 = fits[0].fit;
  const keyFigure =
    `slope of median flip radius vs d/n = ${f0.slope.toFixed(3)} [${f0.lower.toFixed(3)}, ${f0.upper.toFixed(3)}] (theory 0.5); ` +
    `max trained/construction radius ratio ${maxRatio.toFixed(2)}; KKT stationarity ${first?.stationarity.toFixed(3)} -> ${last?.stationarity.toFixed(3)} (small < ${KKT_SMALL}), slackness ${first?.slackness.toFixed(3)} -> ${last?.slackness.toFixed(3)}`;
  const bySeries = variants.map((bias) => ({
    name: bias ? 'trained, hidden biases' : 'trained, no biases',
    points: rows.filter((r) => r.bias === bias).map((r) => ({ x: r.d / r.n, y: r.medianRadius })),
  }));
  return {
    verdict,
    keyFigure,
    evidence: {
      train: s,
      grid,
      fits,
      scalingOk,
      maxRatioTrainedToConstruction: maxRatio,
      kktTraceCase: traceCase,
      kktTrace: trace,
      kktFalling: falling,
      kktSmall: small,
      nnlsConsistent,
      brackets,
      note: 'radii in the original scale (points of norm sqrt(d)); training in unit scale (scaleData). Verdict: violated if the slope CI excludes 1/2, a trained radius is not below the construction, or a certified bound exceeds an attack; holds if moreover the KKT residual falls and ends below KKT_SMALL; otherwise inconclusive.',
    },
    tables: [
      {
        title: 'Vardi: median flip radius along z = sum y_i x_i (original scale) vs sqrt(d/n) and the robust construction',
        columns: ['d', 'n', 'bias', 'train loss', 'median radius', 'min radius', 'sqrt(d/n)', 'construction median', 'stationarity', 'slackness', 'margin points'],
        rows: rows.map((r) => [r.d, r.n, String(r.bias), r.trainLoss, r.medianRadius, r.minRadius, r.sqrtDOverN, r.constructionMedian, r.stationarity, r.slackness, r.marginPoints]),
      },
      {
        title: `KKT residual along the trajectory (${traceCase})`,
        columns: ['t', 'loss', 'stationarity', 'slackness', 'sin angle(theta, -grad L)'],
        rows: trace.map((p) => [p.t, p.loss, p.stationarity, p.slackness, p.angleSine]),
      },
    ],
    figures: [
      curvesFigure({
        name: 'vardi-radius-scaling',
        caption: 'Median flip radius along the universal direction against d/n (log-log), with sqrt(d/n) and the robust construction',
        xTitle: 'd / n',
        yTitle: 'median flip radius',
        logX: true,
        logY: true,
        series: [
          ...bySeries,
          { name: 'sqrt(d/n)', points: rows.filter((r) => !r.bias).map((r) => ({ x: r.d / r.n, y: r.sqrtDOverN })).sort((a, b) => a.x - b.x) },
          { name: 'construction (certified, median)', points: rows.filter((r) => !r.bias).map((r) => ({ x: r.d / r.n, y: r.constructionMedian })).sort((a, b) => a.x - b.x) },
        ].map((se) => ({ ...se, points: [...se.points].sort((a, b) => a.x - b.x) })),
      }),
      curvesFigure({
        name: 'vardi-kkt-residual',
        caption: `KKT stationarity residual and complementary-slackness measure along gradient flow (${traceCase})`,
        xTitle: 'training time t',
        yTitle: 'residual',
        logX: true,
        logY: true,
        series: [
          { name: 'stationarity', points: trace.map((p) => ({ x: p.t, y: p.stationarity })) },
          { name: 'slackness', points: trace.map((p) => ({ x: p.t, y: p.slackness })) },
          { name: 'sin angle(theta, -grad L)', points: trace.map((p) => ({ x: p.t, y: p.angleSine })) },
        ],
      }),
    ],
    seed: ctx.seed,
    config: ctx.config,
  };
}

export async function runVardiRobustNetExists(ctx: CheckContext): Promise<CheckResult> {
  const rng = new Rng(ctx.seed);
  const cases: [number, number][] = ctx.quick ? [[100, 25], [200, 50], [400, 100], [800, 200]] : [[100, 25], [200, 50], [400, 100], [800, 200], [1600, 400], [3200, 800]];
  const rows = cases.map(([d, n], i) => {
    ctx.progress(i / cases.length, `d = ${d}, n = ${n}`);
    return vardiConstructionCase(d, n, rng.jump(), ctx.quick ? 1 : 3);
  });
  const ratios = rows.map((r) => r.minCertified / Math.sqrt(r.size));
  const minOverSqrtD = Math.min(...ratios);
  const atLargestD = ratios[ratios.length - 1];
  const worstGap = Math.max(...rows.map((r) => r.worstGap));
  const allCorrect = rows.every((r) => r.correct === 1);
  // Omega(sqrt(d)) is asymptotic: the closed form gives 1/2 - O(sqrt(log n / d)), so small d sit
  // lower. Required: at the largest d the ratio is at least 1/4, and it does not shrink from the
  // smallest to the largest d. (An earlier rule asked for 1/4 at every d; d = 100 gives ~0.23 by
  // the log n / d term alone, which says nothing about the Omega(sqrt(d)) claim.)
  // B2's certified bound must not exceed an actual flip at the same points (soundness cross-check).
  const b2Consistent = rows.every((r) => !(r.b2Lower > r.attackAtB2 * (1 + 1e-9)));
  const growsOrHolds = atLargestD >= ratios[0];
  const verdict = worstGap > 1e-9 || !allCorrect || !b2Consistent ? 'violated' : atLargestD >= 0.25 && growsOrHolds ? 'holds' : 'inconclusive';
  return {
    verdict,
    keyFigure: `min certified radius / sqrt(d) = ${ratios.map((r) => r.toFixed(3)).join(', ')} over d in {${cases.map((c) => c[0]).join(', ')}} (n = d/4; need >= 0.25 at the largest d, not shrinking); max(certified - attack) = ${worstGap.toExponential(2)}`,
    evidence: { rows, ratios, minOverSqrtD, atLargestD, worstGap, allCorrect, b2Consistent, note: 'certified: closed form of robustConstruction.ts (own unit on, opposite-label units off); attack: flip along -t_own; b2Lower: B2 certifiedRadius at the first points, with the constant coordinate C = 100 d so that B2 perturbing it costs little.' },
    tables: [
      {
        title: "Vardi's robust construction N(x) = sum_i y_i relu(<x_i, x> - ||x_i||^2/2): certified radii (original scale)",
        columns: ['d', 'n', 'min certified', 'median certified', 'sqrt(d)/2', 'median attack', 'B2 lower', 'closed form (same pts)', 'attack (same pts)', 'train accuracy'],
        rows: rows.map((r) => [r.size, r.n, r.minCertified, r.medianCertified, Math.sqrt(r.size) / 2, r.medianAttack, r.b2Lower, r.closedAtB2, r.attackAtB2, r.correct]),
      },
    ],
    figures: [
      curvesFigure({
        name: 'vardi-construction-radius',
        caption: 'Certified radius of the robust construction against d (log-log) with sqrt(d)/2 and the trained nets\' sqrt(d/n)',
        xTitle: 'd',
        yTitle: 'radius',
        logX: true,
        logY: true,
        series: [
          { name: 'construction min certified', points: rows.map((r) => ({ x: r.size, y: r.minCertified })) },
          { name: 'sqrt(d)/2', points: rows.map((r) => ({ x: r.size, y: Math.sqrt(r.size) / 2 })) },
          { name: 'sqrt(d/n) (trained, theory)', points: rows.map((r) => ({ x: r.size, y: Math.sqrt(r.size / r.n) })) },
        ],
      }),
    ],
    seed: ctx.seed,
    config: ctx.config,
  };
}
