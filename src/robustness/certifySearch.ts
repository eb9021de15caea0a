/**
 * An independent, derivative-free search for small flipping perturbations of F^(p) in the K-dim
 * reduction, used to test the certified solver (exactFp.ts) from outside: it shares none of its
 * structure (no gains, no cases, no duality), only the classifier's definition.
 *
 * - rayRadius(d): the smallest t >= 0 on a fine grid (then refined by bisection) with
 *   y F^(p)(s + t d) <= 0, for a unit direction d; any value it returns is an attack radius, so it
 *   can never legitimately be below a certified lower bound.
 * - dense random directions: uniform on the sphere, and sign-structured ones (own coordinates
 *   down, other-class coordinates up, random sparsity) where minimal attacks live;
 * - a local optimiser from many of the best starts: random-perturbation hill climbing on the
 *   direction with step halving.
 */
import { evalFp } from '../classifiers/limitFp.ts';
import { evalF } from '../classifiers/limitF.ts';
import type { Rng } from '../random/rng.ts';
import { norm2 } from '../random/sampling.ts';
import type { Label } from './exactF.ts';

export interface SearchOptions {
  /** Random directions tried (default 2000). */
  directions?: number;
  /** Best directions refined by the local optimiser (default 20). */
  starts?: number;
  /** Hill-climbing iterations per start (default 300). */
  iterations?: number;
  /** Grid points per ray (default 400). */
  grid?: number;
}

export interface SearchResult {
  radius: number;
  direction: Float64Array;
  evaluations: number;
}

/**
 * Generic search on a margin function (y f(x) > 0 iff correct) of the K-dim point; `isOwn(k)` says
 * which coordinates belong to the point's class (for the sign-structured directions) and `tmax`
 * bounds the rays.
 */
export function searchRadius(marginOf: (x: Float64Array) => number, s: ArrayLike<number>, isOwn: (k: number) => boolean, tmax: number, rng: Rng, opts: SearchOptions = {}): SearchResult {
  const K = s.length;
  const nDir = opts.directions ?? 2000;
  const nStarts = opts.starts ?? 20;
  const iters = opts.iterations ?? 300;
  const grid = opts.grid ?? 400;
  const x = new Float64Array(K);
  let evals = 0;
  const m = (d: Float64Array, t: number): number => {
    evals++;
    for (let k = 0; k < K; k++) x[k] = s[k] + t * d[k];
    return marginOf(x);
  };
  if (m(new Float64Array(K), 0) <= 0) return { radius: 0, direction: new Float64Array(K), evaluations: evals };
  const rayRadius = (d: Float64Array, limit: number): number => {
    const h = limit / grid;
    let prev = 0;
    for (let i = 1; i <= grid; i++) {
      const t = i * h;
      if (m(d, t) <= 0) {
        let a = prev;
        let b = t;
        for (let it = 0; it < 60; it++) {
          const c = 0.5 * (a + b);
          if (m(d, c) <= 0) b = c;
          else a = c;
        }
        return b;
      }
      prev = t;
    }
    return Infinity;
  };
  const normalise = (d: Float64Array): boolean => {
    const n = norm2(d);
    if (!(n > 0)) return false;
    for (let k = 0; k < K; k++) d[k] /= n;
    return true;
  };
  const pool: { r: number; d: Float64Array }[] = [];
  let best = Infinity;
  let bestD = new Float64Array(K);
  for (let i = 0; i < nDir; i++) {
    const d = new Float64Array(K);
    if (i % 2 === 0) rng.fillNormal(d);
    else {
      const keep = rng.uniform();
      for (let k = 0; k < K; k++) {
        if (rng.uniform() > keep) continue;
        const g = Math.abs(rng.normal());
        d[k] = isOwn(k) ? -g : g;
      }
    }
    if (!normalise(d)) continue;
    const r = rayRadius(d, Math.min(tmax, best));
    if (r < Infinity) pool.push({ r, d });
    if (r < best) {
      best = r;
      bestD = d;
    }
  }
  pool.sort((a, b) => a.r - b.r);
  const trial = new Float64Array(K);
  for (const start of pool.slice(0, nStarts)) {
    const d = start.d.slice();
    let r = start.r;
    let step = 0.3;
    for (let it = 0; it < iters && step > 1e-9; it++) {
      for (let k = 0; k < K; k++) trial[k] = d[k] + step * rng.normal();
      if (!normalise(trial)) continue;
      const rt = rayRadius(trial, r);
      if (rt < r) {
        r = rt;
        d.set(trial);
        step *= 1.5;
      } else step *= 0.8;
    }
    if (r < best) {
      best = r;
      bestD = d;
    }
  }
  return { radius: best, direction: bestD, evaluations: evals };
}

/** The search for F^(p) (rays up to the norm of the own positive coordinates, which always flips). */
export function searchRadiusFp(s: ArrayLike<number>, y: Label, K1: number, p: number, rng: Rng, opts: SearchOptions = {}): SearchResult {
  const isOwn = (k: number): boolean => (k < K1) === (y === 1);
  let tmax = 0;
  for (let k = 0; k < s.length; k++) if (isOwn(k) && s[k] > 0) tmax += s[k] * s[k];
  tmax = Math.sqrt(tmax) * 1.001 + 1e-12;
  return searchRadius((x) => y * evalFp(x, K1, p), s, isOwn, tmax, rng, opts);
}

/** The same search for the ReLU limit F (rays up to 2 |F| + 2, beyond any minimal attack here). */
export function searchRadiusF(s: ArrayLike<number>, y: Label, K1: number, rng: Rng, opts: SearchOptions = {}): SearchResult {
  const isOwn = (k: number): boolean => (k < K1) === (y === 1);
  let own = 0;
  for (let k = 0; k < s.length; k++) if (isOwn(k)) own += s[k];
  return searchRadius((x) => y * evalF(x, K1), s, isOwn, Math.abs(own) + 1, rng, opts);
}
