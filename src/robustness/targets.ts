/**
 * Targeted starting points for attacks on pReLU nets (PAPER.md s.8, s.9).
 *
 * At a clean point the inactive units of the other class have relu(u)^(p-1) ~ 0, so a gradient
 * attack started there gets no signal toward them. For F^(p) at mu_k the minimal attack moves toward
 * mu_j of the other class: x + r (mu_j - mu_k)/sqrt2 (PAPER.md s.5). For a trained net the learned
 * directions play the role of the centres: the target for unit j is centre + ||x - centre|| what_j,
 * so the start direction is ||x~|| what_j - x~ (exactly mu_j - mu_k at x = mu_k when what_j = mu_j).
 */
import type { PReluNet } from '../network/types.ts';
import { norm2 } from '../random/sampling.ts';

export interface NetTargetOptions {
  /** Units whose directions have cosine above this are merged into one target. */
  mergeCosine: number;
  /** Keep at most this many targets, by decreasing total |v_j| ||w_j||. */
  maxTargets: number;
  /**
   * Also aim at the weighted sum of all other-class directions. For p < 2 the minimal attack spreads
   * over every other-class cluster (radius 1/sqrt(1 + m^(2/p - 1)) at a centre, PAPER.md s.5; for F
   * the direction is the class average), which no single-unit target reaches.
   */
  aggregate: boolean;
}

export const NET_TARGET_DEFAULTS: NetTargetOptions = { mergeCosine: 0.99, maxTargets: 16, aggregate: true };

/**
 * Target points for attacking x (label y) on a trained net: one per (merged) unit pushing toward
 * the other class, i.e. with sign(v_j) = -y.
 */
export function netTargets(net: Pick<PReluNet, 'D' | 'h' | 'W' | 'v' | 'centre'>, x: Float64Array, y: number, options: Partial<NetTargetOptions> = {}): Float64Array[] {
  const o = { ...NET_TARGET_DEFAULTS, ...options };
  const { D, h, W, v } = net;
  const xt = Float64Array.from(x);
  if (net.centre) for (let i = 0; i < D; i++) xt[i] -= net.centre[i];
  const xn = norm2(xt);
  const scale = xn > 0 ? xn : 1;
  const dirs: Float64Array[] = [];
  const weight: number[] = [];
  const idx = Array.from({ length: h }, (_, j) => j)
    .filter((j) => v[j] * y < 0)
    .map((j) => ({ j, a: Math.abs(v[j]) * norm2(W, j * D, D) }))
    .filter((e) => e.a > 0)
    .sort((a, b) => b.a - a.a);
  for (const { j, a } of idx) {
    const nw = norm2(W, j * D, D);
    let merged = false;
    for (let g = 0; g < dirs.length && !merged; g++) {
      let c = 0;
      for (let i = 0; i < D; i++) c += dirs[g][i] * W[j * D + i];
      if (c / nw >= o.mergeCosine) {
        weight[g] += a;
        merged = true;
      }
    }
    if (merged) continue;
    const d = new Float64Array(D);
    for (let i = 0; i < D; i++) d[i] = W[j * D + i] / nw;
    dirs.push(d);
    weight.push(a);
  }
  const order = dirs.map((_, g) => g).sort((a, b) => weight[b] - weight[a]).slice(0, o.maxTargets);
  const toTarget = (u: Float64Array): Float64Array => Float64Array.from(u, (ui, i) => (net.centre ? net.centre[i] : 0) + scale * ui);
  const targets = order.map((g) => toTarget(dirs[g]));
  if (o.aggregate && dirs.length > 1) {
    const sum = new Float64Array(D);
    for (let g = 0; g < dirs.length; g++) for (let i = 0; i < D; i++) sum[i] += weight[g] * dirs[g][i];
    const n = norm2(sum);
    if (n > 0) targets.unshift(toTarget(sum.map((t) => t / n)));
  }
  return targets;
}
