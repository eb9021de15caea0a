/**
 * Model-agnostic interfaces for the attacks (PAPER.md s.5, s.8).
 *
 * The attacks only need function values and input gradients, so the same code runs on the closed
 * forms F and F^(p), on trained pReLU nets and on multi-class nets (MNIST, PAPER.md s.8 5.2.1).
 * A binary classifier predicts sign(f); a point (x, y) is correct iff y f(x) > 0, so f = 0 counts
 * as broken (the conservative reading for robustness). The closed-form classifiers of
 * src/classifiers (DifferentiableClassifier: F, F^(p), Bayes) satisfy ScalarModel structurally, and
 * trained nets are adapted by netmodel.ts.
 */

/** A binary classifier with a scalar output f: R^dim -> R. */
export interface ScalarModel {
  readonly dim: number;
  value(x: Float64Array): number;
  /** Writes grad f(x) into g (length dim) and returns f(x). */
  valueAndGrad(x: Float64Array, g: Float64Array): number;
}

/** A multi-class classifier with `classes` logits; prediction argmax, correct iff the label wins strictly. */
export interface VectorModel {
  readonly dim: number;
  readonly classes: number;
  /** Writes the logits at x into out (length classes). */
  logits(x: Float64Array, out: Float64Array): void;
  /** Vector-Jacobian product: g = sum_c coef[c] * grad logit_c(x). */
  vjp(x: Float64Array, coef: Float64Array, g: Float64Array): void;
}

/**
 * What an attack maximises. `evaluate` returns the loss at x (and writes its gradient when g is
 * given); after every call `margin` holds the classification margin at x, > 0 iff correct
 * (y f(x) for binary models, logit_y - max_{c != y} logit_c for multi-class ones).
 */
export interface AttackObjective {
  readonly dim: number;
  margin: number;
  evaluate(x: Float64Array, g?: Float64Array): number;
}

/**
 * Losses for binary models, in terms of the margin z = y f(x):
 * - 'ce': cross-entropy of the 2-logit softmax on logits [0, f] (PAPER.md s.9: APGD's DLR needs
 *   >= 3 classes), which equals the logistic loss log(1 + exp(-z));
 * - 'exp': the authors' PGD loss exp(-z) (PAPER.md s.8). It is evaluated as its logarithm -z: log is
 *   increasing and the authors' PGD normalises the gradient, so the iterates are those of exp(-z) in
 *   exact arithmetic, without the underflow of exp(-z) at large margins (PAPER.md s.9);
 * - 'margin': -z itself.
 */
export type BinaryLoss = 'ce' | 'exp' | 'margin';

/** log(1 + e^t) without overflow (shared with apgdBatch.ts so both objectives round alike). */
export function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** 1 / (1 + e^-t) without overflow. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** The attack objective of a binary model at label y (+1 or -1). */
export function binaryObjective(model: ScalarModel, y: number, loss: BinaryLoss = 'ce'): AttackObjective {
  if (y !== 1 && y !== -1) throw new RangeError(`label must be +1 or -1, got ${y}`);
  const obj: AttackObjective = {
    dim: model.dim,
    margin: NaN,
    evaluate(x: Float64Array, g?: Float64Array): number {
      const f = g ? model.valueAndGrad(x, g) : model.value(x);
      const z = y * f;
      obj.margin = z;
      // d loss / d z, then chain rule dz/dx = y grad f.
      let value: number;
      let dz: number;
      if (loss === 'ce') {
        value = softplus(-z);
        dz = -sigmoid(-z);
      } else {
        value = -z;
        dz = -1;
      }
      if (g) {
        const s = dz * y;
        for (let i = 0; i < g.length; i++) g[i] *= s;
      }
      return value;
    },
  };
  return obj;
}

/**
 * Softmax cross-entropy of the C logits l[off .. off + C) at class `label`: logsumexp(l) - l_label,
 * the log-sum-exp shifted by the largest logit (no overflow). When `coef` is given, also
 * dCE/dl_c = softmax(l)_c - 1{c = label} into coef[coefOff + c]. The one CE of the attack objectives
 * (multiclassObjective, multiclass.ts's multiclassCeObjective, digitBatch.ts), so they round alike.
 */
export function softmaxCe(l: Float64Array, off: number, C: number, label: number, coef: Float64Array | null, coefOff = 0): number {
  let mx = -Infinity;
  for (let c = 0; c < C; c++) if (l[off + c] > mx) mx = l[off + c];
  let s = 0;
  for (let c = 0; c < C; c++) s += Math.exp(l[off + c] - mx);
  const lse = mx + Math.log(s);
  if (coef !== null) for (let c = 0; c < C; c++) coef[coefOff + c] = Math.exp(l[off + c] - lse) - (c === label ? 1 : 0);
  return lse - l[off + label];
}

/** The untargeted margin l_label - max_{c != label} l_c of the logits l[off .. off + C) (> 0 iff correct). */
export function untargetedMargin(l: Float64Array, off: number, C: number, label: number): number {
  let other = -Infinity;
  for (let c = 0; c < C; c++) if (c !== label && l[off + c] > other) other = l[off + c];
  return l[off + label] - other;
}

/**
 * Objective of a multi-class model at class `label` (0-based):
 * - 'ce': cross-entropy logsumexp(l) - l_label (APGD-CE);
 * - 'margin': l_t - l_label toward a fixed `target` class t, or toward the current runner-up when no
 *   target is given (the Carlini-Wagner margin).
 * `margin` (the verdict) is always the untargeted logit_label - max_{c != label} logit_c. CE's ascent
 * mixes the competing classes and the untargeted margin loss follows the first runner-up, so either
 * can stop short when two classes compete (both measured 4% to 50% above the exact radius on a
 * 3-class linear model); running the targeted margin loss once per candidate class does not.
 */
export function multiclassObjective(model: VectorModel, label: number, loss: 'ce' | 'margin' = 'ce', target?: number): AttackObjective {
  const C = model.classes;
  if (!Number.isInteger(label) || label < 0 || label >= C) throw new RangeError(`label must be in 0..${C - 1}, got ${label}`);
  if (target !== undefined && (!Number.isInteger(target) || target < 0 || target >= C || target === label)) {
    throw new RangeError(`target must be a class in 0..${C - 1} other than the label ${label}, got ${target}`);
  }
  const logits = new Float64Array(C);
  const coef = new Float64Array(C);
  const obj: AttackObjective = {
    dim: model.dim,
    margin: NaN,
    evaluate(x: Float64Array, g?: Float64Array): number {
      model.logits(x, logits);
      let other = -Infinity;
      let runnerUp = -1;
      for (let c = 0; c < C; c++) {
        if (c !== label && logits[c] > other) {
          other = logits[c];
          runnerUp = c;
        }
      }
      obj.margin = logits[label] - other;
      if (loss === 'margin') {
        const t = target ?? runnerUp;
        if (g) {
          coef.fill(0);
          coef[label] = -1;
          if (t >= 0) coef[t] += 1;
          model.vjp(x, coef, g);
        }
        return t >= 0 ? logits[t] - logits[label] : -Infinity;
      }
      const ce = softmaxCe(logits, 0, C, label, g ? coef : null);
      if (g) model.vjp(x, coef, g);
      return ce;
    },
  };
  return obj;
}

/** A scalar model from two closures (tests, closed forms). */
export function scalarModel(dim: number, value: (x: Float64Array) => number, grad: (x: Float64Array, g: Float64Array) => number): ScalarModel {
  return { dim, value, valueAndGrad: grad };
}
