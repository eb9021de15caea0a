/**
 * Alignment verdicts of PAPER.md section 4 on a trained net, from its cosine matrix against
 * [mubar_+, mubar_-, mu_1..mu_K] (neurons.ts, mixtureReferences) and its contributions:
 * - p = 1: the attracting directions are the class averages, so every top neuron should point
 *   along mubar_+ or mubar_-;
 * - p > 2: every centre mu_k is attracting, so each centre should have a top neuron along it and no
 *   top neuron should sit nearer a class average than a centre.
 */
import { ConfigError, requireReal } from '../validate.ts';

/** Indices of the top `fraction` of neurons by contribution (at least one), largest first. */
export function topByContribution(contrib: ArrayLike<number>, fraction: number): number[] {
  requireReal('fraction', fraction, { min: 0, max: 1, minExclusive: true });
  const idx = Array.from({ length: contrib.length }, (_, j) => j);
  idx.sort((a, b) => contrib[b] - contrib[a] || a - b);
  return idx.slice(0, Math.max(1, Math.ceil(fraction * contrib.length)));
}

export interface ReluAlignment {
  /** Smallest over top neurons of max(cos to mubar_+, cos to mubar_-). */
  minBestCosine: number;
  /** Fraction of top neurons whose best class-average cosine exceeds the threshold. */
  fractionAligned: number;
  /** Fraction of aligned top neurons whose output sign matches the class (v > 0 with mubar_+). */
  fractionSignConsistent: number;
  /** How many top neurons align with mubar_+ and with mubar_-. */
  alignedPlus: number;
  alignedMinus: number;
  holds: boolean;
}

function checkShape(cos: Float64Array, m: number, K: number): void {
  if (m !== K + 2 || cos.length % m !== 0) throw new ConfigError('cosine matrix', `m = ${m}, length ${cos.length}`, `columns [mubar+, mubar-, mu_1..mu_K] with K = ${K}`);
}

/** The p = 1 verdict (threshold e.g. 0.95). */
export function reluAlignment(cos: Float64Array, m: number, K: number, v: ArrayLike<number>, top: number[], threshold: number): ReluAlignment {
  checkShape(cos, m, K);
  let minBest = Infinity, aligned = 0, consistent = 0, plus = 0, minus = 0;
  for (const j of top) {
    const cp = cos[j * m], cm = cos[j * m + 1];
    const best = Math.max(cp, cm);
    minBest = Math.min(minBest, best);
    if (best > threshold) {
      aligned++;
      if (cp >= cm) plus++;
      else minus++;
      if ((cp >= cm) === (v[j] > 0)) consistent++;
    }
  }
  const fractionAligned = aligned / top.length;
  return {
    minBestCosine: minBest,
    fractionAligned,
    fractionSignConsistent: aligned > 0 ? consistent / aligned : 0,
    alignedPlus: plus,
    alignedMinus: minus,
    holds: fractionAligned === 1,
  };
}

export interface PreluAlignment {
  /** For each centre k, the largest cosine of a top neuron with mu_k. */
  bestPerCentre: number[];
  /** min_k bestPerCentre[k]. */
  worstCentre: number;
  /** Top neurons whose best class-average cosine is at least their best centre cosine. */
  nearerAverage: number;
  /** Largest (best class-average cosine - best centre cosine) over top neurons (< 0 is good). */
  maxAverageMinusCentre: number;
  holds: boolean;
}

/** The p > 2 verdict (threshold e.g. 0.95). */
export function preluAlignment(cos: Float64Array, m: number, K: number, top: number[], threshold: number): PreluAlignment {
  checkShape(cos, m, K);
  const bestPerCentre = new Array<number>(K).fill(-Infinity);
  let nearer = 0, worstGap = -Infinity;
  for (const j of top) {
    let bc = -Infinity;
    for (let k = 0; k < K; k++) {
      const c = cos[j * m + 2 + k];
      bestPerCentre[k] = Math.max(bestPerCentre[k], c);
      bc = Math.max(bc, c);
    }
    const ba = Math.max(cos[j * m], cos[j * m + 1]);
    if (ba >= bc) nearer++;
    worstGap = Math.max(worstGap, ba - bc);
  }
  const worstCentre = Math.min(...bestPerCentre);
  return { bestPerCentre, worstCentre, nearerAverage: nearer, maxAverageMinusCentre: worstGap, holds: worstCentre > threshold && nearer === 0 };
}
