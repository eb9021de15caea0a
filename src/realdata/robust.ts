/**
 * Robust accuracy of a trained parity net under APGD-CE (Croce & Hein 2020), the authors' only
 * attack in Section 5.2.1 (PAPER.md s.8), with the [0, 1] pixel box. The attack is engineer B2's
 * `apgd` (src/robustness/apgd.ts) on the single-output net through `netModel` and
 * `binaryObjective(.., 'ce')`: CE on logits [0, f], which is the two-logit CE of the authors' head
 * (train.ts) since only the logit difference f matters.
 *
 * The attack acts on raw pixels: the net carries its centring (mean training image) and input
 * normalisation inside (net.centre, net.normalise), so x0 + delta is an image in [0, 1]^784 and
 * the box is the pixel box, as in the authors' setting where centring is part of the model.
 *
 * Every (point, radius) pair is attacked independently (its own random start, from a per-point
 * stream), so the two sanity properties of the issue are measured rather than built in: robust
 * accuracy non-increasing in the radius (a larger ball contains the smaller one, so an increase
 * means the attack missed something it found at a smaller radius), and at radius 0 equal to clean
 * accuracy (the attack evaluates the clean point).
 */
import { apgd, type ApgdOptions } from '../robustness/apgd.ts';
import type { NormKind } from '../robustness/ball.ts';
import { binaryObjective } from '../robustness/model.ts';
import { freezeNet, type PReluNet } from '../network/index.ts';
import type { ScalarModel } from '../robustness/model.ts';
import { Rng } from '../random/rng.ts';
import { requireReal } from '../validate.ts';
import type { DigitSet } from './split.ts';

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
  progress?: (fraction: number) => void;
}

/** The net as the attacks' ScalarModel (frozen weights; see src/network/frozen.ts). */
export function attackModel(net: PReluNet): ScalarModel {
  const fz = freezeNet(net);
  return { dim: fz.dim, value: (x) => fz.evaluate(x), valueAndGrad: (x, g) => fz.evaluate(x, g) };
}

/** Robust accuracy at every (norm, radius) of `grids` over the points `set`. */
export function robustAccuracy(net: PReluNet, set: DigitSet, grids: ThreatGrid[], o: RobustOptions): RobustRow[] {
  const model = attackModel(net);
  const box = { lo: 0, hi: 1 };
  const rows: RobustRow[] = [];
  for (const g of grids) for (const r of g.radii) rows.push({ norm: g.norm, radius: requireReal('radius', r, { min: 0 }), robustAccuracy: NaN, n: set.n, robust: 0 });
  const root = new Rng(o.seed);
  const D = set.D;
  for (let i = 0; i < set.n; i++) {
    const rng = root.jump();
    const x0 = set.X.slice(i * D, (i + 1) * D);
    const obj = binaryObjective(model, set.y[i], 'ce');
    for (const row of rows) {
      const res = apgd(obj, x0, row.radius, rng, { ...o.apgd, norm: row.norm, box });
      if (!res.success) row.robust++;
    }
    o.progress?.((i + 1) / set.n);
  }
  for (const row of rows) row.robustAccuracy = row.robust / row.n;
  return rows;
}
