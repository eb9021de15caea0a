/**
 * One typed object per probability statement of PAPER.md s.6 (T1-T4), written the way the paper
 * writes it: hypotheses (parameter ranges, validated with ConfigError), the exact event on one
 * projected sample (PAPER.md s.1: classifiers built from the centres see x only through
 * s_k = <x, mu_k>), and the bound as a mathjs expression in C, D, K, K1, alpha, rho, delta, p.
 *
 * Every bound has the same shape: some probability q (the failure probability 1 - P(event) for
 * the lower bounds T1, T3, T4; P(event) itself for the upper bound T2) is at most a tail
 * expression decreasing in C. `controlled` says which; `tailExpr` is that upper bound on q.
 */
import { requireInt, requireKnownKeys, requireReal, ConfigError } from '../validate.ts';

export interface BoundParams {
  D: number;
  K: number;
  K1: number;
  alpha: number;
  /** Attack excess of T2 (radius (1 + rho)/sqrt(K)). */
  rho?: number;
  /** Radius deficit of T4 (radius (sqrt2 - delta)/2). */
  delta?: number;
  /** pReLU power of T3/T4. */
  p?: number;
}

export type ParamName = keyof BoundParams;

export interface ParamSpec {
  name: ParamName;
  kind: 'int' | 'real';
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Why this range: the theorem's hypothesis. */
  note: string;
}

export interface Theorem {
  id: string;
  title: string;
  /** [paper] / [derived] source, PAPER.md section. */
  source: string;
  /** The claim in words, as the paper states it. */
  statement: string;
  /** Hypotheses: every parameter the event and bound use, with its allowed range. */
  params: readonly ParamSpec[];
  /** The paper's bound on P(event) as a mathjs expression, with the relation to P(event). */
  boundExpr: string;
  relation: '>=' | '<=';
  /** q = 1 - P(event) ('failure') or q = P(event) ('event'); the bound says q <= tailExpr. */
  controlled: 'failure' | 'event';
  tailExpr: string;
  /** C solved from q = tailExpr, written by hand and confirmed by mathjs (bounds.test.ts). */
  cSolutionExpr: string;
  /** The candidate explicit constant (PAPER.md s.6) or null when open. */
  candidateC: number | null;
  candidateNote: string;
  /**
   * The exact event on one projected sample s (length K, s_k = <x, mu_k>) with label y.
   * Returns true when the event of the statement (e.g. F(x) y > 0) happens.
   */
  event(s: Float64Array, y: number, p: Required<Pick<BoundParams, 'D' | 'K' | 'K1' | 'alpha'>> & BoundParams): boolean;
}

/** Validate a parameter point against a theorem's hypotheses (names the field and range on error). */
export function validateParams(thm: Theorem, raw: unknown): BoundParams {
  const o = requireKnownKeys(thm.id, raw, thm.params.map((s) => s.name));
  const out: Record<string, number> = {};
  // K first: the ranges of D and K1 depend on it.
  const order = [...thm.params].sort((a, b) => (a.name === 'K' ? -1 : b.name === 'K' ? 1 : 0));
  for (const spec of order) {
    const v = o[spec.name];
    let max = spec.max;
    let min = spec.min;
    if (spec.name === 'K1') max = Math.min(max, out.K - 1);
    if (spec.name === 'D') min = Math.max(min, out.K);
    if (spec.kind === 'int') out[spec.name] = requireInt(spec.name, v, min, max);
    else out[spec.name] = requireReal(spec.name, v, { min, max, minExclusive: spec.minExclusive, maxExclusive: spec.maxExclusive });
  }
  return out as unknown as BoundParams;
}

/** The shared hypotheses on the mixture (PAPER.md s.1): D >= K >= 2, 1 <= K1 <= K - 1, alpha > 0. */
export const MIXTURE_PARAMS: readonly ParamSpec[] = [
  { name: 'K', kind: 'int', min: 2, max: 1000, note: 'number of clusters, at least one per class' },
  { name: 'D', kind: 'int', min: 2, max: 1e7, note: 'ambient dimension, D >= K so K orthonormal centres exist' },
  { name: 'K1', kind: 'int', min: 1, max: 999, note: 'positive clusters, 1 <= K1 <= K - 1' },
  { name: 'alpha', kind: 'real', min: 0, max: 1e3, minExclusive: true, note: 'noise level, eps ~ N(0, alpha^2/D I)' },
];

/** The projections a theorem's event needs, as plain numbers (throws if a parameter is absent). */
export function need(p: BoundParams, name: ParamName): number {
  const v = p[name];
  if (v === undefined) throw new ConfigError(name, v, 'a value (this statement needs it)');
  return v;
}
