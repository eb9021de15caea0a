/**
 * Discrete training for comparison with gradient flow, sharing its diagnostics:
 * - full-batch gradient descent theta <- theta - lr grad L (an Euler discretisation of GF with
 *   time t = lr x steps; the balances v_j^2 - ||w_j||^2 then drift by lr^2 (g_v^2 - ||g_w||^2) per
 *   step instead of staying constant, PAPER.md section 3);
 * - the authors' minibatch SGD recipe (PAPER.md section 8: lr 0.2, batch 100, epochs, mean exp
 *   loss, reshuffled every epoch; the last batch of an epoch may be smaller).
 */
import { lossAndGrad } from '../network/gradient.ts';
import { cloneNet, createGrad, validateNet } from '../network/create.ts';
import { createWorkspace } from '../network/workspace.ts';
import { validateLossOptions } from '../network/loss.ts';
import type { LossOptions, PReluNet } from '../network/types.ts';
import { createRecorderContext, recordSavePoint } from '../diagnostics/savepoint.ts';
import type { DataSet, SavePoint } from '../diagnostics/savepoint.ts';
import type { References } from '../diagnostics/neurons.ts';
import { geometricSteps } from './schedule.ts';
import type { Rng } from '../random/rng.ts';
import { shuffle } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';

export type DescentStop = 'final-step' | 'loss-threshold' | 'non-finite' | 'wall-time';

export interface DescentRun {
  method: 'gd' | 'sgd';
  reason: DescentStop;
  steps: number;
  /** lr x steps: the gradient-flow time the run corresponds to. */
  t: number;
  wallMs: number;
  finalLoss: number;
  net: PReluNet;
  trajectory: SavePoint[];
}

export interface GradientDescentOptions {
  net: PReluNet;
  data: DataSet;
  loss: LossOptions;
  lr: number;
  steps: number;
  lossThreshold?: number;
  /** Step indices at which to record (default: 40 geometric ones, plus 0 and the last step). */
  saveSteps?: number[];
  refs?: References | null;
  wallTimeMs?: number;
  onProgress?: (step: number, total: number) => void;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

export function trainGradientDescent(o: GradientDescentOptions): DescentRun {
  validateNet(o.net);
  const loss = validateLossOptions(o.loss);
  const lr = requireReal('lr', o.lr, { min: 0, minExclusive: true });
  const total = requireInt('steps', o.steps, 1);
  const threshold = o.lossThreshold === undefined ? -Infinity : requireReal('lossThreshold', o.lossThreshold, { min: 0 });
  const wall = o.wallTimeMs === undefined ? Infinity : requireReal('wallTimeMs', o.wallTimeMs, { min: 0 });
  const saveSteps = new Set(o.saveSteps ?? geometricSteps(1, total, 40));
  const net = cloneNet(o.net);
  const g = createGrad(net);
  const ws = createWorkspace(net, o.data.n);
  const ctx = createRecorderContext(net, o.data, loss, o.refs ?? null);
  const trajectory: SavePoint[] = [];
  const start = performance.now();
  let reason: DescentStop = 'final-step';
  let k = 0;
  if (saveSteps.has(0)) trajectory.push(recordSavePoint(net, ctx, 0, 0));
  for (; k < total; ) {
    const L = lossAndGrad(net, o.data.X, o.data.y, o.data.n, loss, g, ws);
    if (L < threshold) {
      reason = 'loss-threshold';
      break;
    }
    for (let i = 0; i < net.W.length; i++) net.W[i] -= lr * g.W[i];
    for (let j = 0; j < net.h; j++) net.v[j] -= lr * g.v[j];
    if (net.hasBias) net.b -= lr * g.b;
    k++;
    if (!allFinite(net.W) || !allFinite(net.v)) {
      reason = 'non-finite';
      break;
    }
    if (saveSteps.has(k)) trajectory.push(recordSavePoint(net, ctx, k * lr, k));
    o.onProgress?.(k, total);
    if (performance.now() - start > wall) {
      reason = 'wall-time';
      break;
    }
  }
  if (reason !== 'non-finite' && (trajectory.length === 0 || trajectory[trajectory.length - 1].step !== k)) {
    trajectory.push(recordSavePoint(net, ctx, k * lr, k));
  }
  return { method: 'gd', reason, steps: k, t: k * lr, wallMs: performance.now() - start, finalLoss: trajectory[trajectory.length - 1]?.loss ?? NaN, net, trajectory };
}

export interface SgdOptions {
  net: PReluNet;
  data: DataSet;
  /** Default: mean exp loss, the authors' recipe. */
  loss?: LossOptions;
  lr?: number;
  batch?: number;
  epochs: number;
  rng: Rng;
  /** Stop once the full training loss (checked at save epochs) is below this. */
  lossThreshold?: number;
  /** Epochs after which to record (default: geometric, plus 0 and the last). */
  saveEpochs?: number[];
  refs?: References | null;
  wallTimeMs?: number;
  onProgress?: (epoch: number, total: number) => void;
}

export function trainSgd(o: SgdOptions): DescentRun {
  validateNet(o.net);
  const loss = validateLossOptions(o.loss ?? { loss: 'exp', reduction: 'mean' });
  const lr = o.lr === undefined ? 0.2 : requireReal('lr', o.lr, { min: 0, minExclusive: true });
  const n = o.data.n;
  const batch = o.batch === undefined ? Math.min(100, n) : requireInt('batch', o.batch, 1, n);
  const epochs = requireInt('epochs', o.epochs, 1);
  const threshold = o.lossThreshold === undefined ? -Infinity : requireReal('lossThreshold', o.lossThreshold, { min: 0 });
  const wall = o.wallTimeMs === undefined ? Infinity : requireReal('wallTimeMs', o.wallTimeMs, { min: 0 });
  const saveEpochs = new Set(o.saveEpochs ?? [0, ...geometricSteps(1, epochs, 30)]);
  const net = cloneNet(o.net);
  const D = net.D;
  const g = createGrad(net);
  const ws = createWorkspace(net, batch);
  const ctx = createRecorderContext(net, o.data, loss, o.refs ?? null);
  const Xb = new Float64Array(batch * D);
  const yb = new Float64Array(batch);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const trajectory: SavePoint[] = [];
  const start = performance.now();
  let reason: DescentStop = 'final-step';
  let steps = 0;
  let e = 0;
  if (saveEpochs.has(0)) trajectory.push(recordSavePoint(net, ctx, 0, 0));
  outer: for (; e < epochs; ) {
    shuffle(o.rng, order);
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      for (let r = 0; r < m; r++) {
        const i = order[s + r];
        Xb.set(o.data.X.subarray(i * D, (i + 1) * D), r * D);
        yb[r] = o.data.y[i];
      }
      const Xm = m === batch ? Xb : Xb.subarray(0, m * D);
      const ym = m === batch ? yb : yb.subarray(0, m);
      lossAndGrad(net, Xm, ym, m, loss, g, ws);
      for (let i = 0; i < net.W.length; i++) net.W[i] -= lr * g.W[i];
      for (let j = 0; j < net.h; j++) net.v[j] -= lr * g.v[j];
      if (net.hasBias) net.b -= lr * g.b;
      steps++;
      if (!allFinite(net.W) || !allFinite(net.v)) {
        reason = 'non-finite';
        break outer;
      }
    }
    e++;
    o.onProgress?.(e, epochs);
    if (saveEpochs.has(e) || e === epochs) {
      const sp = recordSavePoint(net, ctx, steps * lr, steps);
      trajectory.push(sp);
      if (sp.loss < threshold) {
        reason = 'loss-threshold';
        break;
      }
    }
    if (performance.now() - start > wall) {
      reason = 'wall-time';
      break;
    }
  }
  if (reason !== 'non-finite' && trajectory[trajectory.length - 1]?.step !== steps) trajectory.push(recordSavePoint(net, ctx, steps * lr, steps));
  return { method: 'sgd', reason, steps, t: steps * lr, wallMs: performance.now() - start, finalLoss: trajectory[trajectory.length - 1]?.loss ?? NaN, net, trajectory };
}
