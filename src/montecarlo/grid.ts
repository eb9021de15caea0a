/**
 * Parameter grids for the theorem checks (issue 5): D in 10..400, K in 2..20 (K <= D), K1 in
 * 1..K-1, rho and delta over their ranges, and alpha chosen so that the controlled probability q
 * lands near a target drawn log-uniformly in [1e-4, 0.5]. For T1 and T2 alpha is solved from the
 * exact integrals (src/bounds/exact.ts); for T3 and T4 from first-order proxies:
 * - T3: a point of cluster k fails roughly when some other-class s_l exceeds s_k:
 *   q ~ min(1, m Q(1/(sigma sqrt 2))), m = number of other-class clusters;
 * - T4: the noise-free distance to the boundary is sqrt2/2 along (mu_j - mu_k)/sqrt2 (PAPER.md
 *   s.5), so radius (sqrt2 - delta)/2 fails roughly when that projection exceeds delta/2:
 *   q ~ min(1, m Q(delta/(2 sigma))).
 * Proxies only place the points; the checks measure q.
 */
import { Rng } from '../random/rng.ts';
import type { BoundParams } from '../bounds/theorem.ts';
import type { TheoremId } from '../bounds/registry.ts';
import { logT1Failure, logT2Probability, solveAlphaForTarget } from '../bounds/exact.ts';
import { logNormalSf } from '../stats/index.ts';
import { requireInt } from '../validate.ts';
import { THEOREMS } from '../bounds/registry.ts';
import { compileBound } from '../bounds/compile.ts';

export interface GridPoint {
  params: BoundParams;
  /** 'q': alpha puts q near `target`; 'bound': alpha puts the candidate bound's value at `target`. */
  placedBy: 'q' | 'bound';
  /** The q (exact for T1/T2, proxy for T3/T4) or the bound value the point was placed at. */
  target: number;
}

export interface GridRanges {
  D: [number, number];
  K: [number, number];
  qTarget: [number, number];
  /** Targets for the candidate bound's value at 'bound'-placed points. */
  boundTarget: [number, number];
  rho: [number, number];
  delta: [number, number];
  /** Powers for T3 (>= 2) and T4 (> 2). */
  pT3: number[];
  pT4: number[];
}

export const DEFAULT_RANGES: GridRanges = {
  D: [10, 400],
  K: [2, 20],
  qTarget: [1e-4, 0.5],
  boundTarget: [0.01, 0.9],
  rho: [0.05, 1.5],
  delta: [0.05, 1.35],
  pT3: [2, 3, 4],
  pT4: [3, 4],
};

function logMix(K: number, K1: number, f: (m: number) => number): number {
  const K2 = K - K1;
  return Math.log((K1 / K) * Math.min(1, f(K2)) + (K2 / K) * Math.min(1, f(K1)));
}

/** log q(alpha) used to place a point: exact for T1/T2, the proxies above for T3/T4. */
export function placementLogQ(thm: TheoremId, p: Omit<BoundParams, 'alpha'>): (alpha: number) => number {
  const { D, K, K1 } = p;
  switch (thm) {
    case 'T1': return (a) => logT1Failure(D, K, K1, a);
    case 'T2': return (a) => logT2Probability(D, K, K1, a, p.rho as number);
    case 'T3': return (a) => logMix(K, K1, (m) => m * Math.exp(logNormalSf(1 / ((a / Math.sqrt(D)) * Math.SQRT2))));
    case 'T4': return (a) => logMix(K, K1, (m) => m * Math.exp(logNormalSf((p.delta as number) / (2 * a / Math.sqrt(D)))));
  }
}

function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.uniform());
}

/**
 * n random grid points for a theorem, reproducible from the seed. The first ceil(n/2) are placed
 * by q (where Monte-Carlo measures q well: this is where the implied constants come from); the
 * rest by the value of the bound at constant C (default the candidate), in [0.01, 0.9], so that
 * the bound is non-vacuous there and the candidate can be refuted. (For T3 and T4 the bound is
 * vacuous at every q >= 1e-4 unless K is tiny, because of the 2(K+1) factor and, for T4, K^2.)
 */
export function theoremGrid(thm: TheoremId, n: number, seed: number, ranges: GridRanges = DEFAULT_RANGES, C?: number): GridPoint[] {
  requireInt('n', n, 1);
  const theorem = THEOREMS[thm];
  const Cb = C ?? theorem.candidateC ?? 1;
  const cb = compileBound(theorem);
  const rng = new Rng(seed);
  const out: GridPoint[] = [];
  for (let i = 0; i < n; i++) {
    const K = ranges.K[0] + rng.int(ranges.K[1] - ranges.K[0] + 1);
    const D = Math.max(K, Math.round(logUniform(rng, ranges.D[0], ranges.D[1])));
    const K1 = 1 + rng.int(K - 1);
    const base: BoundParams = { D, K, K1, alpha: 1 };
    if (thm === 'T2') base.rho = Number((ranges.rho[0] + (ranges.rho[1] - ranges.rho[0]) * rng.uniform()).toPrecision(3));
    if (thm === 'T4') base.delta = Number((ranges.delta[0] + (ranges.delta[1] - ranges.delta[0]) * rng.uniform()).toPrecision(3));
    if (thm === 'T3') base.p = ranges.pT3[rng.int(ranges.pT3.length)];
    if (thm === 'T4') base.p = ranges.pT4[rng.int(ranges.pT4.length)];
    const byQ = i < Math.ceil(n / 2);
    const range = byQ ? ranges.qTarget : ranges.boundTarget;
    const target = logUniform(rng, range[0], range[1]);
    // The bound's value increases with alpha like q does, so the same bisection places both.
    const logQ = byQ ? placementLogQ(thm, base) : (a: number) => Math.log(cb.tail(Cb, { ...base, alpha: a }));
    const alpha = Number(solveAlphaForTarget(logQ, target).toPrecision(4));
    out.push({ params: { ...base, alpha }, placedBy: byQ ? 'q' : 'bound', target });
  }
  return out;
}
