/**
 * APGD (apgd.ts; Croce & Hein 2020) for B points in lockstep, so that the objective of all the
 * points still being attacked is evaluated in one call: at MNIST size (784 -> 500, PAPER.md s.8)
 * one point's step is two matrix-vector products, and B points' steps are two matrix-matrix
 * products, which the WebAssembly kernels run several times faster per point (frozenBatch.ts,
 * realdata/digitBatch.ts).
 *
 * Every point runs its own copy of apgd.ts's program (apgdProgram): the same schedule,
 * checkpoints, momentum, l1 sparsity rule, restarts, random starts drawn from the point's own Rng,
 * and the point leaves the batch as soon as its attack succeeds (or ends). The batch only decides
 * when the objective is called, never what a point does with the answer, so with an objective that
 * evaluates each point exactly as the single-point one (pointwiseBatch) the results are
 * bit-identical to apgd() run point by point with the same streams (test/attack-batch.test.ts).
 */
import { apgdOptions, apgdProgram, type ApgdOptions, type ApgdProgram } from './apgd.ts';
import { requireInBox } from './ball.ts';
import { sigmoid, softplus, type AttackObjective, type BinaryLoss } from './model.ts';
import type { AttackResult } from './pgd.ts';
import type { Rng } from '../random/rng.ts';
import { ConfigError } from '../validate.ts';

/**
 * The objectives of `size` points (each with its own label) evaluated together. For the m points
 * points[0..m-1] (distinct indices in 0..size-1), with point points[t]'s input in row t of X
 * (m x dim, row-major): writes loss[t] and margin[t] (> 0 iff correct, as AttackObjective.margin)
 * and, when G is given, the loss gradient into row t of G.
 */
export interface BatchObjective {
  readonly dim: number;
  readonly size: number;
  evaluate(points: Int32Array, m: number, X: Float64Array, loss: Float64Array, margin: Float64Array, G: Float64Array | null): void;
}

/** The batch as the single-point objectives called one after the other (the reference and fallback). */
export function pointwiseBatch(objectives: AttackObjective[]): BatchObjective {
  if (objectives.length === 0) throw new ConfigError('objectives', 'an empty list', 'at least one objective');
  const D = objectives[0].dim;
  for (const o of objectives) if (o.dim !== D) throw new ConfigError('objectives[].dim', o.dim, `the same dimension for all (${D})`);
  return {
    dim: D,
    size: objectives.length,
    evaluate(points, m, X, loss, margin, G) {
      for (let t = 0; t < m; t++) {
        const obj = objectives[points[t]];
        const x = X.subarray(t * D, (t + 1) * D);
        loss[t] = G === null ? obj.evaluate(x) : obj.evaluate(x, G.subarray(t * D, (t + 1) * D));
        margin[t] = obj.margin;
      }
    },
  };
}

/** A scalar model f evaluated on m inputs at once (frozenBatch.ts). */
export interface BatchScalarModel {
  readonly dim: number;
  /** f at the m rows of X into f[0..m-1]; when G is given, grad f of row t into row t of G. */
  evaluate(X: Float64Array, m: number, f: Float64Array, G?: Float64Array | null): void;
}

// The loss of model.ts's binaryObjective with its own helpers (same rounding): softplus(-z) and
// its derivative -sigmoid(-z) in the margin z = y f.

/**
 * binaryObjective (model.ts) for the points with labels y[i] = +-1 over a batched model: the same
 * losses ('ce': CE on logits [0, f] = log(1 + exp(-y f)); 'exp' and 'margin': -y f) and margins
 * y f, applied to each row.
 */
export function binaryBatchObjective(model: BatchScalarModel, y: ArrayLike<number>, loss: BinaryLoss = 'ce'): BatchObjective {
  const size = y.length;
  if (size === 0) throw new ConfigError('labels', 'an empty list', 'at least one label');
  for (let i = 0; i < size; i++) if (y[i] !== 1 && y[i] !== -1) throw new ConfigError(`labels[${i}]`, y[i], '+1 or -1');
  const D = model.dim;
  let f = new Float64Array(size);
  return {
    dim: D,
    size,
    evaluate(points, m, X, out, margin, G) {
      if (f.length < m) f = new Float64Array(m);
      model.evaluate(X, m, f, G);
      for (let t = 0; t < m; t++) {
        const yi = y[points[t]];
        const z = yi * f[t];
        margin[t] = z;
        let dz: number;
        if (loss === 'ce') {
          out[t] = softplus(-z);
          dz = -sigmoid(-z);
        } else {
          out[t] = -z;
          dz = -1;
        }
        if (G !== null) {
          const s = dz * yi;
          const o = t * D;
          for (let k = 0; k < D; k++) G[o + k] *= s;
        }
      }
    },
  };
}

/**
 * APGD at radius r around each of the obj.size points X0 (size x dim, row-major), point i drawing
 * its random starts from rngs[i]; result i is what apgd(objective_i, x0_i, r, rngs[i], options)
 * returns. Options are shared by all points (given `starts` are tried on every point).
 */
export function apgdBatch(obj: BatchObjective, X0: Float64Array, r: number, rngs: Rng[], options: Partial<ApgdOptions> = {}): AttackResult[] {
  const o = apgdOptions(options, r);
  const n = obj.size, D = obj.dim;
  if (rngs.length !== n) throw new ConfigError('rngs', `${rngs.length} generators`, `one per point (${n})`);
  if (X0.length !== n * D) throw new ConfigError('X0', `Float64Array(${X0.length})`, `size x dim = ${n * D} entries`);
  const programs: ApgdProgram[] = [];
  for (let i = 0; i < n; i++) {
    const x0 = X0.subarray(i * D, (i + 1) * D);
    requireInBox(x0, o.box);
    programs.push(apgdProgram(D, x0, r, rngs[i], o));
  }
  const results: (AttackResult | null)[] = new Array<AttackResult | null>(n).fill(null);
  // Points still running, and per round those waiting for a value with / without the gradient.
  const active = Int32Array.from({ length: n }, (_, i) => i);
  let nActive = n;
  const withGrad = new Int32Array(n), valueOnly = new Int32Array(n);
  const X = new Float64Array(n * D), G = new Float64Array(n * D);
  const loss = new Float64Array(n), margin = new Float64Array(n);
  const answer = (points: Int32Array, m: number, grad: boolean): void => {
    if (m === 0) return;
    for (let t = 0; t < m; t++) X.set(programs[points[t]].req.x, t * D);
    obj.evaluate(points, m, X, loss, margin, grad ? G : null);
    for (let t = 0; t < m; t++) {
      const req = programs[points[t]].req;
      req.loss = loss[t];
      req.margin = margin[t];
      if (grad) req.g.set(G.subarray(t * D, (t + 1) * D));
    }
  };
  while (nActive > 0) {
    let mg = 0, mv = 0, still = 0;
    for (let a = 0; a < nActive; a++) {
      const i = active[a];
      const s = programs[i].run.next();
      if (s.done) {
        results[i] = s.value;
        continue;
      }
      active[still++] = i;
      if (programs[i].req.grad) withGrad[mg++] = i;
      else valueOnly[mv++] = i;
    }
    nActive = still;
    answer(withGrad, mg, true);
    answer(valueOnly, mv, false);
  }
  return results as AttackResult[];
}
