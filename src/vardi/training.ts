/**
 * Gradient-flow training of two-layer ReLU nets on Vardi's / Frei's data (PAPER.md s.3 flow with
 * p = 1; issue 9), with the KKT report (kkt.ts) at every save point so the trajectory shows the
 * stationarity residual falling as the loss goes to zero (Lyu & Li 2020: directional convergence
 * to a KKT point of the max-margin problem).
 *
 * The flow is the toolkit's engine (src/dynamics, polar formulation + Dormand-Prince); nothing of
 * the loss or gradient is re-implemented here. Output bias off (it would break homogeneity);
 * hidden biases come from `appendConstant` in data.ts.
 */
import { trainGradientFlow } from '../dynamics/gradientFlow.ts';
import { createGrad, createNet } from '../network/create.ts';
import { lossAndGrad } from '../network/gradient.ts';
import type { LossKind, PReluNet } from '../network/types.ts';
import type { Rng } from '../random/rng.ts';
import { requireChoice, requireInt, requireReal } from '../validate.ts';
import type { LabelledData } from './data.ts';
import { kktReport } from './kkt.ts';

export interface ReluTrainOptions {
  h: number;
  loss: LossKind;
  /** Gaussian initialisation scale per entry (createNet 'gaussian'). */
  initScale: number;
  tEnd: number;
  /**
   * Stop once the (sum) loss is below this. Late training is cheap with the adaptive solver (steps
   * grow with t while L ~ 1/t), so losses of 1e-30 and below are reachable; exp(-q) stays a
   * normal double down to ~1e-300.
   */
  lossThreshold: number;
  saveCount: number;
  /** Compute the KKT report at every save point (costs O(n^2 h + n h D) each). */
  kktTrace: boolean;
  /** Solver tolerance (rtol = atol; default 1e-5). */
  rtol?: number;
  wallTimeMs?: number;
}

export interface KktTracePoint {
  t: number;
  loss: number;
  accuracy: number;
  margin: number;
  /** Clarke-fit stationarity residual (kkt.ts) and its certified lower bound. */
  stationarity: number;
  stationarityLower: number;
  /** The residual with s_ij = 1[u_ij > 0] forced on every pair (the earlier one-sided fit). */
  stationarityIndicator: number;
  /** Pairs treated as kinks (|cos(w_j, x_i)| <= kinkTol) out of n h. */
  kinkPairs: number;
  fitConverged: boolean;
  slackness: number;
  /**
   * sin of the angle between theta and -grad L (the Lyu & Li 2020 measure). -grad L =
   * sum_i l'(q_i) grad q_i (with s_ij = 1[u_ij > 0]) lies in the cone both fits search, so
   * stationarity <= stationarityIndicator <= this sine up to the fit tolerance: a consistency check.
   */
  angleSine: number;
}

export interface ReluTrainResult {
  net: PReluNet;
  reason: string;
  t: number;
  finalLoss: number;
  steps: number;
  rejected: number;
  wallMs: number;
  trace: KktTracePoint[];
}

export function trainRelu(data: LabelledData, o: ReluTrainOptions, rng: Rng): ReluTrainResult {
  const h = requireInt('h', o.h, 1, 100000);
  requireChoice('loss', o.loss, ['exp', 'logistic'] as const);
  requireReal('initScale', o.initScale, { min: 0, minExclusive: true, max: 10 });
  requireReal('lossThreshold', o.lossThreshold, { min: 0, minExclusive: true });
  const net0 = createNet({ D: data.D, h, p: 1, init: 'gaussian', scale: o.initScale }, rng);
  const trace: KktTracePoint[] = [];
  const run = trainGradientFlow({
    net: net0,
    data,
    loss: { loss: o.loss, reduction: 'sum' },
    tEnd: o.tEnd,
    lossThreshold: o.lossThreshold,
    saveFirst: 1e-2,
    saveCount: o.saveCount,
    rtol: o.rtol ?? 1e-5,
    atol: o.rtol ?? 1e-5,
    wallTimeMs: o.wallTimeMs,
    onSavePoint: (sp, net) => {
      if (!o.kktTrace) return;
      const k = kktReport(net, data);
      trace.push({
        t: sp.t,
        loss: sp.loss,
        accuracy: sp.accuracy,
        margin: k.margin,
        stationarity: k.stationarity,
        stationarityLower: k.stationarityLower,
        stationarityIndicator: k.stationarityIndicator,
        kinkPairs: k.kinkPairs,
        fitConverged: k.fitConverged,
        slackness: k.slackness,
        angleSine: angleSine(net, data, o.loss),
      });
    },
  });
  return { net: run.net, reason: run.reason, t: run.t, finalLoss: run.finalLoss, steps: run.steps, rejected: run.rejected, wallMs: run.wallMs, trace };
}

/** sin angle(theta, -grad L) for the sum loss (see KktTracePoint.angleSine). */
export function angleSine(net: PReluNet, data: LabelledData, loss: LossKind): number {
  const g = createGrad(net);
  lossAndGrad(net, data.X, data.y, data.n, { loss, reduction: 'sum' }, g);
  let dot = 0;
  let tt = 0;
  let gg = 0;
  for (let t = 0; t < net.W.length; t++) {
    dot -= g.W[t] * net.W[t];
    tt += net.W[t] * net.W[t];
    gg += g.W[t] * g.W[t];
  }
  for (let j = 0; j < net.h; j++) {
    dot -= g.v[j] * net.v[j];
    tt += net.v[j] * net.v[j];
    gg += g.v[j] * g.v[j];
  }
  const c = dot / Math.sqrt(tt * gg);
  return Math.sqrt(Math.max(0, 1 - c * c));
}
