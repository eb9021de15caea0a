/**
 * APGD (Croce & Hein, ICML 2020, "Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks"), the attack of the authors' MNIST experiment (PAPER.md s.8 5.2.1),
 * written from the paper's specification:
 * - step size eta = 2 r (l2, l_inf); momentum: z = P(x_k + eta * s(grad)),
 *   x_{k+1} = P(x_k + a (z - x_k) + (1 - a)(x_k - x_{k-1})), a = 1 on the first step then 0.75;
 * - checkpoints: the first after 0.22 N iterations, the interval then shrinking by 0.03 N per
 *   checkpoint down to 0.06 N; at a checkpoint the step halves and the iterate restarts from the best
 *   point when (1) the loss increased in at most rho = 0.75 of the steps since the last checkpoint, or
 *   (2) the step was not reduced at the last checkpoint and the best loss has not improved since;
 * - l1 (Croce & Hein, ICCV 2021, "Mind the box"): sparse steps on the top-k fraction of gradient
 *   coordinates, eta = r, k adapted to the sparsity of the best point at checkpoints every 0.04 N
 *   iterations, exact projection onto l1-ball-and-box;
 * - restarts from random points of the ball (uniform box for l_inf, sphere for l2), or from given
 *   starting perturbations (targeted starts, PAPER.md s.8/s.9).
 * The loss is whatever the objective supplies; for single-output nets that is CE on logits [0, f]
 * (model.ts), as PAPER.md s.9 prescribes.
 *
 * The attack is written once, as a program (a generator) that yields whenever it needs the
 * objective at a point and resumes with the loss and margin there: apgd() below runs one program
 * on an AttackObjective, apgdBatch.ts runs one program per point in lockstep and evaluates all the
 * points that wait in one batched call (the WebAssembly kernels at MNIST size). Both therefore
 * take the same steps, checkpoints and random draws per point.
 */
import { projectBall, normOf, requireInBox, steepestDirection, type Box, type NormKind } from './ball.ts';
import type { AttackObjective } from './model.ts';
import type { AttackResult } from './pgd.ts';
import { Rng } from '../random/rng.ts';
import { norm2 } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';

export interface ApgdOptions {
  norm: NormKind;
  /** Iterations per run (N). */
  steps: number;
  /** Runs from random starts (after the given starts). */
  restarts: number;
  /** Oscillation threshold of checkpoint condition (1). */
  rho: number;
  momentum: number;
  /** Extra starting perturbations, one run each, tried first (projected onto the threat model). */
  starts?: Float64Array[];
  /** When false the "random" restarts start at delta = 0 instead. */
  randomStart: boolean;
  box?: Box;
}

export const APGD_DEFAULTS: ApgdOptions = { norm: 'l2', steps: 100, restarts: 1, rho: 0.75, momentum: 0.75, randomStart: true };

/** A random point of the threat model (AutoAttack's initialisation). */
export function randomStart(norm: NormKind, D: number, r: number, rng: Rng, out = new Float64Array(D)): Float64Array {
  if (norm === 'linf') {
    let m = 0;
    for (let i = 0; i < D; i++) {
      out[i] = 2 * rng.uniform() - 1;
      m = Math.max(m, Math.abs(out[i]));
    }
    const s = m > 0 ? r / m : 0;
    for (let i = 0; i < D; i++) out[i] *= s;
  } else {
    rng.fillNormal(out);
    if (norm === 'l2') {
      const n = norm2(out);
      const s = n > 0 ? r / n : 0;
      for (let i = 0; i < D; i++) out[i] *= s;
    }
  }
  return out;
}

/**
 * One objective evaluation asked for by an APGD program: the program fills x and sets `grad`; the
 * driver sets loss and margin (AttackObjective.margin) at x and, when `grad`, writes the gradient
 * into g before resuming the program.
 */
export interface EvalRequest {
  readonly x: Float64Array;
  readonly g: Float64Array;
  grad: boolean;
  loss: number;
  margin: number;
}

interface Buffers {
  req: EvalRequest;
  gBest: Float64Array;
  dir: Float64Array;
  z: Float64Array;
  prev: Float64Array;
  best: Float64Array;
  absg: Float64Array;
}

function buffers(D: number): Buffers {
  return {
    req: { x: new Float64Array(D), g: new Float64Array(D), grad: false, loss: NaN, margin: NaN },
    gBest: new Float64Array(D), dir: new Float64Array(D), z: new Float64Array(D), prev: new Float64Array(D),
    best: new Float64Array(D), absg: new Float64Array(D),
  };
}

/**
 * The idx-th smallest entry of a (what a.sort()[idx] is, up to the sign of a zero), by quickselect in O(n) on average
 * instead of a sort per l1 step; a is reordered. With a NaN present (an ordering quickselect cannot
 * use) it sorts, as before.
 */
export function orderStatistic(a: Float64Array, idx: number): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return a.sort()[idx];
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    // Median of three as the pivot, then a Hoare partition of a[lo..hi].
    const mid = (lo + hi) >> 1;
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] <= pivot <= a[i..hi], and j < i; entries between equal the pivot.
    if (idx <= j) hi = j;
    else if (idx >= i) lo = i;
    else return a[idx];
  }
  return a[idx];
}

/** Ask for the objective at x0 + d (with its gradient when `grad`); the driver answers in req. */
function setRequest(req: EvalRequest, x0: Float64Array, d: Float64Array, grad: boolean): void {
  const x = req.x;
  for (let i = 0; i < d.length; i++) x[i] = x0[i] + d[i];
  req.grad = grad;
}

/** One APGD run from `delta` (modified in place). Returns a result and the evaluations used. */
function* singleRun(D: number, x0: Float64Array, r: number, delta: Float64Array, o: ApgdOptions, buf: Buffers): Generator<void, AttackResult, void> {
  const N = o.steps;
  const { req, gBest, dir, z, prev, best } = buf;
  const g = req.g;
  projectBall(o.norm, x0, delta, r, o.box);
  let evaluations = 1;
  setRequest(req, x0, delta, true);
  yield;
  let loss = req.loss;
  const done = (margin: number): AttackResult => ({ delta: Float64Array.from(delta), success: true, margin, norm: normOf(o.norm, delta), evaluations });
  if (req.margin <= 0) return done(req.margin);
  best.set(delta);
  gBest.set(g);
  let lossBest = loss;
  let marginBest = req.margin;
  prev.set(delta);
  const isL1 = o.norm === 'l1';
  let eta = (isL1 ? 1 : 2) * r;
  let k = isL1 ? Math.max(Math.floor(0.04 * N), 1) : Math.max(Math.floor(0.22 * N), 1);
  const sizeDecr = Math.max(Math.floor(0.03 * N), 1);
  const kMin = Math.max(Math.floor(0.06 * N), 1);
  let counter = 0;
  let increases = 0;
  let lastLoss = loss;
  let reducedLastCheck = true;
  let lossBestLastCheck = lossBest;
  let topk = 0.2;
  let spOld = D;
  for (let it = 0; it < N; it++) {
    if (isL1) {
      // Sparse steepest step: sign of the gradient on its top-k fraction of coordinates.
      for (let i = 0; i < D; i++) buf.absg[i] = Math.abs(g[i]);
      const idx = Math.min(D - 1, Math.max(0, Math.floor((1 - topk) * D)));
      const thr = orderStatistic(buf.absg, idx);
      let cnt = 0;
      for (let i = 0; i < D; i++) {
        dir[i] = Math.abs(g[i]) >= thr && g[i] !== 0 ? Math.sign(g[i]) : 0;
        cnt += Math.abs(dir[i]);
      }
      const s = cnt > 0 ? eta / cnt : 0;
      for (let i = 0; i < D; i++) delta[i] += s * dir[i];
      projectBall('l1', x0, delta, r, o.box);
    } else {
      const a = it > 0 ? o.momentum : 1;
      steepestDirection(o.norm as 'l2' | 'linf', g, dir);
      for (let i = 0; i < D; i++) z[i] = delta[i] + eta * dir[i];
      projectBall(o.norm, x0, z, r, o.box);
      for (let i = 0; i < D; i++) {
        const next = delta[i] + a * (z[i] - delta[i]) + (1 - a) * (delta[i] - prev[i]);
        prev[i] = delta[i];
        delta[i] = next;
      }
      projectBall(o.norm, x0, delta, r, o.box);
    }
    setRequest(req, x0, delta, true);
    yield;
    loss = req.loss;
    evaluations++;
    if (req.margin <= 0) return done(req.margin);
    if (loss > lastLoss) increases++;
    lastLoss = loss;
    if (loss > lossBest) {
      best.set(delta);
      gBest.set(g);
      lossBest = loss;
      marginBest = req.margin;
    }
    counter++;
    if (counter === k) {
      if (isL1) {
        let sp = 0;
        for (let i = 0; i < D; i++) if (best[i] !== 0) sp++;
        const reduced = sp / spOld < 0.95;
        topk = sp / D / 1.5;
        if (reduced) {
          eta = r;
          delta.set(best);
          g.set(gBest);
        } else {
          eta = Math.min(r, Math.max(r / 10, eta / 1.5));
        }
        spOld = Math.max(sp, 1);
      } else {
        const oscillating = increases <= k * o.rho;
        const stalled: boolean = !reducedLastCheck && lossBestLastCheck >= lossBest;
        const reduce: boolean = oscillating || stalled;
        reducedLastCheck = reduce;
        lossBestLastCheck = lossBest;
        if (reduce) {
          eta /= 2;
          delta.set(best);
          g.set(gBest);
        }
        k = Math.max(k - sizeDecr, kMin);
      }
      counter = 0;
      increases = 0;
    }
  }
  return { delta: Float64Array.from(best), success: false, margin: marginBest, norm: normOf(o.norm, best), evaluations };
}

/** Options with defaults filled in and checked (the checks of apgd(), in its order). */
export function apgdOptions(options: Partial<ApgdOptions>, r: number): ApgdOptions {
  const o: ApgdOptions = { ...APGD_DEFAULTS, ...options };
  requireInt('apgd.steps', o.steps, 1);
  requireInt('apgd.restarts', o.restarts, 0);
  requireReal('apgd.rho', o.rho, { min: 0, max: 1 });
  requireReal('apgd.momentum', o.momentum, { min: 0, max: 1 });
  requireReal('radius', r, { min: 0 });
  return o;
}

/** A started APGD program and the request it communicates through. */
export interface ApgdProgram {
  readonly req: EvalRequest;
  readonly run: Generator<void, AttackResult, void>;
}

/**
 * The attack of apgd() at radius r around x0 (of length D) as a program: `run.next()` advances it
 * to its next evaluation request (in `req`) or to its result. `o` comes from apgdOptions; x0 must
 * lie in o.box (requireInBox).
 */
export function apgdProgram(D: number, x0: Float64Array, r: number, rng: Rng, o: ApgdOptions): ApgdProgram {
  const buf = buffers(D);
  return { req: buf.req, run: program(D, x0, r, rng, o, buf) };
}

function* program(D: number, x0: Float64Array, r: number, rng: Rng, o: ApgdOptions, buf: Buffers): Generator<void, AttackResult, void> {
  const req = buf.req;
  const starts = o.starts ?? [];
  let evaluations = 0;
  let bestFail: AttackResult | null = null;
  let bestFailLoss = -Infinity;
  const runs = starts.length + o.restarts;
  for (let run = 0; run < runs; run++) {
    const delta = run < starts.length ? Float64Array.from(starts[run]) : o.randomStart ? randomStart(o.norm, D, r, rng) : new Float64Array(D);
    const res = yield* singleRun(D, x0, r, delta, o, buf);
    evaluations += res.evaluations;
    if (res.success) return { ...res, evaluations };
    setRequest(req, x0, res.delta, false);
    yield;
    const l = req.loss;
    evaluations++;
    if (l > bestFailLoss || bestFail === null) {
      bestFailLoss = l;
      bestFail = res;
    }
  }
  if (bestFail === null) {
    const zero = new Float64Array(D);
    req.x.set(x0);
    req.grad = false;
    yield;
    return { delta: zero, success: req.margin <= 0, margin: req.margin, norm: 0, evaluations: evaluations + 1 };
  }
  return { ...bestFail, evaluations };
}

/**
 * APGD at radius r around x0: the given starts first, then `restarts` random starts; stops at the
 * first flipping point. Without success it returns the highest-loss point over all runs.
 */
export function apgd(obj: AttackObjective, x0: Float64Array, r: number, rng: Rng, options: Partial<ApgdOptions> = {}): AttackResult {
  const o = apgdOptions(options, r);
  requireInBox(x0, o.box);
  const { req, run } = apgdProgram(obj.dim, x0, r, rng, o);
  for (;;) {
    const s = run.next();
    if (s.done) return s.value;
    req.loss = req.grad ? obj.evaluate(req.x, req.g) : obj.evaluate(req.x);
    req.margin = obj.margin;
  }
}
