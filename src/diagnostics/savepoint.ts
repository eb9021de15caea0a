/**
 * What is recorded at a save point of any training method (gradient flow, GD, SGD), so their
 * trajectories compare directly (issue 3): loss, training accuracy, conservation residual, neuron
 * norms, contributions, the cosine matrix against the mixture's reference directions, stable rank.
 */
import { lossOnly } from '../network/gradient.ts';
import { createWorkspace } from '../network/workspace.ts';
import { logLossValue } from '../network/loss.ts';
import type { LossOptions, PReluNet, Workspace } from '../network/types.ts';
import { accuracyFromMargins, balances, conservationResidual, contributions, cosineMatrix, neuronNorms, stableRank } from './neurons.ts';
import type { References } from './neurons.ts';

/** Training data as the network functions take it. */
export interface DataSet {
  X: Float64Array;
  y: Float64Array;
  n: number;
  /** Feature dimension, when the producer records it (X has n * D entries). */
  D?: number;
}

export interface RecorderContext {
  data: DataSet;
  loss: LossOptions;
  /** v_j^2 - ||w_j||^2 at initialisation. */
  initialBalance: Float64Array;
  refs: References | null;
  ws: Workspace;
}

export interface SavePoint {
  /** Training time (gradient flow time; lr x steps for GD/SGD). */
  t: number;
  /** Optimiser steps so far (solver steps for GF). */
  step: number;
  loss: number;
  /** log L, finite after L underflows. */
  logLoss: number;
  accuracy: number;
  conservation: number;
  conservationRelative: number;
  maxNorm: number;
  norms: number[];
  contributions: number[];
  /** h x m row-major, columns named by cosineNames (absent without reference directions). */
  cosines?: number[];
  cosineNames?: string[];
  stableRank: number;
}

export function createRecorderContext(net: PReluNet, data: DataSet, loss: LossOptions, refs: References | null = null): RecorderContext {
  return { data, loss, initialBalance: balances(net), refs, ws: createWorkspace(net, data.n) };
}

export function recordSavePoint(net: PReluNet, ctx: RecorderContext, t: number, step: number): SavePoint {
  const { data, loss, ws } = ctx;
  const L = lossOnly(net, data.X, data.y, data.n, loss, ws);
  const logL = logLossValue(ws.margins, loss, data.n);
  const norms = neuronNorms(net);
  let maxNorm = 0;
  for (let j = 0; j < net.h; j++) maxNorm = Math.max(maxNorm, norms[j]);
  const cons = conservationResidual(net, ctx.initialBalance);
  const sp: SavePoint = {
    t,
    step,
    loss: L,
    logLoss: logL,
    accuracy: accuracyFromMargins(ws.margins, data.n),
    conservation: cons.absolute,
    conservationRelative: cons.relative,
    maxNorm,
    norms: Array.from(norms),
    contributions: Array.from(contributions(net)),
    stableRank: stableRank(net.W, net.h, net.D),
  };
  if (ctx.refs) {
    sp.cosines = Array.from(cosineMatrix(net, ctx.refs));
    sp.cosineNames = ctx.refs.names;
  }
  return sp;
}
