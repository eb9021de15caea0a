/**
 * Names for directions found by the extremal finder: the paper's candidates mubar_+, mubar_-
 * (PAPER.md s.1) and the single centres mu_k (s.4), matched by cosine.
 */
import { ConfigError, requireInt, requireReal } from '../validate.ts';

export interface ReferenceDirection {
  name: string;
  /** Unit vector in the objective's coordinates. */
  vector: Float64Array;
}

/**
 * [mubar_+, mubar_-, mu_1..mu_K] for K orthonormal centres given as the rows of a K x d matrix
 * (d = K with the identity for the reduced coordinates of `clusterObjective`). Names are 1-based as
 * in the paper: mu_1..mu_K1 positive.
 */
export function clusterReferences(K: number, K1: number, centres?: Float64Array, d = K): ReferenceDirection[] {
  requireInt('K', K, 2);
  requireInt('K1', K1, 1, K - 1);
  const M = centres ?? Float64Array.from({ length: K * K }, (_, i) => (Math.floor(i / K) === i % K ? 1 : 0));
  if (M.length !== K * d) throw new ConfigError('centres.length', M.length, `K * d = ${K * d}`);
  const avg = (lo: number, hi: number): Float64Array => {
    const v = new Float64Array(d);
    for (let k = lo; k < hi; k++) for (let j = 0; j < d; j++) v[j] += M[k * d + j];
    const s = 1 / Math.sqrt(hi - lo);
    for (let j = 0; j < d; j++) v[j] *= s;
    return v;
  };
  const refs: ReferenceDirection[] = [
    { name: 'mubar_+', vector: avg(0, K1) },
    { name: 'mubar_-', vector: avg(K1, K) },
  ];
  for (let k = 0; k < K; k++) refs.push({ name: `mu_${k + 1}`, vector: M.slice(k * d, (k + 1) * d) });
  return refs;
}

export interface DirectionName {
  /** A reference name, or 'unnamed'. */
  name: string;
  /** Cosine with the best-matching reference. */
  cosine: number;
  /** The best-matching reference even when below the threshold. */
  nearest: string;
  /** For unnamed directions: the largest coordinates along the references' basis (index, value). */
  top: { name: string; cosine: number }[];
}

/** Name u (unit) after the reference with the largest cosine if that cosine is >= minCos. */
export function nameDirection(u: Float64Array, refs: ReferenceDirection[], minCos = 0.99, topCount = 4): DirectionName {
  requireReal('minCos', minCos, { min: -1, max: 1 });
  const scored = refs.map((r) => {
    let c = 0;
    for (let i = 0; i < u.length; i++) c += u[i] * r.vector[i];
    return { name: r.name, cosine: c };
  });
  scored.sort((a, b) => b.cosine - a.cosine);
  const best = scored[0];
  const named = best !== undefined && best.cosine >= minCos;
  return {
    name: named ? best.name : 'unnamed',
    cosine: best?.cosine ?? 0,
    nearest: best?.name ?? '',
    top: named ? [] : [...scored].sort((a, b) => Math.abs(b.cosine) - Math.abs(a.cosine)).slice(0, topCount),
  };
}
