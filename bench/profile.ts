/**
 * CPU profile of the real workloads (`npm run profile [-- name ...]`): each workload runs under
 * V8's sampling profiler (node:inspector) and the functions with the largest share of self time
 * are printed, so speed work goes where the time is. The README's performance section quotes
 * these tables. Workloads:
 *   gf-derivative  loss + gradient at the reduced Sec. 5.1 size (n = 2000, D = 200, h = 200, p = 3)
 *   attack         the authors' l2 PGD (2000 steps) on a clustered p = 3 net, D = 200, h = 200
 *   mnist-step     one MNIST-sized training step: 784 -> 500, batch 1000, p = 4, centring +
 *                  input normalisation, loss + gradient + Adam update
 *   mc-t2, mc-t4   exact-sampler Monte Carlo of the T2 / T4 events (one thread)
 * Shares are of this process's main thread only (worker threads are not sampled), at the
 * profiler's 100 us sampling interval; a share under ~1% is noise.
 */
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/random/index.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import { mixtureProblem } from '../src/dynamics/experiments/problem.ts';
import { createGrad, createWorkspace, gradView, lossAndGrad, netView, paramCount } from '../src/network/index.ts';
import type { PReluNet } from '../src/network/types.ts';
import { binaryObjective } from '../src/robustness/model.ts';
import { netModel } from '../src/robustness/netmodel.ts';
import { pgdL2 } from '../src/robustness/pgd.ts';
import { makeCounter } from '../src/montecarlo/events.ts';
import { Adam } from '../src/realdata/adam.ts';

interface Workload { name: string; setup(): () => void; reps: number }

function gfDerivative(): () => void {
  const prob = mixtureProblem({ D: 200, n: 2000, h: 200, K: 10, K1: 6, alpha: 0.05, init: 0.05, p: 3 }, 1);
  const g = createGrad(prob.net);
  const ws = createWorkspace(prob.net, prob.data.n);
  return () => { lossAndGrad(prob.net, prob.data.X, prob.data.y, prob.data.n, prob.loss, g, ws); };
}

function attack(): () => void {
  const rng = new Rng(3);
  const mix = new OrthonormalMixture({ D: 200, K: 10, K1: 6, alpha: 0.05 });
  const h = 200, D = 200;
  const W = new Float64Array(h * D), v = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < D; i++) W[j * D + i] = mix.centres[(j % 10) * D + i] + (0.05 / Math.sqrt(D)) * rng.normal();
    v[j] = (j % 10 < 6 ? 1 : -1) / (h / 10);
  }
  const net: PReluNet = { D, h, p: 3, W, v, b: 0, hasBias: false, centre: null, normalise: false };
  const data = mix.sample(2, rng);
  const model = netModel(net);
  return () => {
    for (let i = 0; i < data.n; i++) pgdL2(binaryObjective(model, data.y[i], 'exp'), data.X.slice(i * D, (i + 1) * D), 0.5);
  };
}

function mnistStep(): () => void {
  const rng = new Rng(5);
  const D = 784, h = 500, n = 1000;
  const X = new Float64Array(n * D);
  for (let i = 0; i < X.length; i++) X[i] = rng.uniform() < 0.2 ? rng.uniform() : 0;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.uniform() < 0.5 ? -1 : 1;
  const centre = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) centre[k] += X[i * D + k] / n;
  const theta = new Float64Array(paramCount(D, h, true));
  for (let i = 0; i < theta.length; i++) theta[i] = (2 * rng.uniform() - 1) / Math.sqrt(i < h * D ? D : h);
  const net = netView(D, h, 4, theta, { bias: true, centre, normalise: true });
  const gBuf = new Float64Array(theta.length);
  const g = gradView(D, h, gBuf, true);
  const ws = createWorkspace(net, n);
  const adam = new Adam(theta.length);
  return () => {
    lossAndGrad(net, X, y, n, { loss: 'logistic', reduction: 'mean' }, g, ws);
    adam.step(theta, gBuf);
  };
}

function mc(theorem: 'T2' | 'T4'): () => void {
  const params = theorem === 'T2' ? { D: 100, K: 10, K1: 6, alpha: 1.5, rho: 0.3 } : { D: 100, K: 10, K1: 6, alpha: 0.8, p: 3, delta: 0.5 };
  const count = makeCounter({ theorem, params });
  const rng = new Rng(11);
  return () => { count(rng, theorem === 'T2' ? 200_000 : 20_000); };
}

const WORKLOADS: Workload[] = [
  { name: 'gf-derivative', setup: gfDerivative, reps: 20 },
  { name: 'attack', setup: attack, reps: 2 },
  { name: 'mnist-step', setup: mnistStep, reps: 4 },
  { name: 'mc-t2', setup: () => mc('T2'), reps: 10 },
  { name: 'mc-t4', setup: () => mc('T4'), reps: 10 },
];

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Self time per function (name + file:line), as shares of all samples. */
function selfShares(profile: Profile): { fn: string; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const count = new Map<string, number>();
  for (const id of profile.samples) {
    const cf = (byId.get(id) as ProfileNode).callFrame;
    const file = cf.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/');
    const key = `${cf.functionName || '(anonymous)'} ${file}`.trim();
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  return [...count.entries()].map(([fn, c]) => ({ fn, share: c / total })).sort((a, b) => b.share - a.share);
}

async function main(names: string[]): Promise<void> {
  const chosen = names.length === 0 ? WORKLOADS : WORKLOADS.filter((w) => names.includes(w.name));
  if (chosen.length === 0) throw new Error(`unknown workload; choose from ${WORKLOADS.map((w) => w.name).join(', ')}`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  for (const w of chosen) {
    const fn = w.setup();
    fn(); // warm-up: JIT compilation is not what we profile
    await session.post('Profiler.start');
    const t0 = performance.now();
    for (let r = 0; r < w.reps; r++) fn();
    const ms = (performance.now() - t0) / w.reps;
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    process.stdout.write(`\n## ${w.name}: ${ms.toFixed(1)} ms per call (${w.reps} calls, ${profile.samples.length} samples)\n`);
    for (const { fn: f, share } of selfShares(profile).slice(0, 10)) process.stdout.write(`${(100 * share).toFixed(1).padStart(5)}%  ${f}\n`);
  }
  session.disconnect();
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
