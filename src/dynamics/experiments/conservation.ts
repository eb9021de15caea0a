/**
 * The conservation law of PAPER.md section 3: v_j^2 - ||w_j||^2 is constant along gradient flow for
 * every j; gradient descent changes it by lr^2 (g_v^2 - ||g_w||^2) per step (the first-order term
 * cancels because v dL/dv = <w, dL/dw> for the 1-homogeneous units), so at a fixed training time T
 * (T/lr steps) the drift is O(lr). Both exponents are fitted.
 */
import { trainGradientFlow } from '../gradientFlow.ts';
import { trainGradientDescent } from '../descent.ts';
import { mixtureProblem } from './problem.ts';
import type { MixtureProblemSpec } from './problem.ts';
import { fitLine } from './fit.ts';
import type { LineFit } from './fit.ts';

export interface FlowConservation {
  p: number;
  rtol: number;
  reason: string;
  steps: number;
  tEnd: number;
  finalLoss: number;
  maxNorm: number;
  /** Worst relative residual over save points (relative to the largest neuron norm squared). */
  worstRelative: number;
}

/** GF residual along a run to time tEnd at tolerance rtol = atol. */
export function flowConservation(spec: MixtureProblemSpec, seed: number, tEnd: number, rtol: number): FlowConservation {
  const prob = mixtureProblem(spec, seed);
  const r = trainGradientFlow({ net: prob.net, data: prob.data, loss: prob.loss, tEnd, rtol, atol: rtol, saveFirst: 0.1, saveCount: 20, maxSteps: 200000 });
  return {
    p: spec.p,
    rtol,
    reason: r.reason,
    steps: r.steps,
    tEnd: r.t,
    finalLoss: r.finalLoss,
    maxNorm: r.trajectory.at(-1)!.maxNorm,
    worstRelative: Math.max(...r.trajectory.map((s) => s.conservationRelative)),
  };
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
