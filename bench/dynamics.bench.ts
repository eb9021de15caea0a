/**
 * Gradient-flow integration (PAPER.md s.3, s.9): our Dormand-Prince 5(4) (FSAL, PI control, dense
 * output, polar formulation) against the wrapped ode45-cash-karp (the user's package, same mixed
 * error test, same formulation), timed in the same run, integrating a mixture problem from init
 * 1e-7 to mean exp loss < 1e-3 at rtol = atol = 1e-4, for p = 1 (discontinuous field) and p = 3.
 * Reported per solver: wall time, steps, rejected steps, derivative evaluations.
 *
 * Size: D = 50, n = 400, h = 100 by default (a few seconds per run). PRELU_BENCH_FULL=1 runs the
 * reduced Sec. 5.1 setting of issue 3 (D = 200, n = 2000, h = 200), which takes minutes per run;
 * one gradient evaluation at that size is always timed, so the cost of the full setting can be
 * read as evaluations x time per evaluation.
 */
import { mixtureProblem } from '../src/dynamics/experiments/problem.ts';
import { trainGradientFlow } from '../src/dynamics/gradientFlow.ts';
import type { GradientFlowRun } from '../src/dynamics/gradientFlow.ts';
import { GradientFlowTerm } from '../src/dynamics/formulation.ts';
import { GradientPool } from '../src/dynamics/gradientPool.ts';
import { createGrad } from '../src/network/create.ts';
import { lossAndGrad } from '../src/network/gradient.ts';
import { createWorkspace } from '../src/network/workspace.ts';
import { time } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const full = process.env.PRELU_BENCH_FULL === '1';
const size = full ? { D: 200, n: 2000, h: 200 } : { D: 50, n: 400, h: 100 };

function runOnce(p: number, solver: 'dopri5' | 'cash-karp'): GradientFlowRun {
  const prob = mixtureProblem({ ...size, K: 10, K1: 6, alpha: 0.05, init: 1e-7, p }, 1);
  return trainGradientFlow({
    net: prob.net, data: prob.data, loss: prob.loss, tEnd: 1e6, lossThreshold: 1e-3, solver, rtol: 1e-4, atol: 1e-4,
    saveTimes: [], maxSteps: 200000, wallTimeMs: 20 * 60 * 1000,
  });
}

function integrateToThreshold(p: number): BenchResult[] {
  const ours = runOnce(p, 'dopri5');
  const ref = runOnce(p, 'cash-karp');
  const details = {
    ...size, p,
    oursReason: ours.reason, oursT: ours.t, oursSteps: ours.steps, oursRejected: ours.rejected, oursEvaluations: ours.evaluations, oursFinalLoss: ours.finalLoss,
    refReason: ref.reason, refT: ref.t, refSteps: ref.steps, refRejected: ref.rejected, refEvaluations: ref.evaluations, refFinalLoss: ref.finalLoss,
  };
  return [
    { name: `dynamics.gf-p${p}.time`, value: ours.wallMs, unit: 'ms', reference: 'ode45-cash-karp (wrapped)', referenceValue: ref.wallMs, ratio: ref.wallMs / ours.wallMs, details },
    { name: `dynamics.gf-p${p}.evaluations`, value: ours.evaluations, unit: 'evaluations', reference: 'ode45-cash-karp (wrapped)', referenceValue: ref.evaluations, ratio: ref.evaluations / ours.evaluations, details: { steps: ours.steps, rejected: ours.rejected, refSteps: ref.steps, refRejected: ref.rejected } },
  ];
}

function evaluationCost(): BenchResult[] {
  const big = { D: 200, n: 2000, h: 200 };
  const prob = mixtureProblem({ ...big, K: 10, K1: 6, alpha: 0.05, init: 1e-7, p: 3 }, 1);
  const polar = new GradientFlowTerm(prob.net, prob.data, prob.loss, 'polar');
  const plain = new GradientFlowTerm(prob.net, prob.data, prob.loss, 'plain');
  const yp = polar.encode(prob.net), yq = plain.encode(prob.net);
  const dp = new Float64Array(polar.dim), dq = new Float64Array(plain.dim);
  const a = time(() => polar.rhs(0, yp, dp), { warmup: 1, reps: 5 });
  const b = time(() => plain.rhs(0, yq, dq), { warmup: 1, reps: 5 });
  return [{ name: 'dynamics.rhs-reduced-setting.time', value: a.medianMs, unit: 'ms', reference: 'plain formulation (no polar transform)', referenceValue: b.medianMs, ratio: b.medianMs / a.medianMs, details: { ...big, p: 3 } }];
}

/** Loss + gradient at the reduced setting on 2 worker threads against the single-thread call. */
async function poolSpeedup(): Promise<BenchResult[]> {
  const big = { D: 200, n: 2000, h: 200 };
  const prob = mixtureProblem({ ...big, K: 10, K1: 6, alpha: 0.05, init: 0.05, p: 3 }, 1);
  const g = createGrad(prob.net);
  const ws = createWorkspace(prob.net, prob.data.n);
  const pool = await GradientPool.create(prob.net, prob.data, prob.loss, 2);
  try {
    const a = time(() => pool.lossAndGrad(prob.net, g), { warmup: 2, reps: 7 });
    const b = time(() => lossAndGrad(prob.net, prob.data.X, prob.data.y, prob.data.n, prob.loss, g, ws), { warmup: 2, reps: 7 });
    return [{ name: 'dynamics.pool-2-threads.time', value: a.medianMs, unit: 'ms', reference: 'single-thread lossAndGrad', referenceValue: b.medianMs, ratio: b.medianMs / a.medianMs, details: { ...big, p: 3, threads: 2 } }];
  } finally {
    await pool.close();
  }
}

export const benchmarks: Benchmark[] = [
  { name: 'dynamics.pool', description: 'loss + gradient on 2 worker threads vs one thread (D = 200, n = 2000, h = 200)', run: poolSpeedup },
  { name: 'dynamics.gf-p1', description: `GF p = 1 to loss < 1e-3 (${JSON.stringify(size)}): dopri5 vs ode45-cash-karp`, run: () => integrateToThreshold(1) },
  { name: 'dynamics.gf-p3', description: `GF p = 3 to loss < 1e-3 (${JSON.stringify(size)}): dopri5 vs ode45-cash-karp`, run: () => integrateToThreshold(3) },
  { name: 'dynamics.rhs', description: 'one GF right-hand side at the reduced Sec. 5.1 size (D = 200, n = 2000, h = 200)', run: evaluationCost },
];
