/**
 * The training loop of the authors' MNIST runs (PAPER.md s.8, Section 5.2.1), shared by the parity
 * net (train.ts) and the 10-class net (multiclass.ts): the batch order reshuffled from the Rng every
 * epoch, batches of `batch` rows with the last, smaller batch kept (PyTorch's DataLoader,
 * drop_last = False), one Adam step per batch over the caller's parameter groups, and one record
 * per epoch (mean training loss over the epoch's batches; at epoch 0 the loss on the whole
 * training set) with the stable ranks of W and of the probe set's hidden features every
 * `rankEvery` epochs and at the last.
 *
 * The nets differ only in what the pluggable model supplies: the packed parameters, the Adam
 * groups, the label type and the loss-and-gradient. The Rng is used for the shuffles only (the
 * caller draws the init from it first), so a seed means the same batch order in both tasks.
 */
import type { Rng } from '../random/rng.ts';
import { shuffle } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';
import { Adam, type ParamGroup } from './adam.ts';
import type { DigitSet } from './split.ts';

export interface TrainOptions {
  h: number;
  p: number;
  epochs: number;
  batch: number;
  lr: number;
  /** Images of the probe set whose hidden features' stable rank is recorded. */
  probe?: DigitSet;
  /**
   * Stable ranks are recorded at epochs 0, rankEvery, 2 rankEvery, ... and the last (default 1).
   * At h = 500 a record (W's and the probe features' stable ranks) costs several Adam steps.
   */
  rankEvery?: number;
}

/** Per-epoch record (epoch 0 = at initialisation). */
export interface EpochRecord {
  epoch: number;
  /** Mean training CE over the epoch's batches (at epoch 0: on the whole training set). */
  trainLoss: number;
  /** Stable rank of W (h x 784) and of the probe set's hidden features (n_probe x h); null at epochs not recorded (rankEvery) or without a probe set. */
  weightStableRank: number | null;
  featureStableRank: number | null;
  seconds: number;
}

/** TrainOptions checked (named ConfigErrors), rankEvery defaulted. */
export interface ResolvedTrainOptions {
  h: number;
  p: number;
  epochs: number;
  batch: number;
  lr: number;
  rankEvery: number;
  probe?: DigitSet;
}

export function resolveTrainOptions(o: TrainOptions): ResolvedTrainOptions {
  return {
    h: requireInt('h', o.h, 1),
    p: requireReal('p', o.p, { min: 1 }),
    epochs: requireInt('epochs', o.epochs, 0),
    batch: requireInt('batch', o.batch, 1),
    lr: requireReal('lr', o.lr, { min: 0, minExclusive: true }),
    rankEvery: requireInt('rankEvery', o.rankEvery ?? 1, 1),
    probe: o.probe,
  };
}

/** Rows per batch on `train`: the batch size, or the whole set when it is smaller. */
export function batchRows(train: DigitSet, o: ResolvedTrainOptions): number {
  return Math.min(o.batch, train.n);
}

export type Labels = Float64Array | Int32Array;

/** What a net plugs into the loop. */
export interface LoopModel<Y extends Labels> {
  /** Packed parameters, updated in place by Adam. */
  theta: Float64Array;
  /** Gradient buffer (packed like theta) that lossAndGrad fills when asked. */
  grad: Float64Array;
  /** Adam's parameter groups (contiguous ranges tiling theta; adam.ts). */
  groups: ParamGroup[];
  /** The training labels in the loss's own type, one per row of the training set. */
  labels: Y;
  /**
   * Mean loss over the n rows of X with labels y; with withGrad, the gradient into `grad`.
   * Called with n <= batchRows(..) during the epochs, and once with all training rows (epoch 0,
   * no gradient).
   */
  lossAndGrad(X: Float64Array, y: Y, n: number, withGrad: boolean): number;
  /** Stable rank of the first-layer weights W. */
  weightStableRank(): number;
  /** Stable rank of the hidden features on a probe set. */
  featureStableRank(probe: DigitSet): number;
}

/**
 * Train `model` on `train` for o.epochs epochs; t0 (performance.now()) is when the caller started
 * (the records' `seconds` count from it). onEpoch is called after every epoch (for progress).
 */
export function runTrainingLoop<Y extends Labels>(
  train: DigitSet, model: LoopModel<Y>, o: ResolvedTrainOptions, rng: Rng, t0: number, onEpoch?: (r: EpochRecord) => void,
): EpochRecord[] {
  const { epochs, lr, rankEvery, probe } = o;
  const D = train.D;
  const { theta, grad, labels } = model;
  const adam = new Adam(theta.length, { lr }, model.groups);
  const bs = batchRows(train, o);
  const Xb = new Float64Array(bs * D);
  // Same element type as the labels (slice keeps the typed-array class).
  const yb = labels.slice(0, bs) as Y;
  const order = new Int32Array(train.n);
  for (let i = 0; i < train.n; i++) order[i] = i;
  const record = (epoch: number, trainLoss: number): EpochRecord => {
    const ranks = epoch % rankEvery === 0 || epoch === epochs;
    return {
      epoch, trainLoss,
      weightStableRank: ranks ? model.weightStableRank() : null,
      featureStableRank: ranks && probe ? model.featureStableRank(probe) : null,
      seconds: (performance.now() - t0) / 1e3,
    };
  };
  const history: EpochRecord[] = [record(0, model.lossAndGrad(train.X, labels, train.n, false))];
  for (let e = 1; e <= epochs; e++) {
    shuffle(rng, order);
    let sum = 0;
    let batches = 0;
    // PyTorch's DataLoader keeps the last, smaller batch (drop_last = False).
    for (let s = 0; s < train.n; s += bs) {
      const m = Math.min(bs, train.n - s);
      for (let r = 0; r < m; r++) {
        const i = order[s + r];
        Xb.set(train.X.subarray(i * D, (i + 1) * D), r * D);
        yb[r] = labels[i];
      }
      const Xm = m === bs ? Xb : Xb.subarray(0, m * D);
      const ym = m === bs ? yb : (yb.subarray(0, m) as Y);
      sum += model.lossAndGrad(Xm, ym, m, true);
      batches++;
      adam.step(theta, grad);
    }
    const rec = record(e, sum / batches);
    history.push(rec);
    onEpoch?.(rec);
  }
  return history;
}
