/**
 * The authors' l2 PGD (PAPER.md s.8): start at the clean point (delta = 0), step
 * delta <- Proj_{||delta|| <= r}(delta + eta * grad / ||grad||) on the loss exp(-y f(x + delta)),
 * eta = 0.1, 2000 iterations. PAPER.md s.8/s.9: from the clean point a pReLU net gives almost no
 * gradient toward inactive other-class neurons, so this attack under-attacks; it is kept verbatim so
 * the report can show the gap against the strong attack.
 *
 * The loss is handled as log exp(-z) = -z (see model.ts): identical normalised steps, no underflow.
 */
import { projectBall, normOf, requireInBox, steepestDirection, type Box } from './ball.ts';
import type { AttackObjective } from './model.ts';
import { requireInt, requireReal } from '../validate.ts';

/** Outcome of one attack run at a fixed radius. */
export interface AttackResult {
  /** The first flipping perturbation found, else the highest-loss one. */
  delta: Float64Array;
  /** True iff margin(x0 + delta) <= 0. */
  success: boolean;
  margin: number;
  /** Size of delta in the attack's norm. */
  norm: number;
  /** Objective evaluations used. */
  evaluations: number;
}

export interface PgdOptions {
  steps: number;
  stepSize: number;
  /** Stop at the first flipping iterate (the verdict is the same; saves time). */
  earlyStop: boolean;
  /** Starting perturbation (default: zero, the authors' choice). It is projected first. */
  start?: Float64Array;
  box?: Box;
}

export const AUTHORS_PGD: PgdOptions = { steps: 2000, stepSize: 0.1, earlyStop: true };

/** The authors' normalised-gradient l2 PGD at radius r around x0. */
export function pgdL2(obj: AttackObjective, x0: Float64Array, r: number, options: Partial<PgdOptions> = {}): AttackResult {
  const o = { ...AUTHORS_PGD, ...options };
  requireInt('pgd.steps', o.steps, 0);
  requireReal('pgd.stepSize', o.stepSize, { min: 0, minExclusive: true });
  requireReal('radius', r, { min: 0 });
  requireInBox(x0, o.box);
  const D = obj.dim;
  const delta = o.start ? Float64Array.from(o.start) : new Float64Array(D);
  projectBall('l2', x0, delta, r, o.box);
  const x = new Float64Array(D);
  const g = new Float64Array(D);
  const dir = new Float64Array(D);
  const best = Float64Array.from(delta);
  let bestLoss = -Infinity;
  let bestMargin = Infinity;
  let evaluations = 0;
  for (let t = 0; ; t++) {
    for (let i = 0; i < D; i++) x[i] = x0[i] + delta[i];
    const loss = obj.evaluate(x, g);
    evaluations++;
    const margin = obj.margin;
    if (margin <= 0 && !(bestMargin <= 0)) {
      best.set(delta);
      bestLoss = loss;
      bestMargin = margin;
      if (o.earlyStop) break;
    } else if (!(bestMargin <= 0) && loss > bestLoss) {
      best.set(delta);
      bestLoss = loss;
      bestMargin = margin;
    }
    if (t >= o.steps) break;
    steepestDirection('l2', g, dir);
    for (let i = 0; i < D; i++) delta[i] += o.stepSize * dir[i];
    projectBall('l2', x0, delta, r, o.box);
  }
  return { delta: best, success: bestMargin <= 0, margin: bestMargin, norm: normOf('l2', best), evaluations };
}
