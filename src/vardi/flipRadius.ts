/**
 * Flip radii of two-layer ReLU nets on Vardi's and Frei's data (PAPER.md s.6; issue 9).
 *
 * - Along the universal direction z = sum_i y_i x_i (Vardi et al. 2022): for a point x the net
 *   predicts s = sign f(x); we move along -s z / ||z|| and report the smallest step that makes
 *   s f <= 0 (B2's minNormAlong: scan + bisection; the value is the norm of an actual flipping point,
 *   an upper bound on the minimal flip radius). Vardi: about sqrt(d/n) for every KKT point.
 * - The bracket (issue 4 tools): strongMinNorm (upper bound, any direction) and certifiedRadius
 *   (lower bound) of B2.
 *
 * Nets with an appended constant coordinate (hidden biases, data.ts) are attacked in the first d
 * coordinates only (`restrictedModel`): the constant is part of the net, not of the input. B2's
 * certified bound perturbs all D coordinates, a superset of the allowed perturbations, so it stays
 * a valid lower bound.
 */
import { inputGrad } from '../network/forward.ts';
import type { PReluNet } from '../network/types.ts';
import { binaryObjective, type AttackObjective, type ScalarModel } from '../robustness/model.ts';
import { minNormAlong } from '../robustness/linesearch.ts';
import { strongMinNorm } from '../robustness/minnorm.ts';
import { certifiedRadius } from '../robustness/lowerbound.ts';
import type { Rng } from '../random/rng.ts';
import type { LabelledData } from './data.ts';

/**
 * The net as a function of its first `d` input coordinates, the remaining D - d fixed to `tail`
 * (the appended constant). With d = D it is the plain net.
 */
export function restrictedModel(net: PReluNet, d: number, tail: ArrayLike<number> = []): ScalarModel {
  const D = net.D;
  if (d + tail.length !== D) throw new RangeError(`restrictedModel: d (${d}) + constants (${tail.length}) must equal D (${D})`);
  const x = new Float64Array(D);
  const g = new Float64Array(D);
  for (let k = d; k < D; k++) x[k] = tail[k - d];
  return {
    dim: d,
    value: (xd) => {
      x.set(xd.subarray(0, d));
      return inputGrad(net, x, g);
    },
    valueAndGrad: (xd, gd) => {
      x.set(xd.subarray(0, d));
      const f = inputGrad(net, x, g);
      gd.set(g.subarray(0, d));
      return f;
    },
  };
}

/** Objective at the net's own prediction s = sign f(x) (margin s f > 0 at x unless f(x) = 0). */
function ownObjective(model: ScalarModel, x: Float64Array): { obj: AttackObjective; s: number } {
  const s = model.value(x) >= 0 ? 1 : -1;
  return { obj: binaryObjective(model, s, 'margin'), s };
}

/**
 * Smallest step along -s u / ||u|| that flips the prediction at x (Infinity if none up to sMax).
 * u lives in the model's d coordinates.
 */
export function flipRadiusAlong(model: ScalarModel, x: Float64Array, u: Float64Array, sMax: number, scan = 200): number {
  const { obj, s } = ownObjective(model, x);
  const dir = new Float64Array(u.length);
  for (let k = 0; k < u.length; k++) dir[k] = -s * u[k];
  return minNormAlong(obj, x, dir, sMax, 'l2', { scan, bisections: 50 });
}

/** Flip radii along the universal direction for rows `rows` of `points` (first d coordinates). */
export function universalFlipRadii(model: ScalarModel, points: LabelledData, z: Float64Array, sMax: number, rows?: number[]): number[] {
  const d = model.dim;
  const idx = rows ?? Array.from({ length: points.n }, (_, i) => i);
  const x = new Float64Array(d);
  const u = z.subarray(0, d);
  return idx.map((i) => {
    x.set(points.X.subarray(i * points.D, i * points.D + d));
    return flipRadiusAlong(model, x, u, sMax);
  });
}

export interface RadiusBracket {
  /** Certified lower bound (B2's certifiedRadius; 0 when the point is misclassified). */
  lower: number;
  /** Best attack upper bound: min of the universal-direction flip and strongMinNorm. */
  upper: number;
  universal: number;
  strong: number;
}

/** The bracket at one point x (first d coordinates; `tail` the appended constants). */
export function radiusBracket(net: PReluNet, x: Float64Array, z: Float64Array, tail: number[], rMax: number, rng: Rng): RadiusBracket {
  const d = net.D - tail.length;
  const model = restrictedModel(net, d, tail);
  const xd = x.subarray(0, d);
  const universal = flipRadiusAlong(model, xd, z.subarray(0, d), rMax);
  const { obj, s } = ownObjective(model, xd);
  const strong = strongMinNorm(obj, xd, rng, { rMax }).radius;
  const full = new Float64Array(net.D);
  full.set(xd);
  for (let k = d; k < net.D; k++) full[k] = tail[k - d];
  const lb = certifiedRadius(net, full, s, rMax);
  return { lower: lb ? lb.radius : NaN, upper: Math.min(universal, strong), universal, strong };
}
