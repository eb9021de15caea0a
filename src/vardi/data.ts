/**
 * The data models of Vardi, Yehudai & Shamir 2022 and Frei et al. 2023 (PAPER.md s.6, last two
 * bullets; issue 9).
 *
 * - Vardi: n points of norm sqrt(d) (uniform on the sphere of radius sqrt(d), or N(0, I_d) whose
 *   norm concentrates at sqrt(d)), independent uniform +-1 labels, n well below d. Such points are
 *   nearly orthogonal: |<x_i, x_j>| = O(sqrt(d log n)) << d = ||x_i||^2.
 * - Frei: K clusters whose means are nearly orthogonal with norm sqrt(d) (here sqrt(d) times a
 *   uniform unit direction, so |<mu_k, mu_l>| = O(sqrt(d)) ), each cluster labelled +-1 (balanced:
 *   ceil(K/2) positive), points x = mu_k + N(0, I_d). `unitScale` divides everything by sqrt(d):
 *   means of norm 1, noise N(0, I_d / d), the scaling in which PAPER.md s.6 states the radii
 *   (non-robust at O(1/sqrt(K)), robust net at Theta(1)).
 *
 * Hidden biases: a ReLU unit relu(<w, x> + b) equals relu(<(w, w'), (x, c)>) with a constant
 * coordinate c appended and b = c w', see `appendConstant`. The net stays a bias-free
 * two-layer net in (w_j, b_j, v_j), which is 2-homogeneous (f(x; s theta) = s^2 f(x; theta)), the
 * property the max-margin/KKT theory of Lyu & Li 2020 and Ji & Telgarsky 2020 needs (test:
 * vardi.test.ts). Perturbations must leave the constant coordinate alone: every attack here
 * moves only the first d coordinates.
 */
import type { Rng } from '../random/rng.ts';
import { uniformSphere } from '../random/sampling.ts';
import { requireChoice, requireInt, requireReal } from '../validate.ts';

/** A labelled sample, X n x D row-major, labels +-1. */
export interface LabelledData {
  n: number;
  D: number;
  X: Float64Array;
  y: Float64Array;
}

export type VardiDistribution = 'sphere' | 'gaussian';

/** Vardi's nearly orthogonal data: n points of norm ~ sqrt(d), i.i.d. uniform +-1 labels. */
export function vardiData(n: number, d: number, rng: Rng, distribution: VardiDistribution = 'sphere'): LabelledData {
  requireInt('n', n, 1, 1e6);
  requireInt('d', d, 1, 1e6);
  requireChoice('distribution', distribution, ['sphere', 'gaussian'] as const);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  const r = Math.sqrt(d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (distribution === 'sphere') {
      uniformSphere(rng, d, row);
      for (let k = 0; k < d; k++) X[i * d + k] = r * row[k];
    } else {
      for (let k = 0; k < d; k++) X[i * d + k] = rng.normal();
    }
    y[i] = rng.uniform() < 0.5 ? -1 : 1;
  }
  return { n, D: d, X, y };
}

/** Frei's clusters: means (K x d), their labels, and a sampler. */
export interface FreiModel {
  d: number;
  K: number;
  /** K x d row-major, norm sqrt(d) (or 1 in unit scale). */
  means: Float64Array;
  /** +1 for clusters 0..ceil(K/2)-1, -1 for the rest. */
  clusterLabels: Float64Array;
  /** Noise standard deviation per coordinate (1, or 1/sqrt(d) in unit scale). */
  sigma: number;
  unitScale: boolean;
}

export function freiModel(d: number, K: number, rng: Rng, unitScale = true): FreiModel {
  requireInt('d', d, 2, 1e6);
  requireInt('K', K, 2, d);
  const means = new Float64Array(K * d);
  const norm = unitScale ? 1 : Math.sqrt(d);
  const row = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    uniformSphere(rng, d, row);
    for (let i = 0; i < d; i++) means[k * d + i] = norm * row[i];
  }
  const clusterLabels = new Float64Array(K);
  const K1 = Math.ceil(K / 2);
  for (let k = 0; k < K; k++) clusterLabels[k] = k < K1 ? 1 : -1;
  return { d, K, means, clusterLabels, sigma: unitScale ? 1 / Math.sqrt(d) : 1, unitScale };
}

/** n points from Frei's model, clusters assigned round-robin (balanced), with cluster ids. */
export function sampleFrei(model: FreiModel, n: number, rng: Rng): LabelledData & { z: Int32Array } {
  requireInt('n', n, 1, 1e6);
  const { d, K, means, sigma } = model;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  const z = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % K;
    z[i] = k;
    y[i] = model.clusterLabels[k];
    for (let t = 0; t < d; t++) X[i * d + t] = means[k * d + t] + sigma * rng.normal();
  }
  return { n, D: d, X, y, z };
}

/** (x, c) for every row: a hidden bias b_j = c * w_{j, d+1} (see the module comment). */
export function appendConstant(data: LabelledData, c = 1): LabelledData {
  requireReal('biasConstant', c, { min: 0, minExclusive: true });
  const { n, D } = data;
  const X = new Float64Array(n * (D + 1));
  for (let i = 0; i < n; i++) {
    X.set(data.X.subarray(i * D, (i + 1) * D), i * (D + 1));
    X[i * (D + 1) + D] = c;
  }
  return { n, D: D + 1, X, y: data.y };
}

/**
 * Vardi's universal direction z = sum_i y_i x_i over the first d coordinates (0 on an appended
 * constant coordinate). Moving a point along -y z lowers y f for every near-KKT ReLU net.
 */
export function universalDirection(data: LabelledData, d = data.D): Float64Array {
  const z = new Float64Array(data.D);
  for (let i = 0; i < data.n; i++) {
    const yi = data.y[i];
    for (let k = 0; k < d; k++) z[k] += yi * data.X[i * data.D + k];
  }
  return z;
}

/**
 * The data times s. Training on x / sqrt(d) instead of x is the same gradient flow up to a change
 * of variables (f(c x; theta) = f(x; sqrt(c) theta) for the 2-homogeneous bias-free net, so
 * phi = sqrt(c) theta follows phi' = -c grad L_1(phi): time scaled by c, init by sqrt(c)), but the
 * flow is far less stiff (Hessian ~ n ||x||^2), so explicit solvers take ~d times fewer steps.
 * Radii then scale back by 1/s.
 */
export function scaleData<T extends LabelledData>(data: T, s: number): T {
  requireReal('scale', s, { min: 0, minExclusive: true });
  const X = new Float64Array(data.X.length);
  for (let t = 0; t < X.length; t++) X[t] = s * data.X[t];
  return { ...data, X };
}
