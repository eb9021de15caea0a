/**
 * The logic of the proofs-checks frei-clusters-nonrobust and frei-robust-net-exists (PAPER.md s.6,
 * Frei bullet; issue 9). Unit scaling throughout: cluster means of norm 1, noise N(0, I_d / d).
 */
import type { CheckContext, CheckResult } from '../checks/types.ts';
import { curvesFigure } from '../report/plots.ts';
import { Rng } from '../random/rng.ts';
import { FULL_TRAIN, QUICK_TRAIN, freiCase, freiConstructionCase, type FreiRow } from './experiments.ts';
import { logLogSlope } from './slopeFit.ts';

const KS = [4, 9, 16, 25];

export async function runFreiClustersNonrobust(ctx: CheckContext): Promise<CheckResult> {
  const rng = new Rng(ctx.seed);
  const d = ctx.quick ? 400 : 1600;
  const s = ctx.quick ? QUICK_TRAIN : FULL_TRAIN;
  const [perCluster, testPerCluster] = ctx.quick ? [5, 4] : [10, 20];
  const rows: FreiRow[] = KS.map((K, i) => {
    ctx.progress(i / KS.length, `K = ${K}`);
    return freiCase(d, K, perCluster, testPerCluster, s, rng.jump(), ctx.quick ? 2 : 5);
  });
  const fit = logLogSlope(rows.map((r) => r.K), rows.map((r) => r.medianRadius));
  const consFit = logLogSlope(rows.map((r) => r.K), rows.map((r) => r.constructionMedian));
  const minAcc = Math.min(...rows.map((r) => r.testAccuracy));
  // The contrast is asymptotic in K: at K = 4, 1/sqrt(K) = 1/2 equals the construction's radius, so
  // we require the trained median below the construction at the largest K and the ratio to fall.
  const ratios = rows.map((r) => r.medianRadius / r.constructionMedian);
  const below = ratios[ratios.length - 1] < 1 && ratios[ratios.length - 1] < ratios[0];
  const inCi = fit.lower <= -0.5 && -0.5 <= fit.upper;
  // B2's certified lower bound can never exceed an attack's flip (consistency of the bracket).
  const bracketOk = rows.every((r) => !(r.bracketLower > r.bracketUpper * (1 + 1e-9)));
  const verdict = minAcc < 0.9 ? 'inconclusive' : inCi && below && bracketOk ? 'holds' : 'violated';
  return {
    verdict,
    keyFigure: `slope of median flip radius vs K = ${fit.slope.toFixed(3)} [${fit.lower.toFixed(3)}, ${fit.upper.toFixed(3)}] (theory -0.5); construction's slope ${consFit.slope.toFixed(3)}; min test accuracy ${minAcc.toFixed(3)}`,
    evidence: { d, train: s, perCluster, testPerCluster, fit, constructionFit: consFit, minTestAccuracy: minAcc, trainedBelowConstruction: below, bracketOk, ratios, rows, note: 'radius: flip along -sign(f(x)) z, z = sum_i y_i x_i over the training set, at correctly classified fresh test points; unit scale. Verdict: inconclusive if test accuracy < 0.9; holds if the slope CI contains -1/2 and the trained median is below the construction\'s certified median at the largest K with the ratio falling from the smallest K; else violated.' },
    tables: [
      {
        title: `Frei clusters (d = ${d}, unit scale): trained ReLU net's median flip radius vs 1/sqrt(K) and the robust construction`,
        columns: ['K', 'n train', 'test points', 'test accuracy', 'median radius', '1/sqrt(K)', 'construction median', 'construction min', 'train loss', 'B2 lower (median)', 'attack upper (median)'],
        rows: rows.map((r) => [r.K, r.n, r.testPoints, r.testAccuracy, r.medianRadius, r.invSqrtK, r.constructionMedian, r.constructionMin, r.trainLoss, r.bracketLower, r.bracketUpper]),
      },
    ],
    figures: [
      curvesFigure({
        name: 'frei-radius-scaling',
        caption: `Frei clusters (d = ${d}): trained ReLU net's median flip radius, 1/sqrt(K), and the robust construction's certified radius against K (log-log)`,
        xTitle: 'K',
        yTitle: 'radius (unit scale)',
        logX: true,
        logY: true,
        series: [
          { name: 'trained ReLU (median flip along z)', points: rows.map((r) => ({ x: r.K, y: r.medianRadius })) },
          { name: '1/sqrt(K)', points: rows.map((r) => ({ x: r.K, y: r.invSqrtK })) },
          { name: 'construction (certified, median)', points: rows.map((r) => ({ x: r.K, y: r.constructionMedian })) },
        ],
      }),
    ],
    seed: ctx.seed,
    config: ctx.config,
  };
}

export async function runFreiRobustNetExists(ctx: CheckContext): Promise<CheckResult> {
  const rng = new Rng(ctx.seed);
  const ds = ctx.quick ? [400] : [400, 1600];
  const testPerCluster = ctx.quick ? 8 : 40;
  const rows = ds.flatMap((d) => KS.map((K) => ({ d, ...freiConstructionCase(d, K, testPerCluster, rng.jump(), 2) })));
  ctx.progress(0.9, 'fit');
  const perD = ds.map((d) => {
    const rs = rows.filter((r) => r.d === d);
    return { d, fit: logLogSlope(rs.map((r) => r.size), rs.map((r) => r.medianCertified)), minMedian: Math.min(...rs.map((r) => r.medianCertified)) };
  });
  const worstGap = Math.max(...rows.map((r) => r.worstGap));
  const allCorrect = rows.every((r) => r.correct === 1);
  // Theta(1): every median certified radius >= 0.25 (closed form 1/2 - O(sqrt(log K / d))), and
  // far flatter in K than the trained nets' -1/2: fitted slope > -0.1.
  const flat = perD.every((p) => p.minMedian >= 0.25 && p.fit.slope > -0.1);
  // B2's certified bound must not exceed an actual flip at the same points (soundness cross-check).
  const b2Consistent = rows.every((r) => !(r.b2Lower > r.attackAtB2 * (1 + 1e-9)));
  const verdict = worstGap > 1e-9 || !allCorrect || !b2Consistent ? 'violated' : flat ? 'holds' : 'inconclusive';
  const p0 = perD[perD.length - 1];
  return {
    verdict,
    keyFigure: `d = ${p0.d}: min over K of the median certified radius ${p0.minMedian.toFixed(3)}, slope vs K ${p0.fit.slope.toFixed(3)} [${p0.fit.lower.toFixed(3)}, ${p0.fit.upper.toFixed(3)}]; max(certified - attack) = ${worstGap.toExponential(2)}`,
    evidence: { perD, rows, worstGap, allCorrect, b2Consistent, note: 'N(x) = sum_k y_k relu(<mu_k, x> - 1/2) in unit scale; certified radius by the closed form of robustConstruction.ts, checked against the attack along -mu_own and B2 certifiedRadius at 2 points.' },
    tables: [
      {
        title: "Frei's robust construction: certified radii at fresh test points (unit scale)",
        columns: ['d', 'K', 'points', 'min certified', 'median certified', 'median attack', 'B2 lower', 'closed form (same pts)', 'attack (same pts)', 'accuracy'],
        rows: rows.map((r) => [r.d, r.size, r.n, r.minCertified, r.medianCertified, r.medianAttack, r.b2Lower, r.closedAtB2, r.attackAtB2, r.correct]),
      },
    ],
    figures: [
      curvesFigure({
        name: 'frei-construction-radius',
        caption: "Frei's robust construction: median certified radius against K (log-log), with 1/sqrt(K)",
        xTitle: 'K',
        yTitle: 'radius (unit scale)',
        logX: true,
        logY: true,
        series: [
          ...ds.map((d) => ({ name: `construction, d = ${d}`, points: rows.filter((r) => r.d === d).map((r) => ({ x: r.size, y: r.medianCertified })) })),
          { name: '1/sqrt(K)', points: KS.map((K) => ({ x: K, y: 1 / Math.sqrt(K) })) },
        ],
      }),
    ],
    seed: ctx.seed,
    config: ctx.config,
  };
}
