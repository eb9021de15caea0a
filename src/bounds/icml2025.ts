/**
 * The two ICML 2025 statements PAPER.md s.5 gives, as typed objects like T1-T4 (no constant C):
 *
 * - Prop. 1 (optimality): no classifier defends radius sqrt2/2 with accuracy above
 *   1 - min(K1, K2)/K. Why, for any noise: pair each cluster j of the smaller class with a
 *   cluster k of the other; x -> x + (mu_k - mu_j) maps cluster j's distribution onto cluster k's,
 *   and the midpoint of x and its image is within sqrt2/2 of both, so at most one of the pair is
 *   robustly correct. Event here: F^(p) (p >= 2) robust at radius sqrt2/2 (exact, B1's solver).
 * - Bayes: f* (PAPER.md s.5) maximises the accuracy P(y g(x) > 0) over all classifiers g; in
 *   particular acc(f*) >= acc(F) and acc(f*) >= acc(F^(p)). Event here: f* correct; the
 *   comparison events are F and F^(p) correct on the same sample.
 */
import { MIXTURE_PARAMS, need, type BoundParams, type ParamSpec } from './theorem.ts';
import { bayesSign, preluF, reluF } from './classifiers.ts';
import { robustFpAt } from './t4.ts';
import { math } from './compile.ts';

export interface Statement {
  id: string;
  title: string;
  source: string;
  statement: string;
  params: readonly ParamSpec[];
  /** The bound on P(event) as a mathjs expression (no constant), or null for a comparison. */
  boundExpr: string | null;
  relation: '<=' | '>=';
  event(s: Float64Array, y: number, p: BoundParams): boolean;
}

export const PROP1_OPTIMALITY: Statement = {
  id: 'prop1-optimality',
  title: 'ICML 2025 Prop. 1: no classifier is robust at radius sqrt2/2 with accuracy above 1 - min(K1,K2)/K',
  source: '[paper] Min & Vidal ICML 2025, Prop. 1; PAPER.md s.5',
  statement: 'For every classifier g: P(min_{||d|| <= sqrt2/2} y g(x + d) > 0) <= 1 - min(K1, K - K1)/K.',
  params: [...MIXTURE_PARAMS, { name: 'p', kind: 'real', min: 2, max: 50, note: 'power of the F^(p) whose robust accuracy is measured' }],
  boundExpr: '1 - min(K1, K - K1) / K',
  relation: '<=',
  event: (s, y, p) => robustFpAt(s, y, p.K1, need(p, 'p'), Math.SQRT1_2),
};

export const BAYES_OPTIMAL: Statement = {
  id: 'bayes-optimal',
  title: 'ICML 2025: the Bayes classifier f* has the largest accuracy (above F and F^(p))',
  source: '[paper] Min & Vidal ICML 2025; f* as in PAPER.md s.5',
  statement: 'P(f*(x) y > 0) >= P(g(x) y > 0) for every classifier g, in particular g = F and g = F^(p).',
  params: [...MIXTURE_PARAMS, { name: 'p', kind: 'real', min: 1, max: 50, note: 'power of the compared F^(p)' }],
  boundExpr: null,
  relation: '>=',
  event: (s, y, p) => bayesSign(s, p.K1, p.D, p.alpha) * y > 0,
};

/** The comparison events of the Bayes statement on the same sample: [F correct, F^(p) correct]. */
export function bayesCompared(s: Float64Array, y: number, p: BoundParams): [boolean, boolean] {
  return [reluF(s, p.K1) * y > 0, preluF(s, p.K1, need(p, 'p')) * y > 0];
}

/** Prop. 1's bound at a parameter point, evaluated by mathjs. */
export function prop1Bound(K: number, K1: number): number {
  return math.evaluate(PROP1_OPTIMALITY.boundExpr as string, { K, K1 }) as number;
}
