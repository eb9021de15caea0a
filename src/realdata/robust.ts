/**
 * Robust accuracy of a trained MNIST net under APGD-CE (Croce & Hein 2020), the authors' only
 * attack in Section 5.2.1 (PAPER.md s.8), with the [0, 1] pixel box. The attack is
 * src/robustness/apgd.ts; the objective is
 * - parity: the single-output net through `binaryObjective(.., 'ce')`, CE on logits [0, f], which
 *   is the two-logit CE of the authors' head (train.ts) since only the logit difference f matters;
 * - 10 classes: the untargeted softmax CE logsumexp(l) - l_y of the 10 logits (multiclass.ts),
 *   i.e. APGD-CE exactly as AutoAttack runs it.
 *
 * The attack acts on raw pixels: the net carries its centring (mean training image) and input
 * normalisation inside, so x0 + delta is an image in [0, 1]^784 and the box is the pixel box, as in
 * the authors' setting where centring is part of the model.
 *
 * Every (point, radius) pair is attacked independently (its own random start, from a per-point
 * stream), so the two sanity properties of the issue are measured rather than built in: robust
 * accuracy non-increasing in the radius (a larger ball contains the smaller one, so an increase
 * means the attack missed something it found at a smaller radius), and at radius 0 equal to clean
 * accuracy (the attack evaluates the clean point).
 *
 * Point i's stream is the i-th jump of the seed's generator whatever range is attacked, so a set
 * attacked in chunks (experiment.ts caches chunks to survive interruptions) gives the same counts
 * as one pass.
 */
import { apgd, type ApgdOptions } from '../robustness/apgd.ts';
import type { NormKind } from '../robustness/ball.ts';
import { binaryObjective, type AttackObjective } from '../robustness/model.ts';
import { freezeNet, type PReluNet } from '../network/index.ts';
import type { ScalarModel } from '../robustness/model.ts';
import { Rng } from '../random/rng.ts';
import { requireInt, requireReal } from '../validate.ts';
import type { DigitSet } from './split.ts';
import { freezeMulticlass, multiclassCeObjective, type MulticlassNet } from './multiclass.ts';

/** One threat model: a norm and its radii. */
export interface ThreatGrid {
  norm: NormKind;
  radii: number[];
}

export interface RobustRow {
  norm: NormKind;
  radius: number;
  /** Fraction of the attacked points still correctly classified after the attack. */
  robustAccuracy: number;
  /** Points attacked, and how many survived. */
  n: number;
  robust: number;
}

export interface RobustOptions {
  apgd: Partial<ApgdOptions>;
  seed: number;
  /** Called after every point with (points done in this call, points in this call). */
  progress?: (done: number, total: number) => void;
}

/** The net as the attacks' ScalarModel (frozen weights; see src/network/frozen.ts). */
export function attackModel(net: PReluNet): ScalarModel {
  const fz = freezeNet(net);
  return { dim: fz.dim, value: (x) => fz.evaluate(x), valueAndGrad: (x, g) => fz.evaluate(x, g) };
}

/** Builds the objective of point i of the attacked set. */
export type ObjectiveFactory = (set: DigitSet, i: number) => AttackObjective;

/** Parity: CE on logits [0, f] at label y = +-1. */
export function parityObjectives(net: PReluNet): ObjectiveFactory {
  const model = attackModel(net);
  return (set, i) => binaryObjective(model, set.y[i], 'ce');
}

/** 10 classes: untargeted softmax CE at the digit. */
export function digitObjectives(net: MulticlassNet): ObjectiveFactory {
  const fz = freezeMulticlass(net);
  return (set, i) => multiclassCeObjective(fz, set.digit[i]);
}

/** Rows (robustAccuracy NaN, robust 0) for every (norm, radius) of `grids`, in order. */
export function emptyRows(grids: ThreatGrid[], n: number): RobustRow[] {
  const rows: RobustRow[] = [];
  for (const g of grids) for (const r of g.radii) rows.push({ norm: g.norm, radius: requireReal('radius', r, { min: 0 }), robustAccuracy: NaN, n, robust: 0 });
  return rows;
}

/**
 * Points that survive the attack at every row, for points from..to-1 of `set` (one count per row,
 * in the order of emptyRows).
 */
export function robustCounts(objectives: ObjectiveFactory, set: DigitSet, grids: ThreatGrid[], o: RobustOptions, from = 0, to = set.n): number[] {
  requireInt('from', from, 0, set.n);
  requireInt('to', to, from, set.n);
  const rows = emptyRows(grids, set.n);
  const counts = new Array<number>(rows.length).fill(0);
  const root = new Rng(o.seed);
  for (let i = 0; i < from; i++) root.jump();
  const box = { lo: 0, hi: 1 };
  const D = set.D;
  for (let i = from; i < to; i++) {
    const rng = root.jump();
    const x0 = set.X.slice(i * D, (i + 1) * D);
    const obj = objectives(set, i);
    rows.forEach((row, k) => {
      const res = apgd(obj, x0, row.radius, rng, { ...o.apgd, norm: row.norm, box });
      if (!res.success) counts[k]++;
    });
    o.progress?.(i + 1 - from, to - from);
  }
  return counts;
}

/** Rows with counts filled in (counts over the whole set). */
export function rowsFromCounts(grids: ThreatGrid[], n: number, counts: number[]): RobustRow[] {
  const rows = emptyRows(grids, n);
  rows.forEach((row, k) => {
    row.robust = counts[k];
    row.robustAccuracy = counts[k] / n;
  });
  return rows;
}

/** Robust accuracy at every (norm, radius) of `grids` over the points `set`, for any objective. */
export function robustAccuracyWith(objectives: ObjectiveFactory, set: DigitSet, grids: ThreatGrid[], o: RobustOptions): RobustRow[] {
  return rowsFromCounts(grids, set.n, robustCounts(objectives, set, grids, o));
}

/** Robust accuracy of a parity net (see the file comment). */
export function robustAccuracy(net: PReluNet, set: DigitSet, grids: ThreatGrid[], o: RobustOptions): RobustRow[] {
  return robustAccuracyWith(parityObjectives(net), set, grids, o);
}

/** Robust accuracy of a 10-class net (see the file comment). */
export function robustAccuracyDigits(net: MulticlassNet, set: DigitSet, grids: ThreatGrid[], o: RobustOptions): RobustRow[] {
  return robustAccuracyWith(digitObjectives(net), set, grids, o);
}
