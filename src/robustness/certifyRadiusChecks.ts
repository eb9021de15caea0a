/**
 * The computations behind proofs-checks radius-F and radius-Fp (issue 4): exact radii of the
 * limiting classifiers (PAPER.md s.5) at noise-free centres and noisy points, each tested against
 * (i) the closed forms at centres, (ii) its own witness (which must flip), (iii) random
 * perturbations just inside the certified radius (which must not flip), and (iv) the independent
 * derivative-free search of certifySearch.ts (which must never beat a certified lower bound).
 */
import { evalF, evalFp } from '../classifiers/index.ts';
import { Rng } from '../random/rng.ts';
import { radiusF, witnessF, type Label } from './exactF.ts';
import { radiusFp } from './exactFp.ts';
import { centreRadiusF, centreRadiusFp } from './exactCentre.ts';
import { fastLowerBoundFp } from './certifyFpBound.ts';
import { searchRadiusF, searchRadiusFp } from './certifySearch.ts';

export interface NoisyPoint {
  K: number;
  K1: number;
  sigma: number;
  s: Float64Array;
  y: Label;
}

export function drawNoisyPoint(rng: Rng, Kmin: number, Kmax: number, sigmas: readonly number[]): NoisyPoint {
  const K = Kmin + rng.int(Kmax - Kmin + 1);
  const K1 = 1 + rng.int(K - 1);
  const sigma = sigmas[rng.int(sigmas.length)];
  const z = rng.int(K);
  const s = new Float64Array(K);
  for (let k = 0; k < K; k++) s[k] = (k === z ? 1 : 0) + sigma * rng.normal();
  return { K, K1, sigma, s, y: z < K1 ? 1 : -1 };
}

/** Count points of the sphere of radius rho around s (directions near `toward` half the time) that flip. */
function innerFlips(margin: (x: Float64Array) => number, s: Float64Array, rho: number, toward: Float64Array, rng: Rng, n: number): number {
  const K = s.length;
  const d = new Float64Array(K);
  const x = new Float64Array(K);
  let tn = 0;
  for (let k = 0; k < K; k++) tn += toward[k] * toward[k];
  tn = Math.sqrt(tn);
  let flips = 0;
  for (let t = 0; t < n; t++) {
    rng.fillNormal(d);
    if (t % 2 === 0 && tn > 0) for (let k = 0; k < K; k++) d[k] = toward[k] / tn + 0.03 * d[k];
    let dn = 0;
    for (let k = 0; k < K; k++) dn += d[k] * d[k];
    dn = Math.sqrt(dn);
    for (let k = 0; k < K; k++) x[k] = s[k] + (rho * d[k]) / dn;
    if (!(margin(x) > 0)) flips++;
  }
  return flips;
}

function flips(margin: (x: Float64Array) => number, s: Float64Array, d: Float64Array): boolean {
  const x = s.map((v, k) => v + d[k]);
  return margin(x) <= 0;
}

export interface RadiusFCheckResult {
  points: number;
  centreMaxError: number;
  witnessFailures: number;
  innerFlipCount: number;
  searched: number;
  searchBelowExact: number;
  searchWithin1e3: number;
  maxSearchGap: number;
  bySigma: { sigma: number; n: number; median: number; min: number }[];
}

export function runRadiusFCheck(seed: number, quick: boolean, progress: (f: number) => void): RadiusFCheckResult {
  const rng = new Rng(seed);
  let centreMaxError = 0;
  for (let K = 3; K <= 40; K++) {
    for (let K1 = 1; K1 < K; K1++) {
      for (const k of [0, K1]) {
        const s = new Float64Array(K);
        s[k] = 1;
        centreMaxError = Math.max(centreMaxError, Math.abs(radiusF(s, k < K1 ? 1 : -1, K1) - centreRadiusF(K)));
      }
    }
  }
  const sigmas = [0.05, 0.2, 0.5, 1];
  const n = quick ? 300 : 3000;
  const nSearch = quick ? 30 : 200;
  let witnessFailures = 0;
  let innerFlipCount = 0;
  let searched = 0;
  let searchBelowExact = 0;
  let searchWithin1e3 = 0;
  let maxSearchGap = 0;
  const radii = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const pt = drawNoisyPoint(rng, 3, 40, sigmas);
    const margin = (x: Float64Array): number => pt.y * evalF(x, pt.K1);
    const r = radiusF(pt.s, pt.y, pt.K1);
    (radii.get(pt.sigma) ?? radii.set(pt.sigma, []).get(pt.sigma)!).push(r);
    if (r === 0) continue;
    const w = witnessF(pt.s, pt.y, pt.K1);
    if (!flips(margin, pt.s, w)) witnessFailures++;
    innerFlipCount += innerFlips(margin, pt.s, r * (1 - 1e-9), w, rng, 100);
    if (i % 50 === 0) progress(i / n);
  }
  // The independent search on smaller K (3..10), where a derivative-free search is strong enough
  // to find the optimum (checked: searchWithin1e3).
  for (let i = 0; i < nSearch; i++) {
    const pt = drawNoisyPoint(rng, 3, 10, sigmas);
    const r = radiusF(pt.s, pt.y, pt.K1);
    if (r === 0) continue;
    {
      const sr = searchRadiusF(pt.s, pt.y, pt.K1, rng, { directions: 400, starts: 6, iterations: 200 });
      searched++;
      if (sr.radius < r * (1 - 1e-9)) searchBelowExact++;
      if (sr.radius - r < 1e-3) searchWithin1e3++;
      maxSearchGap = Math.max(maxSearchGap, sr.radius - r);
    }
  }
  const bySigma = [...radii.entries()].sort((a, b) => a[0] - b[0]).map(([sigma, v]) => {
    v.sort((a, b) => a - b);
    return { sigma, n: v.length, median: v[v.length >> 1], min: v[0] };
  });
  return { points: n, centreMaxError, witnessFailures, innerFlipCount, searched, searchBelowExact, searchWithin1e3, maxSearchGap, bySigma };
}

export interface RadiusFpCheckResult {
  points: number;
  maxWidth: number;
  notConverged: number;
  witnessFailures: number;
  innerFlipCount: number;
  fastAboveUpper: number;
  searched: number;
  searchBelowLower: number;
  searchWithin1e4: number;
  minSearchMinusLower: number;
  centreCases: number;
  centreMaxError: number;
  meanNodes: number;
  rows: (number | string)[][];
}

export function runRadiusFpCheck(seed: number, quick: boolean, progress: (f: number) => void): RadiusFpCheckResult {
  const rng = new Rng(seed);
  // Centres against the closed forms, with the branch-and-bound certificate alone.
  let centreCases = 0;
  let centreMaxError = 0;
  const Ks = quick ? [3, 10, 40] : [3, 5, 10, 20, 40];
  for (const K of Ks) {
    for (const K1 of [1, Math.floor(K / 2), K - 1]) {
      for (const p of [1, 1.25, 1.5, 1.9, 2, 2.5, 3, 6]) {
        for (const k of [0, K1]) {
          const s = new Float64Array(K);
          s[k] = 1;
          const y: Label = k < K1 ? 1 : -1;
          const b = radiusFp(s, y, K1, p, 2e-7, false);
          const want = centreRadiusFp(p, y === 1 ? K - K1 : K1);
          centreCases++;
          centreMaxError = Math.max(centreMaxError, Math.abs(b.lower - want), Math.abs(b.upper - want));
        }
      }
    }
  }
  const n = quick ? 45 : 400;
  const sigmas = [0.05, 0.2, 0.5];
  let maxWidth = 0;
  let notConverged = 0;
  let witnessFailures = 0;
  let innerFlipCount = 0;
  let fastAboveUpper = 0;
  let searched = 0;
  let searchBelowLower = 0;
  let searchWithin1e4 = 0;
  let minSearchMinusLower = Infinity;
  let nodes = 0;
  const rows: (number | string)[][] = [];
  for (let i = 0; i < n; i++) {
    const small = i % 3 !== 2;
    const pt = drawNoisyPoint(rng, 3, small ? 10 : 40, sigmas);
    const p = i % 5 === 0 ? [1, 1.5, 2, 3, 5][(i / 5) % 5] : 1 + 5 * rng.uniform();
    const margin = (x: Float64Array): number => pt.y * evalFp(x, pt.K1, p);
    const b = radiusFp(pt.s, pt.y, pt.K1, p, 2e-7, false);
    nodes += b.nodes;
    if (b.upper === 0) continue;
    maxWidth = Math.max(maxWidth, b.upper - b.lower);
    if (!b.converged) notConverged++;
    if (!flips(margin, pt.s, b.witness)) witnessFailures++;
    innerFlipCount += innerFlips(margin, pt.s, b.lower * (1 - 1e-9), b.witness, rng, 200);
    if (fastLowerBoundFp(pt.s, pt.y, pt.K1, p) > b.upper) fastAboveUpper++;
    let search = NaN;
    if (small) {
      const sr = searchRadiusFp(pt.s, pt.y, pt.K1, p, rng, { directions: 400, starts: 5, iterations: 150 });
      search = sr.radius;
      searched++;
      if (search < b.lower - 1e-12) searchBelowLower++;
      if (search - b.upper < 1e-4) searchWithin1e4++;
      minSearchMinusLower = Math.min(minSearchMinusLower, search - b.lower);
    }
    if (rows.length < 25) rows.push([pt.K, pt.K1, +p.toFixed(3), pt.sigma, b.lower, b.upper, Number.isNaN(search) ? '-' : search, b.nodes]);
    progress(i / n);
  }
  return {
    points: n,
    maxWidth,
    notConverged,
    witnessFailures,
    innerFlipCount,
    fastAboveUpper,
    searched,
    searchBelowLower,
    searchWithin1e4,
    minSearchMinusLower,
    centreCases,
    centreMaxError,
    meanNodes: nodes / n,
    rows,
  };
}
