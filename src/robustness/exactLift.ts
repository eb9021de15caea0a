/**
 * Exact radii at full inputs x in R^D (PAPER.md s.5 "Reduction"): F and F^(p) depend on x only
 * through s = M x (M the K x D matrix of orthonormal centres), and a perturbation's component
 * orthogonal to span{mu_k} changes nothing while adding to its norm, so the minimal attack is
 * d = M^T delta with delta the minimal attack in the K-dim reduction, and ||d|| = ||delta||
 * (the rows of M are orthonormal).
 */
import type { OrthonormalMixture } from '../data/index.ts';
import { ConfigError } from '../validate.ts';
import { radiusF, witnessF, type Label } from './exactF.ts';
import { radiusFp, type FpBracket } from './exactFp.ts';

/** d = M^T delta in R^D for a K-dim perturbation delta. */
export function liftPerturbation(delta: ArrayLike<number>, centres: Float64Array, D: number): Float64Array {
  const K = delta.length;
  if (centres.length !== K * D) throw new ConfigError('centres', centres.length, `a K x D array of length ${K * D}`);
  const d = new Float64Array(D);
  for (let k = 0; k < K; k++) {
    const c = delta[k];
    if (c === 0) continue;
    for (let i = 0; i < D; i++) d[i] += c * centres[k * D + i];
  }
  return d;
}

function projectOne(x: Float64Array, mix: OrthonormalMixture): Float64Array {
  if (x.length !== mix.D) throw new ConfigError('x.length', x.length, `the mixture dimension D = ${mix.D}`);
  return mix.project(x, 1);
}

/** Exact radius of F at a full input and a minimal perturbation in R^D. */
export function radiusFAtInput(x: Float64Array, y: Label, mix: OrthonormalMixture): { radius: number; witness: Float64Array } {
  const s = projectOne(x, mix);
  return { radius: radiusF(s, y, mix.K1), witness: liftPerturbation(witnessF(s, y, mix.K1), mix.centres, mix.D) };
}

/** Certified bracket of F^(p) at a full input, with the witness lifted to R^D. */
export function radiusFpAtInput(x: Float64Array, y: Label, p: number, mix: OrthonormalMixture): FpBracket {
  const b = radiusFp(projectOne(x, mix), y, mix.K1, p);
  return { ...b, witness: liftPerturbation(b.witness, mix.centres, mix.D) };
}
