/**
 * Direct test of the sample-noise-floor explanation of conjecture-dist (README findings, effect 3;
 * issue 3), evidence only, never in the check's verdict.
 *
 * The explanation: at alpha > 0 each p = 3 neuron ends along its cluster's SAMPLE mean, which is off
 * the true centre mu_k by a sine ~ alpha sqrt(K/n), so dist(f_3, F^(3)) (built on the true mu_k,
 * PAPER.md s.5, s.7) has a floor that training cannot remove. Test: replace mu_k by the sample
 * directions and measure again with the same proper estimator.
 *
 * The "empirical" limits (our definition, [derived]): with mubar_k the mean of the training points
 * of cluster k and muhat_k = mubar_k / ||mubar_k|| (unit, as the paper's centres are),
 * - F^(p)_emp(x) = sum_{k <= K1} relu(<x, muhat_k>)^p - sum_{k > K1} relu(<x, muhat_k>)^p;
 * - F_emp(x) = relu(<x, muhat_+>) - relu(<x, muhat_->), muhat_+ = sum_{k <= K1} muhat_k and
 *   muhat_- = sum_{k > K1} muhat_k (the class sums of the unit sample directions, exactly as F uses
 *   mu_+ = sum of the positive centres, so F = sqrt(K1) relu(<x, mubar_+>) - ... of PAPER.md s.5).
 * Both are the library's limitF / limitFp lifted with the K x D matrix of muhat_k in place of the
 * centres (src/classifiers/lift.ts needs no orthogonality). With alpha = 0 every training point is
 * its centre, the mean is computed by shifted summation (exact for identical rows), so muhat_k = mu_k
 * bit for bit on the canonical frame and the empirical limits are the true ones.
 *
 * Prediction, written before measuring (also stored in the evidence): if the floor is the
 * sample-mean effect, dist(f_3, F^(3)_emp) keeps falling with training as in the noise-free case
 * (balanced: ~ loss ~ 1/t; iid: the 1/log t cluster-size term remains), so on balanced data the
 * ratio dist(f_1, F_emp) / dist(f_3, F^(3)_emp) exceeds the true-centre ratio by a factor that grows
 * with training, possibly > 100.
 *
 * Negative control: each muhat_k replaced by a unit vector at the SAME angle from mu_k but in a
 * random direction orthogonal to mu_k. If the sample-mean direction itself matters, the control's
 * dist stays at (or above) the true-centre floor.
 */
import { liftToInput, type LiftedClassifier } from '../classifiers/lift.ts';
import { limitF } from '../classifiers/limitF.ts';
import { limitFp } from '../classifiers/limitFp.ts';
import type { EvidenceTable } from '../checks/types.ts';
import { dist } from '../conjecture/distance.ts';
import type { OrthonormalMixture } from '../data/mixture.ts';
import type { PReluNet } from '../network/types.ts';
import { netModel } from '../robustness/netmodel.ts';
import { Rng } from '../random/rng.ts';
import { norm2 } from '../random/sampling.ts';
import { ConfigError, requireReal } from '../validate.ts';
import type { NetDistOptions } from './netDist.ts';
import type { SavedNet, TrainedResult } from './trained.ts';

/** Unit sample directions of the K clusters. */
export interface SampleDirections {
  K: number;
  K1: number;
  D: number;
  /** K x D row-major, row k = muhat_k = mubar_k / ||mubar_k||. */
  directions: Float64Array;
  /** Training points per cluster. */
  counts: number[];
  /** sin of the angle between muhat_k and mu_k (norm of muhat_k's part orthogonal to mu_k). */
  sines: number[];
}

/** ||u - <u, e> e|| for a unit e: the sine of the angle between unit u and e, accurate at small angles. */
function sineTo(u: Float64Array, uOff: number, e: Float64Array, eOff: number, D: number): number {
  let c = 0;
  for (let i = 0; i < D; i++) c += u[uOff + i] * e[eOff + i];
  let s = 0;
  for (let i = 0; i < D; i++) {
    const r = u[uOff + i] - c * e[eOff + i];
    s += r * r;
  }
  return Math.sqrt(s);
}

/**
 * muhat_k from the training set X (n x D) and the 0-based cluster ids z. The mean is taken as
 * x_first + mean(x_i - x_first) (shifted summation: exact when the rows are identical, i.e. alpha = 0).
 */
export function sampleDirections(mix: OrthonormalMixture, X: Float64Array, z: Int32Array): SampleDirections {
  const { K, K1, D } = mix;
  const n = z.length;
  if (X.length !== n * D) throw new ConfigError('X.length', X.length, `n * D = ${n * D} (one row per cluster id)`);
  const first = new Int32Array(K).fill(-1);
  const counts = new Array<number>(K).fill(0);
  const sums = new Float64Array(K * D);
  for (let i = 0; i < n; i++) {
    const k = z[i];
    if (!(k >= 0 && k < K)) throw new ConfigError(`z[${i}]`, k, `a cluster id in 0..${K - 1}`);
    if (first[k] < 0) first[k] = i;
    counts[k]++;
    const f = first[k] * D;
    for (let j = 0; j < D; j++) sums[k * D + j] += X[i * D + j] - X[f + j];
  }
  const directions = new Float64Array(K * D);
  const sines: number[] = [];
  for (let k = 0; k < K; k++) {
    if (counts[k] === 0) throw new ConfigError(`cluster ${k}`, 0, 'at least one training point per cluster');
    const f = first[k] * D;
    for (let j = 0; j < D; j++) directions[k * D + j] = X[f + j] + sums[k * D + j] / counts[k];
    const nm = norm2(directions, k * D, D);
    if (!(nm > 0)) throw new ConfigError(`sample mean of cluster ${k}`, nm, 'a non-zero vector');
    if (nm !== 1) for (let j = 0; j < D; j++) directions[k * D + j] /= nm;
    sines.push(sineTo(directions, k * D, mix.centres, k * D, D));
  }
  return { K, K1, D, directions, counts, sines };
}

/**
 * Negative control: row k is cos(theta_k) mu_k + sin(theta_k) e_k with e_k a uniformly random unit
 * vector orthogonal to mu_k and sin(theta_k) = sines[k] (the sample directions' own angles).
 */
export function tiltedDirections(mix: OrthonormalMixture, sines: readonly number[], rng: Rng): Float64Array {
  const { K, D } = mix;
  if (sines.length !== K) throw new ConfigError('sines.length', sines.length, `K = ${K}`);
  const out = new Float64Array(K * D);
  const e = new Float64Array(D);
  for (let k = 0; k < K; k++) {
    const s = requireReal(`sines[${k}]`, sines[k], { min: 0, max: 1 });
    let ne = 0;
    do {
      rng.fillNormal(e);
      // Two Gram-Schmidt passes against mu_k (orthogonality to ~1e-16).
      for (let pass = 0; pass < 2; pass++) {
        let d = 0;
        for (let j = 0; j < D; j++) d += e[j] * mix.centres[k * D + j];
        for (let j = 0; j < D; j++) e[j] -= d * mix.centres[k * D + j];
      }
      ne = norm2(e);
    } while (!(ne > 0));
    const c = Math.sqrt(Math.max(0, 1 - s * s));
    for (let j = 0; j < D; j++) out[k * D + j] = c * mix.centres[k * D + j] + (s * e[j]) / ne;
  }
  return out;
}

/** F (p < 2) or F^(p) (p >= 2) of PAPER.md s.5 on the K x D directions `dirs` in place of the centres. */
export function limitOnDirections(K: number, K1: number, D: number, dirs: Float64Array, p: number): LiftedClassifier {
  const reduced = p < 2 ? limitF({ K, K1 }) : limitFp({ K, K1, p });
  return liftToInput(reduced, dirs, D);
}

/** The structured starts of netDist.ts (centres, unit class sums, their difference), on `dirs`. */
export function startsOnDirections(K: number, K1: number, D: number, dirs: Float64Array): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 0; k < K; k++) out.push(dirs.slice(k * D, (k + 1) * D));
  const plus = new Float64Array(D);
  const minus = new Float64Array(D);
  for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) (k < K1 ? plus : minus)[j] += dirs[k * D + j];
  const unit = (v: Float64Array): Float64Array => {
    const nv = norm2(v);
    return nv > 0 ? v.map((x) => x / nv) : v;
  };
  const up = unit(plus);
  const um = unit(minus);
  out.push(up, um, up.map((x, j) => x - um[j]));
  return out;
}

/** dist(f, limit on dirs) by the proper estimator, with netDist's options and random stream (netDist.ts). */
export function netDistOnDirections(
  net: PReluNet, K: number, K1: number, dirs: Float64Array, o: Pick<NetDistOptions, 'seed' | 'starts' | 'maxRounds'>,
): { value: number; lower: number; c: number; converged: boolean; wallMs: number } {
  const D = net.D;
  if (dirs.length !== K * D) throw new ConfigError('dirs.length', dirs.length, `K * D = ${K * D}`);
  const t0 = performance.now();
  // netDist takes the proper estimator's stream as new Rng(seed).jump(): the same random starts here.
  const rng = new Rng(o.seed);
  const r = dist(netModel(net), limitOnDirections(K, K1, D, dirs, net.p), {
    rng: rng.jump(), starts: o.starts, maxRounds: o.maxRounds, extraStarts: startsOnDirections(K, K1, D, dirs),
  });
  return { value: r.value, lower: r.lower, c: r.c, converged: r.converged, wallMs: performance.now() - t0 };
}

/**
 * p >= 2: mean sine between a neuron and the direction row it is aligned with (cos > `cosine`),
 * weighted by |v_j| ||w_j|| (as netDist.ts clusterWeights' meanSine, which uses the true centres).
 */
export function neuronSineToDirections(net: PReluNet, K: number, dirs: Float64Array, cosine = 0.95): number {
  const D = net.D;
  requireReal('cosine', cosine, { min: 0.5, max: 1, maxExclusive: true });
  const w = new Float64Array(D);
  let sum = 0;
  let weight = 0;
  for (let j = 0; j < net.h; j++) {
    for (let i = 0; i < D; i++) w[i] = net.W[j * D + i];
    const nw = norm2(w);
    if (!(nw > 0)) continue;
    for (let i = 0; i < D; i++) w[i] /= nw;
    for (let k = 0; k < K; k++) {
      let c = 0;
      for (let i = 0; i < D; i++) c += w[i] * dirs[k * D + i];
      if (c > cosine) {
        const a = Math.abs(net.v[j]) * nw;
        sum += a * sineTo(w, 0, dirs, k * D, D);
        weight += a;
        break; // cos > 1/2 with two near-orthonormal rows is impossible
      }
    }
  }
  return weight > 0 ? sum / weight : NaN;
}

export const EMPIRICAL_PREDICTION =
  'If the alpha > 0 floor of dist(f_3, F^(3)) is the sample-mean effect, dist(f_3, F^(3)_emp) keeps falling with training like the noise-free case '
  + '(balanced: ~loss ~1/t; iid: the 1/log t cluster-size term remains), so on balanced data dist(f_1, F_emp) / dist(f_3, F^(3)_emp) exceeds the '
  + 'true-centre ratio by a factor that grows with training, possibly > 100.';

export const EMPIRICAL_RULE =
  'prediction met iff (balanced, alpha > 0, p = 3) the log-log slope of dist(f_3, F^(3)_emp) against the loss from the first to the last target is >= 0.5 '
  + '(noise-free balanced measures ~1 with the true centres; a floor gives ~0) AND the empirical ratio at the last target exceeds the true-centre ratio';

/** One (setting, target) reading with empirical limits; p = 1 and p = 3 side by side. */
export interface EmpiricalRow {
  setting: string;
  alpha: number;
  balanced: boolean;
  target: number;
  byP: Record<number, {
    t: number; loss: number;
    trueDist: number; trueLower: number;
    empDist: number; empLower: number; empC: number;
    /** p >= 2: the matched-angle random-direction control, and neuron sines to the sample directions. */
    controlDist: number; controlLower: number; neuronSineEmp: number;
  } | null>;
  ratioTrue: number;
  ratioEmp: number;
}

export interface EmpiricalSummary {
  prediction: string;
  rule: string;
  /** Per noisy setting: mean sine of muhat_k vs mu_k and alpha sqrt(K/n) sqrt((D-1)/D) (E||noise mean's orthogonal part|| ~ that). */
  settings: {
    setting: string; balanced: boolean; meanSampleSine: number; predictedSampleSine: number;
    /** p = 3, last over first target. */
    empChange: number; trueChange: number; lossChange: number;
    /** p = 3, log-log slope against the loss, first to last target. */
    empSlope: number; trueSlope: number;
    ratioTrueLast: number; ratioEmpLast: number;
  }[];
  predictionMet: boolean;
}

/** What runExplanation hands over per net it reads. */
export interface ExplanationVisit {
  setting: string;
  alpha: number;
  balanced: boolean;
  target: number;
  p: number;
  save: SavedNet;
  tr: TrainedResult;
  /** dist against the true limit at this net (NaN when not computed), and whether to compute p = 1 here. */
  trueDist: { value: number; lower: number };
  wantDist: boolean;
}

/**
 * Collects the empirical readings while runExplanation walks its nets (alpha > 0 settings only: at
 * alpha = 0 muhat_k = mu_k and the readings would repeat the true-centre ones).
 */
export class EmpiricalCollector {
  readonly rows: EmpiricalRow[] = [];
  readonly timing: Record<string, unknown>[] = [];
  private readonly dirs = new Map<string, SampleDirections>();
  private readonly controls = new Map<string, Float64Array>();
  constructor(private readonly opts: Pick<NetDistOptions, 'seed' | 'starts' | 'maxRounds'>, private readonly sizes: { K: number; n: number; D: number }) {}

  private directionsFor(v: ExplanationVisit): SampleDirections {
    let d = this.dirs.get(v.setting);
    if (!d) {
      const z = v.tr.trainClusters;
      if (!z) throw new ConfigError('trainClusters', null, 'training data drawn from the mixture (cluster ids known)');
      d = sampleDirections(v.tr.mix, v.tr.train.X, z);
      this.dirs.set(v.setting, d);
      // Control stream: the third jump of Rng(seed) (netDist uses the first two).
      const r = new Rng(this.opts.seed);
      r.jump();
      r.jump();
      this.controls.set(v.setting, tiltedDirections(v.tr.mix, d.sines, r.jump()));
    }
    return d;
  }

  visit(v: ExplanationVisit): void {
    if (!(v.alpha > 0)) return;
    const d = this.directionsFor(v);
    let row = this.rows.find((r) => r.setting === v.setting && r.target === v.target);
    if (!row) {
      row = { setting: v.setting, alpha: v.alpha, balanced: v.balanced, target: v.target, byP: {}, ratioTrue: NaN, ratioEmp: NaN };
      this.rows.push(row);
    }
    const entry = {
      t: v.save.t, loss: v.save.loss, trueDist: v.trueDist.value, trueLower: v.trueDist.lower,
      empDist: NaN, empLower: NaN, empC: NaN, controlDist: NaN, controlLower: NaN, neuronSineEmp: NaN,
    };
    if (v.wantDist) {
      const e = netDistOnDirections(v.save.net, d.K, d.K1, d.directions, this.opts);
      entry.empDist = e.value;
      entry.empLower = e.lower;
      entry.empC = e.c;
      this.timing.push({ setting: v.setting, p: v.p, target: v.target, empiricalDistSeconds: e.wallMs / 1000 });
      if (v.p >= 2) {
        const c = netDistOnDirections(v.save.net, d.K, d.K1, this.controls.get(v.setting)!, this.opts);
        entry.controlDist = c.value;
        entry.controlLower = c.lower;
        this.timing.push({ setting: v.setting, p: v.p, target: v.target, controlDistSeconds: c.wallMs / 1000 });
      }
    }
    if (v.p >= 2) entry.neuronSineEmp = neuronSineToDirections(v.save.net, d.K, d.directions);
    row.byP[v.p] = entry;
    const r1 = row.byP[1];
    const r3 = row.byP[3];
    if (r1 && r3) {
      row.ratioTrue = r1.trueDist / r3.trueDist;
      row.ratioEmp = r1.empDist / r3.empDist;
    }
  }

  summary(): EmpiricalSummary {
    const { K, n, D } = this.sizes;
    const settings: EmpiricalSummary['settings'] = [];
    for (const [name, d] of this.dirs) {
      const rs = this.rows.filter((r) => r.setting === name && r.byP[3]);
      const a = rs[0]?.byP[3];
      const b = rs.at(-1)?.byP[3];
      const slope = (x0: number, x1: number): number => (rs.length >= 2 && a && b ? Math.log(x1 / x0) / Math.log(b.loss / a.loss) : NaN);
      const lastWithP1 = [...this.rows].reverse().find((r) => r.setting === name && Number.isFinite(r.ratioEmp));
      settings.push({
        setting: name, balanced: rs[0]?.balanced ?? false,
        meanSampleSine: d.sines.reduce((x, y) => x + y, 0) / d.K,
        predictedSampleSine: (rs[0]?.alpha ?? NaN) * Math.sqrt(K / n) * Math.sqrt((D - 1) / D),
        empChange: a && b && rs.length >= 2 ? b.empDist / a.empDist : NaN,
        trueChange: a && b && rs.length >= 2 ? b.trueDist / a.trueDist : NaN,
        lossChange: a && b && rs.length >= 2 ? b.loss / a.loss : NaN,
        empSlope: a && b ? slope(a.empDist, b.empDist) : NaN,
        trueSlope: a && b ? slope(a.trueDist, b.trueDist) : NaN,
        ratioTrueLast: lastWithP1?.ratioTrue ?? NaN,
        ratioEmpLast: lastWithP1?.ratioEmp ?? NaN,
      });
    }
    const bal = settings.filter((s) => s.balanced);
    const predictionMet = bal.length > 0 && bal.every((s) => s.empSlope >= 0.5 && s.ratioEmpLast > s.ratioTrueLast);
    return { prediction: EMPIRICAL_PREDICTION, rule: EMPIRICAL_RULE, settings, predictionMet };
  }

  /** One sentence for the check's key figure. */
  keyText(sum: EmpiricalSummary): string {
    const e = (x: number | undefined): string => (x !== undefined && Number.isFinite(x) ? x.toExponential(2) : '-');
    const f = (x: number): string => (Number.isFinite(x) ? x.toPrecision(3) : '-');
    const parts = sum.settings.map((s) => {
      const rs = this.rows.filter((r) => r.setting === s.setting && r.byP[3]);
      const a = rs[0]?.byP[3];
      const b = rs.at(-1)?.byP[3];
      return `${s.setting}: dist(f_3,F^(3)_emp) ${e(a?.empDist)} -> ${e(b?.empDist)} as loss ${e(a?.loss)} -> ${e(b?.loss)} (log-log slope ${s.empSlope.toFixed(2)}; true centres ${e(a?.trueDist)} -> ${e(b?.trueDist)}; random-tilt control ${e(b?.controlDist)}), ratio with empirical limits ${f(s.ratioEmpLast)} vs ${f(s.ratioTrueLast)} with true centres`;
    });
    return `Sample-mean test (empirical limits on muhat_k, evidence only; sample directions at sine ${sum.settings.map((s) => e(s.meanSampleSine)).join('/')} from mu_k): ${parts.join('; ')}; prediction (falls like the loss on balanced data, ratio up by a growing factor) ${sum.predictionMet ? 'met' : 'NOT met'}`;
  }

  table(): EvidenceTable {
    const fmt = (x: number | undefined, d = 2): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toExponential(d));
    const num = (x: number): number | string => (Number.isFinite(x) ? Number(x.toPrecision(4)) : '-');
    return {
      title: 'Test of the sample-mean explanation (evidence only, not in the verdict): dist against the EMPIRICAL limits, mu_k replaced by the unit training-cluster means muhat_k '
        + '(F^(3)_emp on muhat_k; F_emp on the class sums of muhat_k), same estimator and starts as the true-centre dist; control = muhat_k replaced by unit vectors at the same angle from mu_k in random directions',
      columns: ['setting', 'target loss', 'loss p=3', 'dist(f_3,F^(3)) true', 'dist(f_3,F^(3)_emp)', 'emp lower bound', 'true / emp (p=3)', 'control dist (p=3)',
        'p=3 neuron-to-sample-mean sine', 'dist(f_1,F) true', 'dist(f_1,F_emp)', 'ratio true', 'ratio emp', 'ratio emp / ratio true'],
      rows: this.rows.map((r) => {
        const a = r.byP[3];
        const b = r.byP[1];
        return [
          r.setting, r.target, fmt(a?.loss, 1), fmt(a?.trueDist, 3), fmt(a?.empDist, 3), fmt(a?.empLower, 3), a ? num(a.trueDist / a.empDist) : '-', fmt(a?.controlDist, 3),
          fmt(a?.neuronSineEmp), fmt(b?.trueDist, 3), fmt(b?.empDist, 3), num(r.ratioTrue), num(r.ratioEmp), num(r.ratioEmp / r.ratioTrue),
        ];
      }),
    };
  }
}
