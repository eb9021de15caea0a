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
import type { PReluNet } from '../network/types.ts';
import { Rng } from '../random/rng.ts';

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
  /** The authors' estimator: random starts and iterations (theirs: 10 x 1000 and 2000, step 0.01). */
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
  const nFit = Math.min(o.fitPoints, X.length / net.D);
  const authors = authorsDist(f, F, X.subarray(0, nFit * net.D), { rng: rng.jump(), starts: o.authorsStarts, iterations: o.authorsIterations, step: 0.01 });
  return {
    value: proper.value, lower: proper.lower, c: proper.c, converged: proper.converged, rounds: proper.rounds.length,
    authors: authors.value, authorsBestVisited: authors.bestVisited, authorsC: authors.c, wallMs: performance.now() - t0,
  };
}
