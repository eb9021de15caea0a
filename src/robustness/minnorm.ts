/**
 * Attack upper bounds on the minimal flipping radius at one point (issue 4, items (1)-(4)).
 *
 * Every radius reported here is the norm of an actual flipping perturbation, so it is an upper bound
 * on the minimal radius. Three ways to get one:
 * - `gridRadius`: run a fixed-radius attack at increasing radii (the authors' protocol, PAPER.md s.8)
 *   and report the smallest-norm flipping point found;
 * - `bisectRadius`: bisection on the radius with a fixed-radius attack as oracle;
 * - `strongMinNorm`: line searches along targeted, gradient and random directions, then bisection
 *   on the radius with APGD started from random and targeted starts, each success refined by a line
 *   search along the flipping perturbation. Targeted starts toward other-class neurons or cluster
 *   centres overcome the near-zero gradient of inactive pReLU units at the clean point
 *   (PAPER.md s.8, s.9).
 */
import { apgd, APGD_DEFAULTS, type ApgdOptions } from './apgd.ts';
import { normOf, type Box, type NormKind } from './ball.ts';
import { minNormAlong, type LineSearchOptions } from './linesearch.ts';
import type { AttackObjective } from './model.ts';
import type { AttackResult } from './pgd.ts';
import type { Rng } from '../random/rng.ts';
import { requireInt, requireReal } from '../validate.ts';

/** A radius upper bound with the flipping perturbation that proves it (null when none was found). */
export interface RadiusResult {
  radius: number;
  delta: Float64Array | null;
  evaluations: number;
}

function cleanFlip(obj: AttackObjective, x0: Float64Array): boolean {
  obj.evaluate(x0);
  return obj.margin <= 0;
}

/**
 * The authors' protocol: attack at each radius of an increasing grid; the first success gives the
 * radius (the norm of its flipping point, <= that grid radius). Infinity if no grid radius breaks it.
 */
export function gridRadius(obj: AttackObjective, x0: Float64Array, radii: readonly number[], attackAt: (r: number) => AttackResult, kind: NormKind = 'l2'): RadiusResult {
  if (cleanFlip(obj, x0)) return { radius: 0, delta: new Float64Array(x0.length), evaluations: 1 };
  let evaluations = 1;
  for (const r of [...radii].sort((a, b) => a - b)) {
    if (r <= 0) continue;
    const res = attackAt(r);
    evaluations += res.evaluations;
    if (res.success) return { radius: normOf(kind, res.delta), delta: res.delta, evaluations };
  }
  return { radius: Infinity, delta: null, evaluations };
}

/**
 * Bisection on the radius in [0, rMax] with a fixed-radius attack as oracle (assumes the attack's
 * success is monotone in r, which holds up to the attack's own randomness). Returns the smallest
 * flipping norm found.
 */
export function bisectRadius(obj: AttackObjective, x0: Float64Array, rMax: number, steps: number, attackAt: (r: number) => AttackResult, kind: NormKind = 'l2'): RadiusResult {
  requireReal('rMax', rMax, { min: 0, minExclusive: true });
  requireInt('steps', steps, 0);
  if (cleanFlip(obj, x0)) return { radius: 0, delta: new Float64Array(x0.length), evaluations: 1 };
  let evaluations = 1;
  let best: RadiusResult = { radius: Infinity, delta: null, evaluations: 0 };
  const first = attackAt(rMax);
  evaluations += first.evaluations;
  if (!first.success) return { radius: Infinity, delta: null, evaluations };
  best = { radius: normOf(kind, first.delta), delta: first.delta, evaluations: 0 };
  let lo = 0;
  for (let s = 0; s < steps; s++) {
    const r = 0.5 * (lo + best.radius);
    const res = attackAt(r);
    evaluations += res.evaluations;
    if (res.success) best = { radius: Math.min(r, normOf(kind, res.delta)), delta: res.delta, evaluations: 0 };
    else lo = r;
  }
  return { ...best, evaluations };
}

export interface StrongAttackOptions {
  norm: NormKind;
  /** Points in input space to aim at (other cluster centres, other-class neurons scaled to the data). */
  targets: Float64Array[];
  /** Random directions tried by line search before the attacks. */
  randomDirections: number;
  /** Largest radius searched. */
  rMax: number;
  /** Bisection steps on the radius with APGD as oracle. */
  bisections: number;
  apgd: Partial<ApgdOptions>;
  lineSearch: Partial<LineSearchOptions>;
  box?: Box;
}

export const STRONG_DEFAULTS: StrongAttackOptions = {
  norm: 'l2', targets: [], randomDirections: 4, rMax: 4, bisections: 10,
  apgd: { steps: 100, restarts: 1 }, lineSearch: {},
};

/** Direction toward `target` from x0, scaled to size r in the given norm. */
export function targetedStart(kind: NormKind, x0: Float64Array, target: Float64Array, r: number): Float64Array {
  const d = new Float64Array(x0.length);
  for (let i = 0; i < d.length; i++) d[i] = target[i] - x0[i];
  if (kind === 'linf') for (let i = 0; i < d.length; i++) d[i] = Math.sign(d[i]);
  const n = normOf(kind, d);
  const s = n > 0 ? r / n : 0;
  for (let i = 0; i < d.length; i++) d[i] *= s;
  return d;
}

/** The strong l_p minimal-radius attack at one point (see the module comment). */
export function strongMinNorm(obj: AttackObjective, x0: Float64Array, rng: Rng, options: Partial<StrongAttackOptions> = {}): RadiusResult {
  const o: StrongAttackOptions = { ...STRONG_DEFAULTS, ...options };
  requireReal('strong.rMax', o.rMax, { min: 0, minExclusive: true });
  requireInt('strong.bisections', o.bisections, 0);
  requireInt('strong.randomDirections', o.randomDirections, 0);
  const D = x0.length;
  const g = new Float64Array(D);
  obj.evaluate(x0, g);
  let evaluations = 1;
  if (obj.margin <= 0) return { radius: 0, delta: new Float64Array(D), evaluations };
  let best: RadiusResult = { radius: Infinity, delta: null, evaluations: 0 };
  const tryDirection = (u: Float64Array, sMax: number): void => {
    const s = minNormAlong(obj, x0, u, sMax, o.norm, { ...o.lineSearch, box: o.box });
    if (s < best.radius) {
      const n = normOf(o.norm, u);
      const d = new Float64Array(D);
      for (let i = 0; i < D; i++) d[i] = (s / n) * u[i];
      if (o.box) {
        const { lo, hi } = o.box;
        for (let i = 0; i < D; i++) d[i] = Math.min(typeof hi === 'number' ? hi : hi[i], Math.max(typeof lo === 'number' ? lo : lo[i], x0[i] + d[i])) - x0[i];
      }
      best = { radius: s, delta: d, evaluations: 0 };
    }
  };
  // Line searches: loss-ascent direction, targeted directions, random directions.
  tryDirection(g, o.rMax);
  for (const t of o.targets) tryDirection(targetedStart(o.norm, x0, t, 1), Math.min(o.rMax, best.radius));
  for (let k = 0; k < o.randomDirections; k++) {
    const u = new Float64Array(D);
    rng.fillNormal(u);
    tryDirection(u, Math.min(o.rMax, best.radius));
  }
  const apgdOpts: Partial<ApgdOptions> = { ...APGD_DEFAULTS, ...o.apgd, norm: o.norm, box: o.box };
  const attackAt = (r: number): AttackResult => {
    const starts = o.targets.map((t) => targetedStart(o.norm, x0, t, r));
    return apgd(obj, x0, r, rng, { ...apgdOpts, starts: [...(apgdOpts.starts ?? []), ...starts] });
  };
  if (!Number.isFinite(best.radius)) {
    const res = attackAt(o.rMax);
    evaluations += res.evaluations;
    if (!res.success) return { radius: Infinity, delta: null, evaluations };
    best = { radius: normOf(o.norm, res.delta), delta: res.delta, evaluations: 0 };
    tryDirection(res.delta, best.radius);
  }
  let lo = 0;
  for (let s = 0; s < o.bisections; s++) {
    const r = 0.5 * (lo + best.radius);
    const res = attackAt(r);
    evaluations += res.evaluations;
    if (res.success) {
      const n = normOf(o.norm, res.delta);
      if (n < best.radius) best = { radius: n, delta: res.delta, evaluations: 0 };
      tryDirection(res.delta, best.radius);
    } else {
      lo = r;
    }
  }
  return { ...best, evaluations };
}
