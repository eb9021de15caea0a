/**
 * Attack time per test point (issue 4) on the reduced Sec. 5.1 setting (PAPER.md s.8): a p = 3 net
 * with h = 200 units clustered around the K = 10 centres in D = 200, noisy test points at
 * alpha = 0.05. References timed in the same run:
 * - the strong minimal-norm attack against the authors' protocol (zero-start PGD, 2000 steps, on
 *   the 15 radii linspace(0, 1.5, 15));
 * - the certified lower bound against the strong attack;
 * - the authors' PGD on a wide net (D = 1000, h = 50) run in the row span of W (PAPER.md s.5
 *   Reduction, 50 dimensions) against the same PGD in the full 1000 dimensions; both must report
 *   the same verdict, else the benchmark aborts.
 */
import { Rng } from '../src/random/index.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import type { PReluNet } from '../src/network/types.ts';
import { binaryObjective } from '../src/robustness/model.ts';
import { certifiedRadius } from '../src/robustness/lowerbound.ts';
import { gridRadius, strongMinNorm } from '../src/robustness/minnorm.ts';
import { netModel, reduceToRowSpan } from '../src/robustness/netmodel.ts';
import { pgdL2 } from '../src/robustness/pgd.ts';
import { netTargets } from '../src/robustness/targets.ts';
import { time } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const K = 10, K1 = 6, p = 3, alpha = 0.05;
const RADII = Array.from({ length: 15 }, (_, i) => (1.5 * i) / 14);

/** h units, each a centre plus N(0, s^2/D) noise, output weight +-1/(h/K) by the centre's class. */
function clusteredNet(mix: OrthonormalMixture, h: number, s: number, rng: Rng): PReluNet {
  const { D } = mix;
  const W = new Float64Array(h * D);
  const v = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    const k = j % K;
    for (let i = 0; i < D; i++) W[j * D + i] = mix.centres[k * D + i] + (s / Math.sqrt(D)) * rng.normal();
    v[j] = (k < K1 ? 1 : -1) / (h / K);
  }
  return { D, h, p, W, v, b: 0, hasBias: false, centre: null, normalise: false };
}

function perPoint(): BenchResult[] {
  const rng = new Rng(20240524);
  const mix = new OrthonormalMixture({ D: 200, K, K1, alpha });
  const net = clusteredNet(mix, 200, 0.05, rng);
  const data = mix.sample(2, rng);
  const model = netModel(net);
  const D = mix.D;
  const point = (i: number) => ({ x: data.X.slice(i * D, (i + 1) * D), y: data.y[i] });
  const radii = { strong: [] as number[], pgd: [] as number[], lower: [] as number[] };
  const strong = () => {
    for (let i = 0; i < data.n; i++) {
      const { x, y } = point(i);
      radii.strong[i] = strongMinNorm(binaryObjective(model, y, 'ce'), x, new Rng(i), { targets: netTargets(net, x, y) }).radius;
    }
  };
  const pgd = () => {
    for (let i = 0; i < data.n; i++) {
      const { x, y } = point(i);
      const obj = binaryObjective(model, y, 'exp');
      radii.pgd[i] = gridRadius(obj, x, RADII, (r) => pgdL2(obj, x, r)).radius;
    }
  };
  const lower = () => {
    for (let i = 0; i < data.n; i++) {
      const { x, y } = point(i);
      radii.lower[i] = certifiedRadius(net, x, y, 2)?.radius ?? NaN;
    }
  };
  const tS = time(strong, { warmup: 0, reps: 1 });
  const tP = time(pgd, { warmup: 0, reps: 1 });
  const tL = time(lower, { warmup: 1, reps: 3 });
  const per = (ms: number) => ms / data.n;
  const details = {
    D, h: net.h, p, points: data.n,
    meanStrongRadius: radii.strong.reduce((a, b) => a + b, 0) / data.n,
    meanPgdRadius: radii.pgd.reduce((a, b) => a + b, 0) / data.n,
    meanCertifiedRadius: radii.lower.reduce((a, b) => a + b, 0) / data.n,
  };
  return [
    { name: 'attack.strong.time-per-point', value: per(tS.medianMs), unit: 'ms', reference: "authors' PGD on 15 radii", referenceValue: per(tP.medianMs), ratio: tP.medianMs / tS.medianMs, details },
    { name: 'attack.certified-bound.time-per-point', value: per(tL.medianMs), unit: 'ms', reference: 'strong attack', referenceValue: per(tS.medianMs), ratio: tS.medianMs / tL.medianMs, details },
  ];
}

function reduction(): BenchResult[] {
  const rng = new Rng(7);
  const mix = new OrthonormalMixture({ D: 1000, K, K1, alpha });
  const net = clusteredNet(mix, 50, 0.05, rng);
  const data = mix.sample(2, rng);
  const red = reduceToRowSpan(net, data.X, data.n);
  const full = netModel(net);
  const small = netModel(red.net);
  const r = 0.75;
  const verdicts: boolean[][] = [[], []];
  const run = (which: 0 | 1) => () => {
    for (let i = 0; i < data.n; i++) {
      const dim = which === 0 ? net.D : red.m;
      const x = which === 0 ? data.X.slice(i * net.D, (i + 1) * net.D) : red.points.slice(i * red.m, (i + 1) * red.m);
      const obj = binaryObjective(which === 0 ? full : small, data.y[i], 'exp');
      verdicts[which][i] = pgdL2(obj, x, r).success;
      if (x.length !== dim) throw new Error('dimension mismatch');
    }
  };
  const tFull = time(run(0), { warmup: 0, reps: 1 });
  const tRed = time(run(1), { warmup: 1, reps: 3 });
  if (verdicts[0].some((v, i) => v !== verdicts[1][i])) throw new Error('reduced and full PGD disagree');
  return [
    { name: 'attack.pgd-reduced.time-per-point', value: tRed.medianMs / data.n, unit: 'ms', reference: 'same PGD in full D = 1000', referenceValue: tFull.medianMs / data.n, ratio: tFull.medianMs / tRed.medianMs, details: { D: net.D, h: net.h, reducedDim: red.m, radius: r, steps: 2000 } },
  ];
}

export const benchmarks: Benchmark[] = [
  { name: 'attack.per-point', description: "strong attack, certified bound and authors' PGD per test point, D=200 h=200 p=3", run: perPoint },
  { name: 'attack.reduction', description: "authors' PGD in the row span of W vs full space, D=1000 h=50", run: reduction },
];
