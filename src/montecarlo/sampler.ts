/**
 * Exact samplers for the projected model (PAPER.md s.1, sufficient statistic [derived]).
 *
 * - `drawProjection`: s_k = 1{k = z} + sigma N(0,1), z uniform on 0..K-1 (i.i.d. cluster ids,
 *   the authors' sampling), written into a reused Float64Array: the same distribution as
 *   OrthonormalMixture.sampleProjections with clusters 'iid', without allocation.
 * - `drawClassSums`: the two class sums <x, mu_+>, <x, mu_-> directly: for a point of cluster z
 *   they are 1{z pos} + N(0, K1 sigma^2) and 1{z neg} + N(0, K2 sigma^2), independent. F and the
 *   T1/T2 events depend on x only through these two numbers, so this is exact in distribution
 *   for them at cost 2 normals instead of K.
 */
import type { Rng } from '../random/rng.ts';

/** Fill s (length K) with one projected sample; returns the label y (+1 for z < K1). */
export function drawProjection(rng: Rng, K: number, K1: number, sigma: number, s: Float64Array): number {
  const z = rng.int(K);
  for (let k = 0; k < K; k++) s[k] = sigma * rng.normal();
  s[z] += 1;
  return z < K1 ? 1 : -1;
}

/** Fill sums[0] = <x, mu_+>, sums[1] = <x, mu_->; returns the label. */
export function drawClassSums(rng: Rng, K: number, K1: number, sigma: number, sums: Float64Array): number {
  const z = rng.int(K);
  const y = z < K1 ? 1 : -1;
  sums[0] = (y === 1 ? 1 : 0) + Math.sqrt(K1) * sigma * rng.normal();
  sums[1] = (y === 1 ? 0 : 1) + Math.sqrt(K - K1) * sigma * rng.normal();
  return y;
}

/** As drawProjection (same draws), but returns the 0-based cluster z (the label is z < K1 ? 1 : -1). */
export function drawProjectionCluster(rng: Rng, K: number, sigma: number, s: Float64Array): number {
  const z = rng.int(K);
  for (let k = 0; k < K; k++) s[k] = sigma * rng.normal();
  s[z] += 1;
  return z;
}
