/**
 * The extremal-vector finder of issue 3 (PAPER.md s.4): run the reduced alignment flow from many
 * random starts, merge the end points, name them (mubar_+, mubar_-, mu_k, 'inactive' or 'unnamed')
 * and classify each by the second-order test and the perturbation-return test of classify.ts.
 *
 * A direction is reported as attracting for the flow of sign s when the Hessian calls it a strict
 * local max (s = +1) or min (s = -1) AND every perturbed restart returns to it: the two tests are
 * independent (one local curvature at a finite-difference scale, one dynamical), and the finder
 * reports their agreement rather than trusting either alone.
 *
 * Escape continuation: at p <= 2 the continuous flow can end at a kink saddle from a set of starts of
 * positive measure (at p = 1 on noise-free clusters, a neuron whose start has <u, mu_k> < 0 for some
 * positive k never activates that cluster, so it ends at the average of the positive centres it
 * started correlated with; see flow.ts). Such a point is not attracting (perturbations to the other
 * side of the kink escape), and the escaped end points are themselves candidates: the finder adds them
 * (flagged `fromEscape`) and classifies them too, up to `maxDirections`, following escapes only from
 * saddles (from a degenerate flat set, as at p = 2, every perturbation "escapes" a little and nothing
 * is learned by following it).
 */
import type { Rng } from '../random/rng.ts';
import { uniformSphere } from '../random/sampling.ts';
import { requireInt, requireReal } from '../validate.ts';
import { classifySecondOrder, perturbationReturn, type HessianOptions, type SecondOrderResult, type PerturbationResult } from './classify.ts';
import { sphereFlow, type FlowOptions, type FlowResult, type FlowStop } from './flow.ts';
import { nameDirection, type DirectionName, type ReferenceDirection } from './naming.ts';
import type { SphereObjective } from './objective.ts';

export interface FinderOptions {
  sign: 1 | -1;
  rng: Rng;
  /** Random starts (uniform on the sphere). Default 64. */
  starts?: number;
  /** End points with cosine >= mergeCos are one direction. Default 0.999. */
  mergeCos?: number;
  /** Reference directions for naming (clusterReferences) and the cosine needed for a name. */
  references?: ReferenceDirection[];
  nameCos?: number;
  flow?: Omit<FlowOptions, 'sign'>;
  hessian?: Omit<HessianOptions, 'rng'>;
  perturbation?: { trials?: number; radius?: number; returnFraction?: number };
  /** Skip the (costly) classification of directions reached by fewer starts. Default 1. */
  minCountToClassify?: number;
  /** Cap on the number of distinct directions (random-start ends plus escapes). Default 200. */
  maxDirections?: number;
  /** Follow the escapes of perturbed restarts from saddles (see the module comment). Default true. */
  followEscapes?: boolean;
  /**
   * Also run the flow from each reference direction (after the random starts) and classify where it
   * ends. Random starts find a centre's basin only by chance (about 1/K of them each); probing the
   * named candidates makes "is mu_k attracting?" a question the classification answers for every k.
   * Default false.
   */
  probeReferences?: boolean;
}

export interface FoundDirection {
  u: Float64Array;
  /** G_p at u. */
  value: number;
  /** Number of starts whose flow ended here, and why those flows stopped. */
  count: number;
  reasons: Partial<Record<FlowStop, number>>;
  /** Largest end-point Riemannian gradient norm among the merged flows. */
  maxGradNorm: number;
  /** True when G ~ 0 (<= 1e-9 scale) with gradient ~ 0 (<= 1e-6 p scale): no active point, a dead neuron's flat region. */
  inactive: boolean;
  /** Found by escape continuation from a saddle rather than from a random start. */
  fromEscape: boolean;
  /** Found by the flow from a reference direction (probeReferences) rather than from a random start. */
  fromProbe: boolean;
  name: DirectionName;
  secondOrder: SecondOrderResult | null;
  perturbation: PerturbationResult | null;
  /** Strict extremum of the right kind for the sign by the Hessian and every perturbation returned. */
  attracting: boolean;
}

export interface FinderResult {
  sign: 1 | -1;
  starts: number;
  directions: FoundDirection[];
  /** Names of the attracting directions, sorted. */
  attractingNames: string[];
  /** Names of the attracting directions reached from at least one random start, sorted. */
  attractingFromStarts: string[];
  totalFlowSteps: number;
  totalEvaluations: number;
}

/** Run the finder on a sphere objective (reduced coordinates or a data set). */
export function findExtremalVectors(obj: SphereObjective, opts: FinderOptions): FinderResult {
  const starts = requireInt('starts', opts.starts ?? 64, 1);
  const mergeCos = requireReal('mergeCos', opts.mergeCos ?? 0.999, { min: -1, max: 1 });
  const minCount = requireInt('minCountToClassify', opts.minCountToClassify ?? 1, 1);
  const maxDirections = requireInt('maxDirections', opts.maxDirections ?? 200, 1);
  const followEscapes = opts.followEscapes ?? true;
  const d = obj.dim;
  const found: FoundDirection[] = [];
  let totalFlowSteps = 0;
  let totalEvaluations = 0;
  const g = new Float64Array(d);

  /** Merge an end point into the list; returns the direction it joined or created (or null: cap). */
  const record = (res: FlowResult, origin: 'start' | 'escape' | 'probe'): FoundDirection | null => {
    const fromEscape = origin !== 'start';
    for (const f of found) {
      let c = 0;
      for (let i = 0; i < d; i++) c += f.u[i] * res.u[i];
      if (c >= mergeCos) {
        if (fromEscape) return f;
        f.count++;
        f.reasons[res.reason] = (f.reasons[res.reason] ?? 0) + 1;
        f.maxGradNorm = Math.max(f.maxGradNorm, res.gradNorm);
        if (opts.sign * res.value > opts.sign * f.value) {
          f.u = res.u;
          f.value = res.value;
        }
        return f;
      }
    }
    if (found.length >= maxDirections) return null;
    const f: FoundDirection = {
      u: res.u,
      value: res.value,
      count: fromEscape ? 0 : 1,
      reasons: fromEscape ? {} : { [res.reason]: 1 },
      maxGradNorm: res.gradNorm,
      inactive: false,
      fromEscape: origin === 'escape',
      fromProbe: origin === 'probe',
      name: { name: 'unnamed', cosine: 0, nearest: '', top: [] },
      secondOrder: null,
      perturbation: null,
      attracting: false,
    };
    found.push(f);
    return f;
  };

  const u0 = new Float64Array(d);
  for (let s = 0; s < starts; s++) {
    uniformSphere(opts.rng, d, u0);
    const res = sphereFlow(obj, u0, { ...opts.flow, sign: opts.sign });
    totalFlowSteps += res.steps;
    totalEvaluations += res.evaluations;
    record(res, 'start');
  }
  found.sort((a, b) => b.count - a.count);
  if (opts.probeReferences) {
    for (const ref of opts.references ?? []) {
      const res = sphereFlow(obj, ref.vector, { ...opts.flow, sign: opts.sign });
      totalFlowSteps += res.steps;
      totalEvaluations += res.evaluations;
      record(res, 'probe');
    }
  }

  const wanted = opts.sign === 1 ? 'local max' : 'local min';
  for (let idx = 0; idx < found.length; idx++) {
    const f = found[idx];
    const value = obj.valueAndGrad(f.u, g);
    let gg = 0;
    for (let i = 0; i < d; i++) gg += g[i] * g[i];
    f.inactive = Math.abs(value) <= 1e-9 * obj.scale && Math.sqrt(gg) <= 1e-6 * obj.p * obj.scale;
    f.name = opts.references ? nameDirection(f.u, opts.references, opts.nameCos ?? 0.99) : { name: 'unnamed', cosine: 0, nearest: '', top: [] };
    if (f.inactive) f.name = { ...f.name, name: 'inactive' };
    if (f.count < minCount && !f.fromEscape && !f.fromProbe) continue;
    f.secondOrder = classifySecondOrder(obj, f.u, { ...opts.hessian, rng: opts.rng });
    f.perturbation = perturbationReturn(obj, f.u, { ...opts.perturbation, rng: opts.rng, sign: opts.sign, flow: opts.flow });
    f.attracting = f.secondOrder.kind === wanted && f.perturbation.attracting;
    if (followEscapes && f.secondOrder.kind === 'saddle') {
      for (const e of f.perturbation.escapes) {
        const res = sphereFlow(obj, e, { ...opts.flow, sign: opts.sign });
        record(res, 'escape');
      }
    }
  }
  const names = (fs: FoundDirection[]) => [...new Set(fs.map((f) => f.name.name))].sort();
  const attractingNames = names(found.filter((f) => f.attracting));
  const attractingFromStarts = names(found.filter((f) => f.attracting && f.count > 0));
  return { sign: opts.sign, starts, directions: found, attractingNames, attractingFromStarts, totalFlowSteps, totalEvaluations };
}
