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
import { shuffle } from '../random/sampling.ts';
import { createWorkspace, gradView, hiddenFeatures, lossAndGrad, netView, paramCount, stableRank, forward } from '../network/index.ts';
import type { PReluNet } from '../network/index.ts';
import { requireInt, requireReal } from '../validate.ts';
import { Adam, ADAM_DEFAULTS } from './adam.ts';
import { meanImage, type DigitSet } from './split.ts';

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

export const TRAIN_DEFAULTS = { batch: 1000, lr: ADAM_DEFAULTS.lr };

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
 * Train on `train` with the recipe above; `rng` draws the init and the batch order.
 * onEpoch is called after every epoch (for progress).
 */
export function trainParity(train: DigitSet, o: TrainOptions, rng: Rng, onEpoch?: (r: EpochRecord) => void): Trained {
  const h = requireInt('h', o.h, 1);
  const p = requireReal('p', o.p, { min: 1 });
  const epochs = requireInt('epochs', o.epochs, 0);
  const batch = requireInt('batch', o.batch, 1);
  const lr = requireReal('lr', o.lr, { min: 0, minExclusive: true });
  const D = train.D;
  const t0 = performance.now();
  const centre = meanImage(train);
  const { net, theta } = initParityNet(D, h, p, centre, rng);
  const g = new Float64Array(theta.length);
  const grad = gradView(D, h, g, true);
  const adam = new Adam(theta.length, { lr }, [
    { start: 0, end: h * D, lr },
    { start: h * D, end: theta.length, lr: 2 * lr },
  ]);
  const bs = Math.min(batch, train.n);
  const ws = createWorkspace(net, bs);
  const Xb = new Float64Array(bs * D);
  const yb = new Float64Array(bs);
  const order = new Int32Array(train.n);
  for (let i = 0; i < train.n; i++) order[i] = i;
  const opts = { loss: 'logistic', reduction: 'mean' } as const;
  const every = requireInt('rankEvery', o.rankEvery ?? 1, 1);
  const record = (epoch: number, trainLoss: number): EpochRecord => {
    const ranks = epoch % every === 0 || epoch === epochs;
    return {
      epoch, trainLoss,
      weightStableRank: ranks ? stableRank(net.W, h, D) : null,
      featureStableRank: ranks && o.probe ? featureStableRank(net, o.probe) : null,
      seconds: (performance.now() - t0) / 1e3,
    };
  };
  const history: EpochRecord[] = [];
  const full = createWorkspace(net, train.n);
  history.push(record(0, lossAndGrad(net, train.X, train.y, train.n, opts, null, full)));
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
        yb[r] = train.y[i];
      }
      const Xm = m === bs ? Xb : Xb.subarray(0, m * D);
      const ym = m === bs ? yb : yb.subarray(0, m);
      sum += lossAndGrad(net, Xm, ym, m, opts, grad, ws);
      batches++;
      adam.step(theta, g);
    }
    const rec = record(e, sum / batches);
    history.push(rec);
    onEpoch?.(rec);
  }
  return { net, theta, history, seconds: (performance.now() - t0) / 1e3 };
}
