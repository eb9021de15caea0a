/**
 * Length of the alignment phase against the initial scale (PAPER.md section 4: Theta(log(1/init))).
 *
 * Definition used: the end of the alignment phase is the first time the largest neuron norm
 * max_j ||w_j|| reaches a fixed threshold (default 0.1, far above every init tried and far below
 * the O(1) norms of the fitting phase). Between accepted steps the crossing time is found by
 * interpolating log max_j ||w_j|| linearly in t (norms grow exponentially in this phase).
 *
 * Prediction: while f ~ 0 the direction dynamics do not depend on the scale (the net is
 * 2-homogeneous) and norms grow like exp(c t) once aligned, so T(init) = const + log(1/init) / c
 * with c the growth rate of the fastest attracting direction: for mean exp loss
 * c = |G_p(u)| / n with G_p(u) = sum_i y_i relu(<x_i, u>)^p maximised (or minimised) over the
 * attracting directions of section 4 (u = mubar_+- for p = 1, u = mu_k for p > 2), evaluated on the
 * training data.
 */
import { GradientFlowTerm } from '../formulation.ts';
import { integrate } from '../solver/integrate.ts';
import { mixtureProblem } from './problem.ts';
import type { MixtureProblemSpec } from './problem.ts';
import { fitLine } from './fit.ts';
import type { LineFit } from './fit.ts';
import { neuronNorms } from '../../diagnostics/neurons.ts';
import type { DataSet } from '../../diagnostics/savepoint.ts';

/** G_p(u)/n on the data for a unit direction u (PAPER.md section 4). */
export function growthRate(data: DataSet, D: number, u: Float64Array, p: number): number {
  let s = 0;
  for (let i = 0; i < data.n; i++) {
    let d = 0;
    for (let k = 0; k < D; k++) d += data.X[i * D + k] * u[k];
    if (d > 0) s += data.y[i] * Math.pow(d, p);
  }
  return s / data.n;
}

export interface PhaseRow {
  init: number;
  tAlign: number;
  steps: number;
  reason: string;
}

export interface PhaseLength {
  p: number;
  threshold: number;
  rows: PhaseRow[];
  fit: LineFit;
  predictedSlope: number;
  /** slope x c: 1 when the prediction is exact. */
  slopeRatio: number;
}

export function phaseLength(spec: MixtureProblemSpec, seed: number, inits: number[], threshold: number, rtol: number): PhaseLength {
  const rows: PhaseRow[] = [];
  let c = 0;
  for (const init of inits) {
    // Same data and the same initial directions for every init (same seed): only the scale changes.
    const prob = mixtureProblem({ ...spec, init }, seed);
    if (rows.length === 0) {
      const { mix } = prob;
      const dirs = spec.p < 2 ? [mix.classAverage(1), mix.classAverage(-1)] : Array.from({ length: mix.K }, (_, k) => mix.centre(k));
      for (const u of dirs) c = Math.max(c, Math.abs(growthRate(prob.data, spec.D, u, spec.p)));
    }
    const term = new GradientFlowTerm(prob.net, prob.data, prob.loss, 'polar');
    const y0 = term.encode(prob.net);
    const theta = new Float64Array(term.theta.length);
    const view = { ...prob.net, W: theta.subarray(0, spec.h * spec.D), v: theta.subarray(spec.h * spec.D, spec.h * spec.D + spec.h) };
    const norms = new Float64Array(spec.h);
    const maxNormAt = (y: Float64Array): number => {
      term.decode(y, theta);
      neuronNorms(view, norms);
      let m = 0;
      for (let j = 0; j < spec.h; j++) m = Math.max(m, norms[j]);
      return m;
    };
    let prevT = 0, prevN = maxNormAt(y0), tCross = NaN;
    const res = integrate({
      term,
      solver: 'dopri5',
      t0: 0,
      t1: 1e6,
      y0,
      controller: { rtol, atol: rtol },
      maxSteps: 100000,
      stopWhen: (t, y) => {
        const m = maxNormAt(y);
        if (m >= threshold) {
          const a = Math.log(prevN), b = Math.log(m);
          tCross = prevT + ((Math.log(threshold) - a) / (b - a)) * (t - prevT);
          return true;
        }
        prevT = t;
        prevN = m;
        return false;
      },
    });
    rows.push({ init, tAlign: tCross, steps: res.steps, reason: res.reason });
  }
  const ok = rows.filter((r) => Number.isFinite(r.tAlign));
  const fit = ok.length >= 2 ? fitLine(ok.map((r) => Math.log(1 / r.init)), ok.map((r) => r.tAlign)) : { intercept: NaN, slope: NaN, r2: NaN };
  return { p: spec.p, threshold, rows, fit, predictedSlope: 1 / c, slopeRatio: fit.slope * c };
}
