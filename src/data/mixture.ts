/**
 * The orthonormal Gaussian mixture of PAPER.md section 1.
 *
 * K orthonormal centres mu_1..mu_K in R^D; clusters 1..K1 are positive, K1+1..K negative.
 * A sample is x = mu_z + eps, eps ~ N(0, (alpha^2/D) I_D), y = +1 iff z <= K1. Cluster ids are
 * 0-based in code: positive clusters are 0..K1-1.
 */
import { Rng } from '../random/rng.ts';
import { canonicalFrame, randomOrthonormalFrame, iidAssignment, balancedAssignment } from '../random/sampling.ts';
import { ConfigError, requireChoice, requireInt, requireKnownKeys, requireReal } from '../validate.ts';

export type FrameKind = 'canonical' | 'random';
export type ClusterAssignment = 'iid' | 'balanced';

export interface MixtureParams {
  D: number;
  K: number;
  K1: number;
  alpha: number;
  frame?: FrameKind;
  clusters?: ClusterAssignment;
}

/** A labelled sample: X is n x D row-major, y in {+1, -1}, z the 0-based cluster id. */
export interface Sample {
  n: number;
  D: number;
  X: Float64Array;
  y: Float64Array;
  z: Int32Array;
}

/** A sample in the sufficient statistic: S is n x K row-major with S[i,k] = <x_i, mu_k>. */
export interface ProjectedSample {
  n: number;
  K: number;
  S: Float64Array;
  y: Float64Array;
  z: Int32Array;
}

/** Validate mixture parameters; every field is named in the error. */
export function validateMixtureParams(p: unknown): Required<MixtureParams> {
  const o = requireKnownKeys('mixture', p, ['D', 'K', 'K1', 'alpha', 'frame', 'clusters']);
  const K = requireInt('K', o.K, 2);
  const D = o.D;
  if (typeof D === 'number' && Number.isInteger(D) && D < K) throw new ConfigError('K', K, `an integer in 2..D (D = ${D})`);
  requireInt('D', D, K);
  const K1 = requireInt('K1', o.K1, 1, K - 1);
  const alpha = requireReal('alpha', o.alpha, { min: 0 });
  const frame = o.frame === undefined ? 'canonical' : requireChoice('frame', o.frame, ['canonical', 'random'] as const);
  const clusters = o.clusters === undefined ? 'iid' : requireChoice('clusters', o.clusters, ['iid', 'balanced'] as const);
  return { D: D as number, K, K1, alpha, frame, clusters };
}

export class OrthonormalMixture {
  readonly D: number;
  readonly K: number;
  readonly K1: number;
  readonly K2: number;
  readonly alpha: number;
  readonly frame: FrameKind;
  readonly clusters: ClusterAssignment;
  /** Centres as rows of a K x D matrix. */
  readonly centres: Float64Array;
  /** Noise standard deviation per coordinate, alpha / sqrt(D). */
  readonly sigma: number;

  /** `rng` is needed only for frame = 'random' (the frame is drawn once, at construction). */
  constructor(params: MixtureParams, rng?: Rng) {
    const p = validateMixtureParams(params);
    this.D = p.D;
    this.K = p.K;
    this.K1 = p.K1;
    this.K2 = p.K - p.K1;
    this.alpha = p.alpha;
    this.frame = p.frame;
    this.clusters = p.clusters;
    this.sigma = p.alpha / Math.sqrt(p.D);
    if (p.frame === 'random') {
      if (!rng) throw new ConfigError('rng', rng, 'a Rng when frame = "random"');
      this.centres = randomOrthonormalFrame(rng, p.K, p.D);
    } else {
      this.centres = canonicalFrame(p.K, p.D);
    }
  }

  params(): Required<MixtureParams> {
    return { D: this.D, K: this.K, K1: this.K1, alpha: this.alpha, frame: this.frame, clusters: this.clusters };
  }

  /** Label of cluster k (0-based). */
  label(k: number): 1 | -1 {
    return k < this.K1 ? 1 : -1;
  }

  /** Centre mu_k as a fresh vector. */
  centre(k: number): Float64Array {
    return this.centres.slice(k * this.D, (k + 1) * this.D);
  }

  /** mu_+ = sum of positive centres (norm sqrt(K1)) or mu_- (norm sqrt(K2)). */
  classSum(sign: 1 | -1): Float64Array {
    const out = new Float64Array(this.D);
    const [lo, hi] = sign === 1 ? [0, this.K1] : [this.K1, this.K];
    for (let k = lo; k < hi; k++) for (let i = 0; i < this.D; i++) out[i] += this.centres[k * this.D + i];
    return out;
  }

  /** Unit class average mubar_+ or mubar_-. */
  classAverage(sign: 1 | -1): Float64Array {
    const v = this.classSum(sign);
    const s = 1 / Math.sqrt(sign === 1 ? this.K1 : this.K2);
    for (let i = 0; i < v.length; i++) v[i] *= s;
    return v;
  }

  private assign(rng: Rng, n: number): Int32Array {
    return this.clusters === 'balanced' ? balancedAssignment(rng, n, this.K) : iidAssignment(rng, n, this.K);
  }

  /** n points in R^D. */
  sample(n: number, rng: Rng): Sample {
    requireInt('n', n, 1);
    const { D } = this;
    const z = this.assign(rng, n);
    const X = new Float64Array(n * D);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = z[i];
      y[i] = this.label(k);
      const row = i * D;
      const c = k * D;
      for (let j = 0; j < D; j++) X[row + j] = this.centres[c + j] + this.sigma * rng.normal();
    }
    return { n, D, X, y, z };
  }

  /**
   * n points drawn directly in the sufficient statistic s_k = <x, mu_k> (PAPER.md section 1):
   * the s_k are independent N(1{k = z}, alpha^2/D), exactly in distribution, at cost K per point.
   */
  sampleProjections(n: number, rng: Rng): ProjectedSample {
    requireInt('n', n, 1);
    const { K } = this;
    const z = this.assign(rng, n);
    const S = new Float64Array(n * K);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = this.label(z[i]);
      for (let k = 0; k < K; k++) S[i * K + k] = (k === z[i] ? 1 : 0) + this.sigma * rng.normal();
    }
    return { n, K, S, y, z };
  }

  /** Project full points onto the centres: S = X M^T (n x K). */
  project(X: Float64Array, n = X.length / this.D): Float64Array {
    const { D, K } = this;
    const S = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += X[i * D + j] * this.centres[k * D + j];
        S[i * K + k] = s;
      }
    }
    return S;
  }
}
