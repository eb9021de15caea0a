/**
 * Numerically stable losses of PAPER.md s.3: l(z) = exp(-z) and l(z) = log(1 + exp(-z)), their
 * weights g(z) = -l'(z), and log l(z) for stopping rules in log space (PAPER.md s.9: "Exp loss
 * overflows for large negative margins; compute in log space where needed").
 *
 * Ranges: for the exp loss, l(z) = g(z) = exp(-z) is +Infinity exactly when the true value exceeds
 * the double range (z < -709.78); it is never NaN for finite z. The logistic loss is computed as a
 * softplus, max(-z, 0) + log1p(exp(-|z|)), finite for every finite z, and its weight as a sigmoid
 * that never divides Infinity by Infinity. log l(z) is finite for every finite z and both losses.
 */
import type { LossKind, LossOptions } from './types.ts';
import { requireChoice, requireKnownKeys } from '../validate.ts';

const LOSSES = ['exp', 'logistic'] as const;
const REDUCTIONS = ['sum', 'mean'] as const;

/** Validate loss options (named ConfigError on a typo or an unknown choice). */
export function validateLossOptions(opts: unknown): LossOptions {
  const o = requireKnownKeys('lossOptions', opts, ['loss', 'reduction']);
  return {
    loss: requireChoice('loss', o.loss, LOSSES),
    reduction: requireChoice('reduction', o.reduction, REDUCTIONS),
  };
}

/** softplus(t) = log(1 + exp(t)) without overflow or loss of precision for t << 0. */
export function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

/** sigmoid(t) = 1 / (1 + exp(-t)), stable for either sign. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** l(z). */
export function lossTerm(kind: LossKind, z: number): number {
  return kind === 'exp' ? Math.exp(-z) : softplus(-z);
}

/** g(z) = -l'(z) > 0: exp(-z) for the exp loss, sigmoid(-z) for the logistic loss. */
export function lossWeight(kind: LossKind, z: number): number {
  return kind === 'exp' ? Math.exp(-z) : sigmoid(-z);
}

/**
 * log l(z), finite for every finite z. For the logistic loss at z > 0,
 * log log1p(e^-z) = -z + log(log1p(t)/t) with t = e^-z, which stays accurate after t underflows.
 */
export function logLossTerm(kind: LossKind, z: number): number {
  if (kind === 'exp') return -z;
  if (z <= 0) return Math.log(softplus(-z));
  const t = Math.exp(-z);
  return t === 0 ? -z : -z + Math.log(Math.log1p(t) / t);
}

/**
 * log L for margins z_1..z_n: logsumexp_i log l(z_i) (minus log n for 'mean'). For the exp loss
 * this is logsumexp(-z), the quantity a gradient-flow stopping rule can watch long after L
 * itself has underflowed to 0 (or before it overflows).
 */
export function logLossValue(margins: ArrayLike<number>, opts: LossOptions, n: number = margins.length): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = logLossTerm(opts.loss, margins[i]);
    if (t > m) m = t;
  }
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(logLossTerm(opts.loss, margins[i]) - m);
  const logL = m + Math.log(s);
  return opts.reduction === 'mean' ? logL - Math.log(n) : logL;
}

/**
 * L for margins z_1..z_n. When the plain exp-loss sum overflows it is redone in log space, so a
 * mean of terms near the top of the double range does not overflow in an intermediate sum: the
 * result is Infinity only when L itself exceeds the double range.
 */
export function lossValue(margins: ArrayLike<number>, opts: LossOptions, n: number = margins.length): number {
  let s = 0;
  if (opts.loss === 'exp') {
    for (let i = 0; i < n; i++) s += Math.exp(-margins[i]);
    if (!Number.isFinite(s)) return Math.exp(logLossValue(margins, opts, n));
  } else {
    for (let i = 0; i < n; i++) s += softplus(-margins[i]);
  }
  return opts.reduction === 'mean' ? s / n : s;
}
