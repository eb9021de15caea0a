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

interface Buffers {
  x: Float64Array;
  g: Float64Array;
  gBest: Float64Array;
  dir: Float64Array;
  z: Float64Array;
  prev: Float64Array;
  best: Float64Array;
  absg: Float64Array;
}

function evalAt(obj: AttackObjective, x0: Float64Array, d: Float64Array, buf: Buffers, g: Float64Array): number {
  for (let i = 0; i < d.length; i++) buf.x[i] = x0[i] + d[i];
  return obj.evaluate(buf.x, g);
}

/** One APGD run from `delta` (modified in place). Returns a result and the evaluations used. */
function singleRun(obj: AttackObjective, x0: Float64Array, r: number, delta: Float64Array, o: ApgdOptions, buf: Buffers): AttackResult {
  const D = obj.dim;
  const N = o.steps;
  const { g, gBest, dir, z, prev, best } = buf;
  projectBall(o.norm, x0, delta, r, o.box);
  let evaluations = 1;
  let loss = evalAt(obj, x0, delta, buf, g);
  const done = (margin: number): AttackResult => ({ delta: Float64Array.from(delta), success: true, margin, norm: normOf(o.norm, delta), evaluations });
  if (obj.margin <= 0) return done(obj.margin);
  best.set(delta);
  gBest.set(g);
  let lossBest = loss;
  let marginBest = obj.margin;
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
      const sorted = buf.absg.sort();
      const idx = Math.min(D - 1, Math.max(0, Math.floor((1 - topk) * D)));
      const thr = sorted[idx];
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
    loss = evalAt(obj, x0, delta, buf, g);
    evaluations++;
    if (obj.margin <= 0) return done(obj.margin);
    if (loss > lastLoss) increases++;
    lastLoss = loss;
    if (loss > lossBest) {
      best.set(delta);
      gBest.set(g);
      lossBest = loss;
      marginBest = obj.margin;
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

/**
 * APGD at radius r around x0: the given starts first, then `restarts` random starts; stops at the
 * first flipping point. Without success it returns the highest-loss point over all runs.
 */
export function apgd(obj: AttackObjective, x0: Float64Array, r: number, rng: Rng, options: Partial<ApgdOptions> = {}): AttackResult {
  const o: ApgdOptions = { ...APGD_DEFAULTS, ...options };
  requireInt('apgd.steps', o.steps, 1);
  requireInt('apgd.restarts', o.restarts, 0);
  requireReal('apgd.rho', o.rho, { min: 0, max: 1 });
  requireReal('apgd.momentum', o.momentum, { min: 0, max: 1 });
  requireReal('radius', r, { min: 0 });
  requireInBox(x0, o.box);
  const D = obj.dim;
  const buf: Buffers = {
    x: new Float64Array(D), g: new Float64Array(D), gBest: new Float64Array(D), dir: new Float64Array(D),
    z: new Float64Array(D), prev: new Float64Array(D), best: new Float64Array(D), absg: new Float64Array(D),
  };
  const starts = o.starts ?? [];
  let evaluations = 0;
  let bestFail: AttackResult | null = null;
  let bestFailLoss = -Infinity;
  const runs = starts.length + o.restarts;
  for (let run = 0; run < runs; run++) {
    const delta = run < starts.length ? Float64Array.from(starts[run]) : o.randomStart ? randomStart(o.norm, D, r, rng) : new Float64Array(D);
    const res = singleRun(obj, x0, r, delta, o, buf);
    evaluations += res.evaluations;
    if (res.success) return { ...res, evaluations };
    for (let i = 0; i < D; i++) buf.x[i] = x0[i] + res.delta[i];
    const l = obj.evaluate(buf.x);
    evaluations++;
    if (l > bestFailLoss || bestFail === null) {
      bestFailLoss = l;
      bestFail = res;
    }
  }
  if (bestFail === null) {
    const zero = new Float64Array(D);
    for (let i = 0; i < D; i++) buf.x[i] = x0[i];
    obj.evaluate(buf.x);
    return { delta: zero, success: obj.margin <= 0, margin: obj.margin, norm: 0, evaluations: evaluations + 1 };
  }
  return { ...bestFail, evaluations };
}
