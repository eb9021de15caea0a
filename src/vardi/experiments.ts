/**
 * The measurements behind the four issue-9 proofs-checks (PAPER.md s.6, Vardi and Frei bullets).
 * Training happens in unit scale (x / sqrt(d), see scaleData) and radii are reported in the scale
 * each claim is stated in: Vardi's in the original scale (points of norm sqrt(d)), Frei's in unit
 * scale.
 */
import { Rng } from '../random/rng.ts';
import { appendConstant, freiModel, sampleFrei, scaleData, universalDirection, vardiData, type LabelledData } from './data.ts';
import { kktReport } from './kkt.ts';
import { radiusBracket, restrictedModel, universalFlipRadii, flipRadiusAlong } from './flipRadius.ts';
import { freiRobustNet, ownTemplateDirection, templateCertifiedRadius, vardiRobustNet, type TemplateNet } from './robustConstruction.ts';
import { trainRelu, type KktTracePoint } from './training.ts';
import { median } from './slopeFit.ts';
import { certifiedRadius } from '../robustness/lowerbound.ts';

export interface TrainSettings {
  h: number;
  initScale: number;
  lossThreshold: number;
  rtol: number;
  loss: 'exp' | 'logistic';
  /** Gradient-flow horizon (default 1e9; the loss threshold normally stops training first). */
  tEnd?: number;
  /** Save points (geometric in t from 0.01 to tEnd; default 12). */
  saveCount?: number;
}

export const QUICK_TRAIN: TrainSettings = { h: 20, initScale: 1e-3, lossThreshold: 1e-3, rtol: 1e-3, loss: 'exp' };
export const FULL_TRAIN: TrainSettings = { h: 50, initScale: 1e-3, lossThreshold: 1e-5, rtol: 1e-4, loss: 'exp' };

export interface VardiRow {
  d: number;
  n: number;
  bias: boolean;
  trainLoss: number;
  trainSteps: number;
  medianRadius: number;
  minRadius: number;
  sqrtDOverN: number;
  /** Median certified radius of the robust construction on the same points. */
  constructionMedian: number;
  /** Clarke-fit KKT residual of the final net (kkt.ts), and the one-sided fit for comparison. */
  stationarity: number;
  stationarityIndicator: number;
  slackness: number;
  marginPoints: number;
  support: number;
}

/** Train on Vardi's data at (d, n) and measure flip radii along z (original scale) and the KKT report. */
export function vardiCase(d: number, n: number, bias: boolean, s: TrainSettings, rng: Rng, kktTrace = false): { row: VardiRow; trace: KktTracePoint[]; data: LabelledData; unitNet: ReturnType<typeof trainRelu>['net'] } {
  const data = vardiData(n, d, rng);
  const unit = scaleData(data, 1 / Math.sqrt(d));
  const train = bias ? appendConstant(unit) : unit;
  const r = trainRelu(train, { h: s.h, loss: s.loss, initScale: s.initScale, tEnd: s.tEnd ?? 1e9, lossThreshold: s.lossThreshold, saveCount: s.saveCount ?? 12, kktTrace, rtol: s.rtol }, rng);
  const z = universalDirection(unit);
  const model = restrictedModel(r.net, d, bias ? [1] : []);
  const radii = universalFlipRadii(model, unit, z, 20).map((x) => x * Math.sqrt(d));
  const kkt = kktReport(r.net, train);
  const cons = vardiRobustNet(data);
  const cert: number[] = [];
  for (let i = 0; i < n; i++) cert.push(templateCertifiedRadius(cons, data.X.subarray(i * d, (i + 1) * d), data.y[i]));
  return {
    row: {
      d,
      n,
      bias,
      trainLoss: r.finalLoss,
      trainSteps: r.steps,
      medianRadius: median(radii),
      minRadius: Math.min(...radii),
      sqrtDOverN: Math.sqrt(d / n),
      constructionMedian: median(cert),
      stationarity: kkt.stationarity,
      stationarityIndicator: kkt.stationarityIndicator,
      slackness: kkt.slackness,
      marginPoints: kkt.marginPoints,
      support: kkt.support,
    },
    trace: r.trace,
    data,
    unitNet: r.net,
  };
}

/** B2's bracket (certified lower, attack upper) at the first `count` training points, original scale. */
export function vardiBrackets(data: LabelledData, unitNet: ReturnType<typeof trainRelu>['net'], bias: boolean, count: number, rng: Rng): { lower: number; upper: number; universal: number }[] {
  const d = data.D;
  const unit = scaleData(data, 1 / Math.sqrt(d));
  const z = universalDirection(unit);
  const out = [];
  for (let i = 0; i < Math.min(count, data.n); i++) {
    const b = radiusBracket(unitNet, unit.X.subarray(i * d, (i + 1) * d), z, bias ? [1] : [], 20, rng);
    out.push({ lower: b.lower * Math.sqrt(d), upper: b.upper * Math.sqrt(d), universal: b.universal * Math.sqrt(d) });
  }
  return out;
}

/**
 * Constant coordinate of the constructions when B2's bound cross-checks them (times ||t||^2, which
 * is d for Vardi and 1 for Frei in unit scale): B2 perturbs it too; at C = 100 ||t||^2 a unit
 * perturbation of it moves a pre-activation by only 1/200.
 */
const B2_CONSTANT = 100;

export interface ConstructionRow {
  /** d for Vardi, K for Frei. */
  size: number;
  n: number;
  minCertified: number;
  medianCertified: number;
  /** Largest (certified - attack upper bound): must be <= ~0 if the closed form is sound. */
  worstGap: number;
  /** Median attack upper bound (flip along the own template). */
  medianAttack: number;
  /** B2's certified lower bound, min over the first b2Points points (same scale), NaN if not computed. */
  b2Lower: number;
  /** Our closed form and the attack upper bound, min over the same points. */
  closedAtB2: number;
  attackAtB2: number;
  correct: number;
}

/** Certified radii of a template net at points (x_i, y_i), with the attack upper bound along -t_own. */
export function constructionRadii(tn: TemplateNet, pts: LabelledData, b2Points: number): Omit<ConstructionRow, 'size' | 'n'> {
  const d = tn.d;
  const model = restrictedModel(tn.net, d, [tn.C]);
  const cert: number[] = [];
  const att: number[] = [];
  let worstGap = -Infinity;
  let correct = 0;
  let b2Lower = NaN;
  let closedAtB2 = NaN;
  let attackAtB2 = NaN;
  const full = new Float64Array(d + 1);
  for (let i = 0; i < pts.n; i++) {
    const x = pts.X.subarray(i * pts.D, i * pts.D + d);
    const c = templateCertifiedRadius(tn, x, pts.y[i]);
    const f = model.value(x);
    if (pts.y[i] * f > 0) correct++;
    // The own-template flip lies in (c, 2c] (see robustConstruction.ts), so a coarse scan suffices.
    const a = flipRadiusAlong(model, x, ownTemplateDirection(tn, x, pts.y[i]), 4 * Math.max(1e-9, c) + 1, 16);
    cert.push(c);
    att.push(a);
    worstGap = Math.max(worstGap, c - a);
    if (i < b2Points) {
      full.set(x);
      full[d] = tn.C;
      const lb = certifiedRadius(tn.net, full, pts.y[i], 4 * c + 1);
      b2Lower = Math.min(Number.isNaN(b2Lower) ? Infinity : b2Lower, lb ? lb.radius : NaN);
      closedAtB2 = Math.min(Number.isNaN(closedAtB2) ? Infinity : closedAtB2, c);
      attackAtB2 = Math.min(Number.isNaN(attackAtB2) ? Infinity : attackAtB2, a);
    }
  }
  return { minCertified: Math.min(...cert), medianCertified: median(cert), worstGap, medianAttack: median(att), b2Lower, closedAtB2, attackAtB2, correct: correct / pts.n };
}

/** Vardi's construction on n points in dimension d (original scale, radii there). */
export function vardiConstructionCase(d: number, n: number, rng: Rng, b2Points: number): ConstructionRow {
  const data = vardiData(n, d, rng);
  return { size: d, n, ...constructionRadii(vardiRobustNet(data, B2_CONSTANT * d), data, b2Points) };
}

export interface FreiRow {
  K: number;
  d: number;
  n: number;
  testPoints: number;
  testAccuracy: number;
  medianRadius: number;
  invSqrtK: number;
  constructionMedian: number;
  constructionMin: number;
  constructionAccuracy: number;
  trainLoss: number;
  /** B2's bracket at the first `bracketPoints` correctly classified test points (medians; NaN if none). */
  bracketLower: number;
  bracketUpper: number;
}

/** Frei's clusters (unit scale): trained net's flip radius along z on fresh test points vs the construction. */
export function freiCase(d: number, K: number, perCluster: number, testPerCluster: number, s: TrainSettings, rng: Rng, bracketPoints = 0): FreiRow {
  const model = freiModel(d, K, rng, true);
  const train = sampleFrei(model, perCluster * K, rng);
  const test = sampleFrei(model, testPerCluster * K, rng);
  const r = trainRelu(train, { h: s.h, loss: s.loss, initScale: s.initScale, tEnd: 1e9, lossThreshold: s.lossThreshold, saveCount: 6, kktTrace: false, rtol: s.rtol }, rng);
  const z = universalDirection(train);
  const m = restrictedModel(r.net, d);
  const x = new Float64Array(d);
  const radii: number[] = [];
  const lows: number[] = [];
  const ups: number[] = [];
  let correct = 0;
  for (let i = 0; i < test.n; i++) {
    x.set(test.X.subarray(i * d, (i + 1) * d));
    if (test.y[i] * m.value(x) <= 0) continue;
    correct++;
    radii.push(flipRadiusAlong(m, x, z, 10));
    if (lows.length < bracketPoints) {
      const b = radiusBracket(r.net, x, z, [], 10, rng);
      lows.push(b.lower);
      ups.push(b.upper);
    }
  }
  const cons = constructionRadii(freiRobustNet(model.means, model.clusterLabels, d), test, 0);
  return {
    K,
    d,
    n: train.n,
    testPoints: test.n,
    testAccuracy: correct / test.n,
    medianRadius: median(radii),
    invSqrtK: 1 / Math.sqrt(K),
    constructionMedian: cons.medianCertified,
    constructionMin: cons.minCertified,
    constructionAccuracy: cons.correct,
    trainLoss: r.finalLoss,
    bracketLower: median(lows),
    bracketUpper: median(ups),
  };
}

/** Frei's construction alone (no training) at K clusters, with the B2 cross-check on a few points. */
export function freiConstructionCase(d: number, K: number, testPerCluster: number, rng: Rng, b2Points: number): ConstructionRow {
  const model = freiModel(d, K, rng, true);
  const test = sampleFrei(model, testPerCluster * K, rng);
  return { size: K, n: test.n, ...constructionRadii(freiRobustNet(model.means, model.clusterLabels, d, B2_CONSTANT), test, b2Points) };
}


