/**
 * The conservation law of PAPER.md section 3: v_j^2 - ||w_j||^2 is constant along gradient flow for
 * every j; gradient descent changes it by lr^2 (g_v^2 - ||g_w||^2) per step (the first-order term
 * cancels because v dL/dv = <w, dL/dw> for the 1-homogeneous units), so at a fixed training time T
 * (T/lr steps) the drift is O(lr). Both exponents are fitted.
 *
 * Gradient flow is integrated two ways: dopri5 (polar formulation), whose residual tracks its
 * tolerance, and 2-stage Gauss-Legendre (plain formulation, solver/gauss.ts), which conserves the
 * quadratic balances exactly wherever its stage equations are solvable, so a residual above
 * roundoff there means the field breaks the identity v_j dL/dv_j = <w_j, dL/dw_j>.
 * For p = 1 the field jumps at ReLU kinks and plain Gauss stops at the first Filippov sliding mode
 * (slidingKinks finds it); with frozen modes (gauss.ts "Frozen modes": each step integrates the
 * smooth piece of its start point's activation pattern) it passes them, still exactly conservative
 * because each piece satisfies the identity. perturbedFlowRun is the negative control: the same
 * stepper on a field that breaks the identity must show a residual.
 */
import { trainGradientFlow } from '../gradientFlow.ts';
import type { GradientFlowRun } from '../gradientFlow.ts';
import { trainGradientDescent } from '../descent.ts';
import { mixtureProblem } from './problem.ts';
import type { MixtureProblemSpec } from './problem.ts';
import { fitLine } from './fit.ts';
import type { LineFit } from './fit.ts';
import type { OdeTerm, SolverName } from '../solver/types.ts';
import type { GaussOptions } from '../solver/gauss.ts';
import { integrate } from '../solver/integrate.ts';
import { geometricTimes } from '../schedule.ts';
import { balances, conservationResidual } from '../../diagnostics/neurons.ts';
import { netView } from '../../network/create.ts';
import type { LossOptions, PReluNet } from '../../network/types.ts';
import type { DataSet } from '../../diagnostics/savepoint.ts';
import { GradientFlowTerm } from '../formulation.ts';

export interface FlowConservation {
  p: number;
  solver: SolverName;
  formulation: string;
  rtol: number;
  reason: string;
  steps: number;
  rejected: number;
  evaluations: number;
  /** Time reached. */
  tEnd: number;
  finalLoss: number;
  maxNorm: number;
  /** Worst relative residual over save points (relative to the largest neuron norm squared). */
  worstRelative: number;
  /** Gauss only: fixed-point iterations and rejected steps whose stage solve did not converge. */
  iterations?: number;
  stageFailures?: number;
  /** Gauss only: each step integrated the smooth piece of its start point (gauss.ts frozenModes). */
  frozenModes?: boolean;
}

export interface FlowRunResult {
  summary: FlowConservation;
  /** Final parameters (not for evidence: arrays). */
  net: PReluNet;
  run: GradientFlowRun;
}

/**
 * GF to time tEnd (or explicit save times) at tolerance rtol = atol with the given solver, at most
 * maxSteps attempted steps; `gauss` are the Gauss stepper's options (e.g. frozenModes).
 */
export function flowRun(
  spec: MixtureProblemSpec, seed: number, tEnd: number, rtol: number, solver: SolverName = 'dopri5', saveTimes?: number[], maxSteps = 200000,
  gauss?: Partial<GaussOptions>,
): FlowRunResult {
  const prob = mixtureProblem(spec, seed);
  const r = trainGradientFlow({
    net: prob.net, data: prob.data, loss: prob.loss, tEnd, rtol, atol: rtol, solver, maxSteps,
    ...(saveTimes ? { saveTimes } : { saveFirst: 0.1, saveCount: 20 }),
    ...(gauss ? { gauss } : {}),
  });
  const d = r.solverDiagnostics;
  return {
    summary: {
      p: spec.p,
      solver,
      formulation: r.formulation,
      rtol,
      reason: r.reason,
      steps: r.steps,
      rejected: r.rejected,
      evaluations: r.evaluations,
      tEnd: r.t,
      finalLoss: r.finalLoss,
      maxNorm: r.trajectory.at(-1)!.maxNorm,
      worstRelative: Math.max(...r.trajectory.map((s) => s.conservationRelative)),
      ...(d ? { iterations: d.iterations, stageFailures: d.stageFailures } : {}),
      ...(solver === 'gauss' ? { frozenModes: gauss?.frozenModes === true } : {}),
    },
    net: r.net,
    run: r,
  };
}

export interface PerturbedFlow {
  /** dL/dv_j is multiplied by this factor (the field then breaks v_j dL/dv_j = <w_j, dL/dw_j>). */
  vFactor: number;
  solver: SolverName;
  frozenModes: boolean;
  reason: string;
  steps: number;
  rejected: number;
  tEnd: number;
  /** Worst relative residual over the save points, as in FlowConservation. */
  worstRelative: number;
}

/**
 * Negative control: GF (plain state) with dL/dv scaled by vFactor, integrated like flowRun (same
 * save times, rtol = atol relative), the term's modes passed through so frozen-mode Gauss runs
 * exactly as on the true field. A conservative method must show a residual here.
 */
export function perturbedFlowRun(
  spec: MixtureProblemSpec, seed: number, tEnd: number, rtol: number, vFactor: number, solver: SolverName = 'gauss', gauss?: Partial<GaussOptions>,
  maxSteps = 200000,
): PerturbedFlow {
  const prob = mixtureProblem(spec, seed);
  const gf = new GradientFlowTerm(prob.net, prob.data, prob.loss, 'plain');
  const { D, h } = prob.net;
  const term: OdeTerm = {
    dim: gf.dim,
    rhs(t, y, d) {
      gf.rhs(t, y, d);
      for (let j = 0; j < h; j++) d[h * D + j] *= vFactor;
    },
    freezeModes: (t, y) => gf.freezeModes(t, y),
    releaseModes: () => gf.releaseModes(),
  };
  const y0 = gf.encode(prob.net);
  const initial = balances(prob.net);
  const theta = new Float64Array(gf.theta.length);
  const view = netView(D, h, prob.net.p, theta, { bias: prob.net.hasBias, centre: prob.net.centre, normalise: prob.net.normalise });
  let worst = 0;
  const r = integrate({
    term, solver, t0: 0, t1: tEnd, y0, maxSteps,
    controller: { rtol, atol: gf.toleranceFor(rtol, y0) },
    saveAt: geometricTimes(Math.min(0.1, tEnd), tEnd, 20),
    onSave: (_t, y) => {
      gf.decode(y, theta);
      worst = Math.max(worst, conservationResidual(view, initial).relative);
    },
    ...(gauss ? { gauss } : {}),
  });
  gf.decode(r.y, theta);
  worst = Math.max(worst, conservationResidual(view, initial).relative);
  return { vFactor, solver, frozenModes: gauss?.frozenModes === true, reason: r.reason, steps: r.steps, rejected: r.rejected, tEnd: r.t, worstRelative: worst };
}

/** GF residual along a run to time tEnd at tolerance rtol = atol. */
export function flowConservation(spec: MixtureProblemSpec, seed: number, tEnd: number, rtol: number, solver: SolverName = 'dopri5'): FlowConservation {
  return flowRun(spec, seed, tEnd, rtol, solver).summary;
}

export interface TrajectoryAgreement {
  /** |L_a - L_b| / L_b at the common final time. */
  lossRelative: number;
  /** max_i |theta_a,i - theta_b,i| / max_i |theta_b,i| over (W, v). */
  stateRelative: number;
  t: number;
}

/** Compare two runs' final states (they must have stopped at the same time). */
export function agreement(a: FlowRunResult, b: FlowRunResult): TrajectoryAgreement {
  if (a.summary.tEnd !== b.summary.tEnd) throw new Error(`agreement: runs end at different times (${a.summary.tEnd} vs ${b.summary.tEnd})`);
  let scale = 0, diff = 0;
  const pairs: [Float64Array, Float64Array][] = [[a.net.W, b.net.W], [a.net.v, b.net.v]];
  for (const [x, y] of pairs) {
    for (let i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(y[i]));
      diff = Math.max(diff, Math.abs(x[i] - y[i]));
    }
  }
  const la = a.summary.finalLoss, lb = b.summary.finalLoss;
  return { lossRelative: Math.abs(la - lb) / lb, stateRelative: scale > 0 ? diff / scale : diff, t: a.summary.tEnd };
}

export interface SlidingKink {
  unit: number;
  sample: number;
  /** <x_i, w_j> / (||x_i|| ||w_j||) at the state examined. */
  cosine: number;
  /** d<x_i, w_j>/dt just below and just above the kink (u = -+ delta). */
  rateBelow: number;
  rateAbove: number;
}

/**
 * ReLU kinks <x_i, w_j> = 0 (|cosine| <= 1e-9) at which the gradient-flow field points into the
 * kink from both sides (Filippov sliding mode, p = 1): rate below > 0 and rate above < 0, the
 * rates measured with w_j moved along x_i so that u_ij = -+ 1e-8 ||x_i|| ||w_j||.
 */
export function slidingKinks(net: PReluNet, data: DataSet, loss: LossOptions): SlidingKink[] {
  const term = new GradientFlowTerm(net, data, loss, 'plain');
  const y0 = term.encode(net);
  const y = new Float64Array(y0.length);
  const d = new Float64Array(y0.length);
  const { D, h } = net;
  const found: SlidingKink[] = [];
  for (let j = 0; j < h; j++) {
    let nw = 0;
    for (let k = 0; k < D; k++) nw += net.W[j * D + k] ** 2;
    nw = Math.sqrt(nw);
    for (let i = 0; i < data.n; i++) {
      let u = 0, nx2 = 0;
      for (let k = 0; k < D; k++) {
        u += data.X[i * D + k] * net.W[j * D + k];
        nx2 += data.X[i * D + k] ** 2;
      }
      const scale = nw * Math.sqrt(nx2);
      if (!(scale > 0) || Math.abs(u) > 1e-9 * scale) continue;
      const rate = (side: number): number => {
        y.set(y0);
        // Move w_j along x_i so that u_ij becomes side * 1e-8 * scale.
        const shift = (side * 1e-8 * scale - u) / nx2;
        for (let k = 0; k < D; k++) y[j * D + k] += shift * data.X[i * D + k];
        term.rhs(0, y, d);
        let r = 0;
        for (let k = 0; k < D; k++) r += data.X[i * D + k] * d[j * D + k];
        return r;
      };
      const below = rate(-1), above = rate(1);
      if (below > 0 && above < 0) found.push({ unit: j, sample: i, cosine: u / scale, rateBelow: below, rateAbove: above });
    }
  }
  return found;
}

export interface DescentDrift {
  lrs: number[];
  /** Absolute drift max_j |balance_j - initial_j| after one step, and at time T. */
  perStep: number[];
  atTime: number[];
  T: number;
  perStepFit: LineFit;
  atTimeFit: LineFit;
}

/** GD drift for each lr: after one step and after T/lr steps; exponents fitted on log-log axes. */
export function descentDrift(spec: MixtureProblemSpec, seed: number, lrs: number[], T: number): DescentDrift {
  const prob = mixtureProblem(spec, seed);
  const perStep: number[] = [];
  const atTime: number[] = [];
  for (const lr of lrs) {
    const steps = Math.round(T / lr);
    const r = trainGradientDescent({ net: prob.net, data: prob.data, loss: prob.loss, lr, steps, saveSteps: [1, steps] });
    perStep.push(r.trajectory[0].conservation);
    atTime.push(r.trajectory.at(-1)!.conservation);
  }
  const lx = lrs.map(Math.log);
  return { lrs, perStep, atTime, T, perStepFit: fitLine(lx, perStep.map(Math.log)), atTimeFit: fitLine(lx, atTime.map(Math.log)) };
}
