/**
 * Exact F^(3) radii per second at K = 10 (issue 4's benchmark line), next to the independent
 * derivative-free search of src/robustness/certifySearch.ts timed in the same run (a naive way to
 * get a radius estimate, and only an upper bound). Also the fast decision isRobustFp used by the
 * T4 Monte-Carlo check, against the full certified bracket.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, BenchResult } from './types.ts';
import { Rng } from '../src/random/index.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import { radiusFp } from '../src/robustness/exactFp.ts';
import { isRobustFp } from '../src/robustness/certifyFp.ts';
import { searchRadiusFp } from '../src/robustness/certifySearch.ts';

function points(n: number, seed: number): { S: Float64Array; y: Float64Array; K: number; K1: number } {
  const mix = new OrthonormalMixture({ D: 100, K: 10, K1: 6, alpha: 1 });
  const smp = mix.sampleProjections(n, new Rng(seed));
  return { S: smp.S, y: smp.y, K: 10, K1: 6 };
}

/** Rate (per second) of running f on each of n points, after one warm-up pass over a few. */
function rate(n: number, f: (i: number) => void): { perSecond: number; seconds: number } {
  for (let i = 0; i < Math.min(n, 20); i++) f(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f(i);
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: n / seconds, seconds };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'radius',
    description: 'exact F^(3) radii per second at K = 10 (certified brackets, width < 1e-6) vs the derivative-free search',
    run(): BenchResult[] {
      const n = 300;
      const { S, y, K, K1 } = points(n, 1);
      const pt = (i: number): Float64Array => S.subarray(i * K, (i + 1) * K);
      const lab = (i: number): 1 | -1 => (y[i] > 0 ? 1 : -1);
      let maxWidth = 0;
      let nodes = 0;
      const exact = rate(n, (i) => {
        const b = radiusFp(pt(i), lab(i), K1, 3);
        maxWidth = Math.max(maxWidth, b.upper - b.lower);
        nodes += b.nodes;
      });
      const nRef = 20;
      const rng = new Rng(2);
      let searchBelowLower = 0;
      const ref = rate(nRef, (i) => {
        const r = searchRadiusFp(pt(i), lab(i), K1, 3, rng, { directions: 400, starts: 5, iterations: 150 });
        if (r.radius < radiusFp(pt(i), lab(i), K1, 3).lower - 1e-12) searchBelowLower++;
      });
      const nDec = 20000;
      const big = points(nDec, 3);
      let robust = 0;
      const dec = rate(nDec, (i) => {
        if (isRobustFp(big.S.subarray(i * K, (i + 1) * K), big.y[i] > 0 ? 1 : -1, K1, 3, 0.6)) robust++;
      });
      robust -= [...Array(Math.min(nDec, 20)).keys()].filter((i) => isRobustFp(big.S.subarray(i * K, (i + 1) * K), big.y[i] > 0 ? 1 : -1, K1, 3, 0.6)).length;
      return [
        {
          name: 'radius.exact-Fp3-K10.rate',
          value: exact.perSecond,
          unit: 'radii/s',
          reference: 'derivative-free search (400 directions + 5 x 150 hill-climbing steps), radii/s',
          referenceValue: ref.perSecond,
          ratio: exact.perSecond / ref.perSecond,
          details: { points: n, K, K1, p: 3, alpha: 1, D: 100, maxWidth, meanNodes: nodes / (n + Math.min(n, 20)), note: 'meanNodes includes the 20 warm-up calls', searchBelowLower },
        },
        {
          name: 'radius.isRobustFp3-K10.rate',
          value: dec.perSecond,
          unit: 'decisions/s',
          reference: 'full certified brackets (radiusFp), radii/s',
          referenceValue: exact.perSecond,
          ratio: dec.perSecond / exact.perSecond,
          details: { points: nDec, r: 0.6, robustFraction: robust / nDec },
        },
      ];
    },
  },
];
