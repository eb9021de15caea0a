/**
 * Robust two-layer ReLU nets that exist for the same data (PAPER.md s.6; issue 9): the contrast to
 * the trained nets' flip radii.
 *
 * Construction ("one unit per template"): templates t_u (training points for Vardi, cluster means
 * for Frei), labels c_u = +-1, and
 *     N(x) = sum_u c_u relu(<t_u, x> - ||t_u||^2 / 2),
 * the hidden bias -||t_u||^2/2 carried by an appended constant coordinate 1 (data.ts), so N is a
 * two-layer ReLU net of the toolkit's kind with D = d + 1 and v_u = c_u.
 *
 * Certified radius (closed form). For a point x with label y and ||delta|| <= r (delta in the first d
 * coordinates), the pre-activation of unit u moves by at most r ||t_u||. If some same-label unit u
 * has <t_u, x> - ||t_u||^2/2 - r ||t_u|| > 0 and every opposite-label unit i has
 * <t_i, x> - ||t_i||^2/2 + r ||t_i|| <= 0, then y N(x + delta) >= relu(pre_u) > 0: opposite-label
 * units are off and same-label units only add non-negative terms. Hence
 *     r(x) = min( max_{u: c_u = y} (<t_u, x> - ||t_u||^2/2) / ||t_u||,
 *                 min_{i: c_i != y} (||t_i||^2/2 - <t_i, x>) / ||t_i|| )      (clipped at 0)
 * is a certified radius. For Vardi's data at x = x_j (own template): the first term is ||x_j||/2 =
 * sqrt(d)/2, the second is sqrt(d)/2 - O(sqrt(log n)) since |<x_i, x_j>| = O(sqrt(d log n)), so
 * r = Omega(sqrt(d)). For Frei's clusters in unit scaling at x = mu_k + eps: both terms are
 * 1/2 + O(sqrt(log K / d)), a Theta(1) radius that does not depend on K.
 * The bound is checked against B2's certified lower bound and an attack upper bound (the flip along
 * -y t_own, which for the own-template term is exact: at r = (<t_u, x> - ||t_u||^2/2)/||t_u|| the
 * own unit switches off).
 */
import type { PReluNet } from '../network/types.ts';
import type { LabelledData } from './data.ts';

export interface TemplateNet {
  /** The net on (x, 1): D = d + 1, W rows (t_u, -||t_u||^2/2), v = c_u. */
  net: PReluNet;
  d: number;
  templates: Float64Array;
  labels: Float64Array;
  norms: Float64Array;
  /** The appended constant input coordinate (bias weight -||t_u||^2 / (2 C)). */
  C: number;
}

/**
 * The template net of `templates` (m x d row-major) with labels c (+-1). The constant coordinate C
 * only matters to bounds that also perturb it (B2's certifiedRadius): a perturbation r of it moves
 * pre-activations by r ||t_u||^2 / (2C), so a large C makes such bounds nearly as tight as ours.
 */
export function templateNet(templates: Float64Array, labels: Float64Array, d: number, C = 1): TemplateNet {
  const m = labels.length;
  if (templates.length !== m * d) throw new RangeError(`templateNet: templates must be ${m} x ${d}`);
  const D = d + 1;
  const W = new Float64Array(m * D);
  const v = new Float64Array(m);
  const norms = new Float64Array(m);
  for (let u = 0; u < m; u++) {
    let s = 0;
    for (let k = 0; k < d; k++) {
      const t = templates[u * d + k];
      W[u * D + k] = t;
      s += t * t;
    }
    W[u * D + d] = -s / (2 * C);
    norms[u] = Math.sqrt(s);
    v[u] = labels[u];
  }
  const net: PReluNet = { D, h: m, p: 1, W, v, b: 0, hasBias: false, centre: null, normalise: false };
  return { net, d, templates, labels, norms, C };
}

/** Vardi's robust net: one unit per training point. */
export function vardiRobustNet(data: LabelledData, C = 1): TemplateNet {
  return templateNet(data.X, data.y, data.D, C);
}

/** Frei's robust net: one unit per cluster mean. */
export function freiRobustNet(means: Float64Array, clusterLabels: Float64Array, d: number, C = 1): TemplateNet {
  return templateNet(means, clusterLabels, d, C);
}

/** The closed-form certified radius r(x) of the module comment at x (length d) with label y. */
export function templateCertifiedRadius(tn: TemplateNet, x: ArrayLike<number>, y: number): number {
  const { d, templates, labels, norms } = tn;
  let own = -Infinity;
  let other = Infinity;
  for (let u = 0; u < labels.length; u++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += templates[u * d + k] * x[k];
    const pre = dot - (norms[u] * norms[u]) / 2;
    if (labels[u] === y) own = Math.max(own, pre / norms[u]);
    else other = Math.min(other, -pre / norms[u]);
  }
  return Math.max(0, Math.min(own, other));
}

/**
 * y t_u* (u* the same-label unit attaining the max): flipRadiusAlong moves along -y u, i.e. along
 * -t_u*, which switches the own unit off.
 */
export function ownTemplateDirection(tn: TemplateNet, x: ArrayLike<number>, y: number): Float64Array {
  const { d, templates, labels, norms } = tn;
  let best = -Infinity;
  let ub = -1;
  for (let u = 0; u < labels.length; u++) {
    if (labels[u] !== y) continue;
    let dot = 0;
    for (let k = 0; k < d; k++) dot += templates[u * d + k] * x[k];
    const val = (dot - (norms[u] * norms[u]) / 2) / norms[u];
    if (val > best) { best = val; ub = u; }
  }
  const dir = new Float64Array(d);
  if (ub >= 0) for (let k = 0; k < d; k++) dir[k] = y * templates[ub * d + k];
  return dir;
}
