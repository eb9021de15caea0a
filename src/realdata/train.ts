/**
 * Training the authors' MNIST-parity pReLU net (PAPER.md s.8, Section 5.2.1): 784 -> h -> 2 with
 * output bias, inputs centred by the mean training image, pReLU input normalisation
 * (divide each unit by ||x - xbar||^(p-1), src/network/forward.ts), Kaiming (nn.Linear default)
 * init, Adam lr 1e-3, batch 1000 reshuffled every epoch, mean cross-entropy.
 *
 * Two logits as one output, exactly. With logits l_c = <V_c, a(x)> + b_c (c = 0 even, 1 odd),
 * CE depends only on f = l_1 - l_0: CE = log(1 + exp(-y f)), our 'logistic' loss, and
 * dCE/dV_1 = -dCE/dV_0 = dCE/dv, dCE/db_1 = -dCE/db_0 = dCE/db, where v = V_1 - V_0, b = b_1 - b_0
 * and dCE/dW depends only on v. Adam started from zero moments keeps the moments of V_0 the exact
 * negatives of V_1's (equal second moments), so V_0's update is minus V_1's and v moves by twice
 * Adam's update of (v, grad v): Adam with learning rate 2 lr on (v, b). We therefore draw
 * V_0, V_1, b_0, b_1 ~ U(-1/sqrt(h), 1/sqrt(h)) (nn.Linear(h, 2)), set v = V_1 - V_0,
 * b = b_1 - b_0, and give the head learning rate 2 lr: the iterates of f are those of the two-logit
 * net in exact arithmetic. W ~ U(-1/sqrt(784), 1/sqrt(784)) (nn.Linear(784, h); no hidden bias,
 * PAPER.md s.2).
 */
import { Rng } from '../random/rng.ts';
import { createWorkspace, gradView, hiddenFeatures, lossAndGrad, netView, paramCount, stableRank, forward } from '../network/index.ts';
import type { PReluNet, Workspace } from '../network/index.ts';
import { ADAM_DEFAULTS } from './adam.ts';
import { batchRows, resolveTrainOptions, runTrainingLoop, type EpochRecord, type TrainOptions } from './loop.ts';
import { meanImage, type DigitSet } from './split.ts';

export type { EpochRecord, TrainOptions } from './loop.ts';

export const TRAIN_DEFAULTS = { batch: 1000, lr: ADAM_DEFAULTS.lr };

export interface Trained {
  net: PReluNet;
  /** Packed parameters [W, v, b] behind net. */
  theta: Float64Array;
  history: EpochRecord[];
  seconds: number;
}

/** Fraction of rows with sign(f) = y (f = 0 counts as wrong). */
export function accuracy(net: PReluNet, set: DigitSet): number {
  const f = forward(net, set.X, set.n);
  let ok = 0;
  for (let i = 0; i < set.n; i++) if (set.y[i] * f[i] > 0) ok++;
  return ok / set.n;
}

/** Stable rank of the hidden features relu(<x~, w_j>)^p / (||w_j||^(p-1) ||x~||^(p-1)) on `set`. */
export function featureStableRank(net: PReluNet, set: DigitSet): number {
  return stableRank(hiddenFeatures(net, set.X, set.n), set.n, net.h);
}

/** Kaiming-initialised parity net in a packed vector (see the file comment for the head). */
export function initParityNet(D: number, h: number, p: number, centre: Float64Array, rng: Rng): { net: PReluNet; theta: Float64Array } {
  const theta = new Float64Array(paramCount(D, h, true));
  const bw = 1 / Math.sqrt(D);
  const bv = 1 / Math.sqrt(h);
  for (let i = 0; i < h * D; i++) theta[i] = bw * (2 * rng.uniform() - 1);
  const u = () => bv * (2 * rng.uniform() - 1);
  for (let j = 0; j < h; j++) {
    const v0 = u();
    const v1 = u();
    theta[h * D + j] = v1 - v0;
  }
  const b0 = u();
  const b1 = u();
  theta[h * D + h] = b1 - b0;
  return { net: netView(D, h, p, theta, { bias: true, centre, normalise: true }), theta };
}

/**
 * Train on `train` with the recipe above (the shared loop of loop.ts: per-epoch shuffle, batches,
 * Adam, records); `rng` draws the init, then the batch order. onEpoch is called after every epoch
 * (for progress).
 */
export function trainParity(train: DigitSet, options: TrainOptions, rng: Rng, onEpoch?: (r: EpochRecord) => void): Trained {
  const o = resolveTrainOptions(options);
  const { h, p, lr } = o;
  const D = train.D;
  const t0 = performance.now();
  const centre = meanImage(train);
  const { net, theta } = initParityNet(D, h, p, centre, rng);
  const g = new Float64Array(theta.length);
  const grad = gradView(D, h, g, true);
  const ws = createWorkspace(net, batchRows(train, o));
  let full: Workspace | null = null;
  const opts = { loss: 'logistic', reduction: 'mean' } as const;
  const history = runTrainingLoop(train, {
    theta, grad: g, labels: train.y,
    // The head at twice the rate: the two-logit net's iterates (file comment).
    groups: [{ start: 0, end: h * D, lr }, { start: h * D, end: theta.length, lr: 2 * lr }],
    lossAndGrad: (X, y, n, withGrad) => {
      const w = n <= ws.capacity ? ws : (full ??= createWorkspace(net, n));
      return lossAndGrad(net, X, y, n, opts, withGrad ? grad : null, w);
    },
    weightStableRank: () => stableRank(net.W, h, D),
    featureStableRank: (probe) => featureStableRank(net, probe),
  }, o, rng, t0, onEpoch);
  return { net, theta, history, seconds: (performance.now() - t0) / 1e3 };
}
