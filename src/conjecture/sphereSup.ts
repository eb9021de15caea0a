/**
 * sup_{||x|| = 1} |c f(x) - F(x)| for a fixed c (the inner problem of dist(f, F), PAPER.md s.7), by
 * multi-start Riemannian ascent on the sphere.
 *
 * |c f - F| is maximised as the larger of the maxima of phi_+ = c f - F and phi_- = F - c f, each by
 * the retracted Armijo ascent of src/extremal/flow.ts (which also handles the kinks of ReLU nets by
 * its gradient bundle). Every start is run for both signs. The result is a lower estimate of the sup
 * (a local search can miss the global maximum); the caller turns it into evidence by reporting the
 * number of starts and the point attaining it.
 */
import { uniformSphere } from '../random/sampling.ts';
import type { Rng } from '../random/rng.ts';
import { sphereFlow, type FlowOptions } from '../extremal/flow.ts';
import type { SphereObjective } from '../extremal/objective.ts';
import { ConfigError, requireInt, requireReal } from '../validate.ts';
import type { ScalarFn } from './scalarFn.ts';

/** phi(x) = sigma (c f(x) - F(x)) as a sphere objective for the ascent. */
export class GapObjective implements SphereObjective {
  readonly dim: number;
  readonly p: number;
  scale: number;
  c = 1;
  sigma: 1 | -1 = 1;
  private readonly gf: Float64Array;
  private readonly gF: Float64Array;

  constructor(readonly f: ScalarFn, readonly F: ScalarFn, degree = 1) {
    if (f.dim !== F.dim) throw new ConfigError('f.dim', f.dim, `equal to F.dim = ${F.dim}`);
    this.dim = f.dim;
    this.p = requireReal('degree', degree, { min: 0, minExclusive: true });
    this.scale = 1;
    this.gf = new Float64Array(this.dim);
    this.gF = new Float64Array(this.dim);
  }

  /** f(x) and F(x) without gradients' use (for the cutting-plane model). */
  pair(x: Float64Array): [number, number] {
    return [this.f.valueAndGrad(x, this.gf), this.F.valueAndGrad(x, this.gF)];
  }

  valueAndGrad(x: Float64Array, g: Float64Array): number {
    const a = this.f.valueAndGrad(x, this.gf);
    const b = this.F.valueAndGrad(x, this.gF);
    const { c, sigma } = this;
    for (let i = 0; i < this.dim; i++) g[i] = sigma * (c * this.gf[i] - this.gF[i]);
    return sigma * (c * a - b);
  }
}

export interface SupOptions {
  /** Starting points (any norm; normalised by the ascent). */
  starts: Float64Array[];
  /**
   * Ascent options; default maxSteps 200 and minAngle 1e-10 (measured on a ReLU net, h = 40, D = 100:
   * the same dist to 1e-8 relative as maxSteps 400 / minAngle 1e-14, at 40% of the cost: the failing
   * line searches at kinks are what costs).
   */
  flow?: Omit<FlowOptions, 'sign'>;
}

export interface SupEndpoint {
  x: Float64Array;
  /** |c f(x) - F(x)| at the end point. */
  gap: number;
  f: number;
  F: number;
}

export interface SupResult {
  c: number;
  /** Largest |c f - F| found. */
  value: number;
  x: Float64Array;
  /** Every end point (both signs, every start), for the cutting-plane model of dist. */
  endpoints: SupEndpoint[];
  starts: number;
  flowSteps: number;
  evaluations: number;
}

/** Multi-start ascent of |c f - F| on the unit sphere of R^dim. */
export function supOnSphere(obj: GapObjective, c: number, opts: SupOptions): SupResult {
  requireReal('c', c, { min: 0 });
  if (opts.starts.length === 0) throw new ConfigError('starts', 0, 'at least one starting point');
  obj.c = c;
  // Tolerance scale: the size of |c f| + |F| at the starts (>= |phi| there).
  let scale = 0;
  for (const x of opts.starts) {
    const [a, b] = obj.pair(x);
    scale = Math.max(scale, Math.abs(c * a) + Math.abs(b));
  }
  obj.scale = Math.max(scale, 1e-300);
  const flow = { maxSteps: 200, minAngle: 1e-10, ...opts.flow };
  const endpoints: SupEndpoint[] = [];
  let best: SupEndpoint | null = null;
  let flowSteps = 0;
  let evaluations = 0;
  for (const x0 of opts.starts) {
    for (const sigma of [1, -1] as const) {
      obj.sigma = sigma;
      const r = sphereFlow(obj, x0, { ...flow, sign: 1 });
      flowSteps += r.steps;
      evaluations += r.evaluations;
      const [a, b] = obj.pair(r.u);
      const e: SupEndpoint = { x: r.u, gap: Math.abs(c * a - b), f: a, F: b };
      if (!Number.isFinite(e.gap)) continue;
      endpoints.push(e);
      if (best === null || e.gap > best.gap) best = e;
    }
  }
  if (best === null) throw new Error('supOnSphere: every ascent ended non-finite');
  return { c, value: best.gap, x: best.x, endpoints, starts: opts.starts.length, flowSteps, evaluations };
}

/** n uniform random points on the sphere of R^d. */
export function randomStarts(rng: Rng, n: number, d: number): Float64Array[] {
  requireInt('starts', n, 0);
  return Array.from({ length: n }, () => uniformSphere(rng, d));
}
