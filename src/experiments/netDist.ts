/**
 * dist(f, F) of a trained net against its limiting classifier (PAPER.md s.7): f_1 against
 * F(x) = relu(<x, mu_+>) - relu(<x, mu_->), f_p (p > 2) against F^(p) (PAPER.md s.5), both by the
 * proper estimator of src/conjecture (minimisation over c of a multi-start sup, with a lower bound)
 * and by the authors' estimator (data-fitted c, normalised projected ascent), so they can be compared.
 *
 * The sup runs on the sphere of R^D itself: a trained net's row span is generically all of R^D at
 * these sizes (h >= D, and the neurons that never grew still span it), so the subspace reduction of
 * src/conjecture/scalarFn.ts would not shrink the search.
 */
import { authorsDist, dist } from '../conjecture/distance.ts';
import type { ScalarFn } from '../conjecture/scalarFn.ts';
import { liftToInput } from '../classifiers/lift.ts';
import { limitF } from '../classifiers/limitF.ts';
import { limitFp } from '../classifiers/limitFp.ts';
import type { OrthonormalMixture } from '../data/mixture.ts';
import { netModel } from '../robustness/netmodel.ts';
import { forward } from '../network/forward.ts';
import type { PReluNet } from '../network/types.ts';
import { Rng } from '../random/rng.ts';
import { ConfigError, requireReal } from '../validate.ts';

/** The limit the conjecture compares f_p with: F for p < 2, F^(p) otherwise (PAPER.md s.5, s.7). */
export function limitFor(mix: OrthonormalMixture, p: number): ScalarFn {
  const { K, K1, D } = mix;
  const reduced = p < 2 ? limitF({ K, K1 }) : limitFp({ K, K1, p });
  return liftToInput(reduced, mix.centres, D);
}

export interface NetDistOptions {
  seed: number;
  /** Random starts per sup search of the proper estimator (plus the structured extra starts). */
  starts: number;
  maxRounds: number;
  /** The authors' estimator: random starts (0: skip it) and iterations (theirs: 10 x 1000 and 2000, step 0.01). */
  authorsStarts: number;
  authorsIterations: number;
  /** Training points used to fit the authors' c (at most this many rows of X). */
  fitPoints: number;
}

export const NET_DIST_DEFAULTS: NetDistOptions = { seed: 1, starts: 16, maxRounds: 12, authorsStarts: 200, authorsIterations: 2000, fitPoints: 2000 };

export interface NetDist {
  /** Proper estimate (upper end: the smallest sup found over the tried c) and its rigorous lower end. */
  value: number;
  lower: number;
  c: number;
  converged: boolean;
  rounds: number;
  /** Authors' estimator. */
  authors: number;
  authorsBestVisited: number;
  authorsC: number;
  /** Scale for relative statements: max |F| on the sphere is 1 for F^(p) and for F. */
  wallMs: number;
}

/** Structured starts: the centres, the unit class averages and their negatives (where F peaks). */
function structuredStarts(mix: OrthonormalMixture): Float64Array[] {
  const { K, D } = mix;
  const out: Float64Array[] = [];
  for (let k = 0; k < K; k++) out.push(mix.centres.slice(k * D, (k + 1) * D));
  out.push(mix.classAverage(1), mix.classAverage(-1));
  const plusMinus = new Float64Array(D);
  const a = mix.classAverage(1);
  const b = mix.classAverage(-1);
  for (let i = 0; i < D; i++) plusMinus[i] = a[i] - b[i];
  out.push(plusMinus);
  return out;
}

export function netDist(net: PReluNet, mix: OrthonormalMixture, X: Float64Array, options: Partial<NetDistOptions> = {}): NetDist {
  const o = { ...NET_DIST_DEFAULTS, ...options };
  const t0 = performance.now();
  const f = netModel(net);
  const F = limitFor(mix, net.p);
  const rng = new Rng(o.seed);
  const proper = dist(f, F, { rng: rng.jump(), starts: o.starts, maxRounds: o.maxRounds, extraStarts: structuredStarts(mix) });
  const authorsRng = rng.jump();
  // authorsStarts = 0 skips the authors' estimator (its fields are then NaN).
  if (o.authorsStarts === 0) {
    return {
      value: proper.value, lower: proper.lower, c: proper.c, converged: proper.converged, rounds: proper.rounds.length,
      authors: NaN, authorsBestVisited: NaN, authorsC: NaN, wallMs: performance.now() - t0,
    };
  }
  const nFit = Math.min(o.fitPoints, X.length / net.D);
  const authors = authorsDist(f, F, X.subarray(0, nFit * net.D), { rng: authorsRng, starts: o.authorsStarts, iterations: o.authorsIterations, step: 0.01 });
  return {
    value: proper.value, lower: proper.lower, c: proper.c, converged: proper.converged, rounds: proper.rounds.length,
    authors: authors.value, authorsBestVisited: authors.bestVisited, authorsC: authors.c, wallMs: performance.now() - t0,
  };
}

/**
 * Per-cluster effective weights of a trained net, the quantity the 1/log t explanation of
 * conjecture-dist is about (README findings): with exp loss the output scale a_k at cluster k grows
 * like log(N_k t), so clusters of unequal size keep relative weights apart by ~log(N_k/N_l)/log t.
 *
 * Spreads are reported as inf_{c > 0} max_k |c w_k - 1| = (max - min)/(max + min) (1 when some
 * w_k <= 0): the dist-like misfit of the weights against the equal weights of F and F^(p).
 */
export interface ClusterWeights {
  /** m_k = y_k f(mu_k), k = 1..K. F and F^(p) give 1 at every centre. */
  centreMargins: number[];
  /**
   * Spread of m_k. Each mu_k is a unit vector with F(mu_k) = y_k, so this is a rigorous lower bound
   * on dist(f, F) (s.7: the sup over the sphere includes the centres).
   */
  centreSpread: number;
  /**
   * p >= 2: per centre k, sum of v_j ||w_j|| y_k over neurons with cos(w_j, mu_k) > cosine (for a
   * neuron exactly along mu_k, v_j relu(<x, w_j>)^p / ||w_j||^(p-1) = v_j ||w_j|| relu(<x, mu_k>)^p,
   * so this is its coefficient in F^(p)'s form). p < 2: per class, the same over neurons along
   * mubar_+ / mubar_-, divided by sqrt(K1) / sqrt(K2) (F = sqrt(K1) relu(<x, mubar_+>) -
   * sqrt(K2) relu(<x, mubar_->), PAPER.md s.5), so F's two weights are both 1.
   */
  groupWeights: number[];
  groupSpread: number;
  /** Share of sum_j |v_j| ||w_j|| carried by the neurons counted in groupWeights. */
  alignedShare: number;
  /**
   * Mean sine of the angle between an aligned neuron and its reference direction, weighted by
   * |v_j| ||w_j||: the direction error that the per-cluster weights do not capture.
   */
  meanSine: number;
}

/** inf_{c > 0} max_k |c w_k - 1|. */
export function weightSpread(w: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < w.length; k++) {
    lo = Math.min(lo, w[k]);
    hi = Math.max(hi, w[k]);
  }
  return lo > 0 ? (hi - lo) / (hi + lo) : 1;
}

export function clusterWeights(net: PReluNet, mix: OrthonormalMixture, cosine = 0.95): ClusterWeights {
  const { K, K1, D } = mix;
  if (net.D !== D) throw new ConfigError('net.D', net.D, `the mixture's D = ${D}`);
  requireReal('cosine', cosine, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const out = forward(net, mix.centres, K);
  const centreMargins = Array.from(out, (f, k) => mix.label(k) * f);
  // Reference directions: the centres (p >= 2) or the two unit class averages (p < 2).
  const refs = net.p >= 2 ? Array.from({ length: K }, (_, k) => mix.centre(k)) : [mix.classAverage(1), mix.classAverage(-1)];
  const signs = net.p >= 2 ? Array.from({ length: K }, (_, k) => mix.label(k)) : [1, -1];
  const scale = net.p >= 2 ? refs.map(() => 1) : [Math.sqrt(K1), Math.sqrt(K - K1)];
  const groupWeights = refs.map(() => 0);
  let total = 0;
  let aligned = 0;
  let sineSum = 0;
  for (let j = 0; j < net.h; j++) {
    let nw = 0;
    for (let i = 0; i < D; i++) nw += net.W[j * D + i] ** 2;
    nw = Math.sqrt(nw);
    const contrib = net.v[j] * nw;
    total += Math.abs(contrib);
    if (nw === 0) continue;
    for (let r = 0; r < refs.length; r++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += net.W[j * D + i] * refs[r][i];
      // refs are unit vectors; cosine > 0.5 can hold for at most one of them (they are orthonormal or, for p < 2, orthogonal).
      const cos = s / nw;
      if (cos > cosine) {
        groupWeights[r] += signs[r] * contrib;
        aligned += Math.abs(contrib);
        sineSum += Math.abs(contrib) * Math.sqrt(Math.max(0, 1 - cos * cos));
      }
    }
  }
  for (let r = 0; r < refs.length; r++) groupWeights[r] /= scale[r];
  return {
    centreMargins, centreSpread: weightSpread(centreMargins), groupWeights, groupSpread: weightSpread(groupWeights),
    alignedShare: total > 0 ? aligned / total : 0, meanSine: aligned > 0 ? sineSum / aligned : NaN,
  };
}
