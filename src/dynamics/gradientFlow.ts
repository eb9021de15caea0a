/**
 * Gradient flow training (PAPER.md section 3) of a pReLU net: the GradientFlowTerm (formulation.ts)
 * integrated by the solver layer, with diagnostics recorded at geometric save times and a result
 * that says why it stopped (final time, loss below threshold, step limit, step-size underflow,
 * non-finite state, wall time).
 */
import { integrate } from './solver/integrate.ts';
import type { ControllerSettings, SolverName, StopReason, SolverStats } from './solver/types.ts';
import { SOLVER_NAMES } from './solver/types.ts';
import type { GaussOptions } from './solver/gauss.ts';
import { GradientFlowTerm, FORMULATIONS } from './formulation.ts';
import type { GradientPool } from './gradientPool.ts';
import type { Formulation } from './formulation.ts';
import { geometricTimes } from './schedule.ts';
import { createRecorderContext, recordSavePoint } from '../diagnostics/savepoint.ts';
import type { DataSet, SavePoint } from '../diagnostics/savepoint.ts';
import type { References } from '../diagnostics/neurons.ts';
import { cloneNet, netView, validateNet } from '../network/create.ts';
import type { LossOptions, PReluNet } from '../network/types.ts';
import { validateLossOptions } from '../network/loss.ts';
import { requireChoice, requireInt, requireReal } from '../validate.ts';

export type GradientFlowStop = Exclude<StopReason, 'stop-condition'> | 'loss-threshold';

export interface GradientFlowOptions {
  /** Initial net (not modified). */
  net: PReluNet;
  data: DataSet;
  loss: LossOptions;
  tEnd: number;
  /**
   * Default 'polar', except with solver 'gauss': 'plain', where the balances v_j^2 - ||w_j||^2
   * are quadratic in the state and Gauss conserves them exactly (solver/gauss.ts); in the polar
   * variables they are not quadratic and Gauss conserves them only to the tolerance.
   */
  formulation?: Formulation;
  solver?: SolverName;
  /** Stage-solve settings for solver 'gauss'. */
  gauss?: Partial<GaussOptions>;
  /** Relative tolerance, and atol relative to the formulation's scale (GradientFlowTerm.toleranceFor). */
  rtol?: number;
  atol?: number;
  controller?: Partial<ControllerSettings>;
  /** Stop once L < lossThreshold (checked after every accepted step). */
  lossThreshold?: number;
  /** Explicit save times, or geometric ones from saveFirst (default 0.01) with saveCount points. */
  saveTimes?: number[];
  saveFirst?: number;
  saveCount?: number;
  refs?: References | null;
  /** Worker pool built for the same net shape, data and loss (GradientPool.create); caller closes it. */
  pool?: GradientPool | null;
  maxSteps?: number;
  wallTimeMs?: number;
  /** Called on save points and every accepted step. */
  onProgress?: (t: number, stats: SolverStats) => void;
  /** Also called with each recorded save point (raw parameters available through `net`). */
  onSavePoint?: (sp: SavePoint, net: PReluNet) => void;
}

export interface GradientFlowRun extends SolverStats {
  method: 'gf';
  reason: GradientFlowStop;
  solver: SolverName;
  formulation: Formulation;
  t: number;
  wallMs: number;
  /** Stepper-specific counters (Gauss: fixed-point iterations, stage-solve failures). */
  solverDiagnostics?: Record<string, number>;
  finalLoss: number;
  /** Final parameters (own storage). */
  net: PReluNet;
  trajectory: SavePoint[];
}

export function trainGradientFlow(o: GradientFlowOptions): GradientFlowRun {
  validateNet(o.net);
  const loss = validateLossOptions(o.loss);
  const tEnd = requireReal('tEnd', o.tEnd, { min: 0, minExclusive: true });
  const solver = o.solver === undefined ? 'dopri5' : requireChoice('solver', o.solver, SOLVER_NAMES);
  const formulation = o.formulation === undefined ? (solver === 'gauss' ? 'plain' : 'polar') : requireChoice('formulation', o.formulation, FORMULATIONS);
  const rtol = o.rtol === undefined ? 1e-6 : requireReal('rtol', o.rtol, { min: 1e-14, max: 1 });
  const atol = o.atol === undefined ? 1e-6 : requireReal('atol', o.atol, { min: 0, minExclusive: true });
  const threshold = o.lossThreshold === undefined ? -Infinity : requireReal('lossThreshold', o.lossThreshold, { min: 0 });
  const saveTimes =
    o.saveTimes ??
    geometricTimes(
      Math.min(o.saveFirst === undefined ? 0.01 : requireReal('saveFirst', o.saveFirst, { min: 0, minExclusive: true }), tEnd),
      tEnd,
      o.saveCount === undefined ? 40 : requireInt('saveCount', o.saveCount, 1, 100000),
    );

  const term = new GradientFlowTerm(o.net, o.data, loss, formulation, o.pool ?? null);
  const y0 = term.encode(o.net);
  const ctx = createRecorderContext(o.net, o.data, loss, o.refs ?? null);
  const viewTheta = new Float64Array(term.theta.length);
  const view = netView(o.net.D, o.net.h, o.net.p, viewTheta, { bias: o.net.hasBias, centre: o.net.centre, normalise: o.net.normalise });
  const trajectory: SavePoint[] = [];
  let stepsSoFar = 0;
  const record = (t: number, y: Float64Array): void => {
    term.decode(y, viewTheta);
    const sp = recordSavePoint(view, ctx, t, stepsSoFar);
    trajectory.push(sp);
    o.onSavePoint?.(sp, view);
  };

  const res = integrate({
    term,
    solver,
    t0: 0,
    t1: tEnd,
    y0,
    controller: { rtol, atol: term.toleranceFor(atol, y0), ...(solver === 'cash-karp' ? { norm: 'max' as const } : {}), ...o.controller },
    saveAt: saveTimes,
    onSave: record,
    stopWhen: (_t, y) => term.lossAt(y) < threshold,
    maxSteps: o.maxSteps,
    wallTimeMs: o.wallTimeMs,
    gauss: o.gauss,
    onStep: (t, stats) => {
      stepsSoFar = stats.steps;
      o.onProgress?.(t, stats);
    },
  });
  stepsSoFar = res.steps;
  // The final state is always recorded (unless the last save point already is it).
  if (trajectory.length === 0 || trajectory[trajectory.length - 1].t < res.t) record(res.t, res.y);
  term.decode(res.y, viewTheta);
  const final = cloneNet(view);
  return {
    method: 'gf',
    reason: res.reason === 'stop-condition' ? 'loss-threshold' : res.reason,
    solver,
    formulation,
    t: res.t,
    steps: res.steps,
    rejected: res.rejected,
    evaluations: res.evaluations,
    wallMs: res.wallMs,
    ...(res.diagnostics ? { solverDiagnostics: res.diagnostics } : {}),
    finalLoss: trajectory[trajectory.length - 1].loss,
    net: final,
    trajectory,
  };
}
