/**
 * The mixture training problems the dynamics proofs-checks share (PAPER.md sections 1 and 8):
 * data from the orthonormal mixture, a Gaussian N(0, init^2) initialisation as in the authors'
 * experiments, mean exp loss, and the reference directions for the cosine diagnostics.
 */
import { OrthonormalMixture } from '../../data/mixture.ts';
import { Rng } from '../../random/rng.ts';
import { createNet } from '../../network/create.ts';
import type { LossOptions, PReluNet } from '../../network/types.ts';
import { mixtureReferences } from '../../diagnostics/neurons.ts';
import type { References } from '../../diagnostics/neurons.ts';
import type { DataSet } from '../../diagnostics/savepoint.ts';
import { requireInt, requireKnownKeys, requireReal } from '../../validate.ts';

export interface MixtureProblemSpec {
  D: number;
  K: number;
  K1: number;
  n: number;
  h: number;
  alpha: number;
  init: number;
  p: number;
}

export interface MixtureProblem {
  spec: MixtureProblemSpec;
  mix: OrthonormalMixture;
  data: DataSet;
  net: PReluNet;
  refs: References;
  loss: LossOptions;
}

export const SPEC_KEYS = ['D', 'K', 'K1', 'n', 'h', 'alpha', 'init', 'p'] as const;

/** Overlay validated config values on a default spec (unknown keys are named in the error). */
export function specWith(base: MixtureProblemSpec, over: Record<string, unknown>, extraKeys: readonly string[] = []): MixtureProblemSpec {
  requireKnownKeys('', over, [...SPEC_KEYS, ...extraKeys]);
  const s = { ...base };
  if (over.D !== undefined) s.D = requireInt('D', over.D, 2, 100000);
  if (over.K !== undefined) s.K = requireInt('K', over.K, 2, s.D);
  if (over.K1 !== undefined) s.K1 = requireInt('K1', over.K1, 1, s.K - 1);
  if (over.n !== undefined) s.n = requireInt('n', over.n, 2, 10_000_000);
  if (over.h !== undefined) s.h = requireInt('h', over.h, 1, 100000);
  if (over.alpha !== undefined) s.alpha = requireReal('alpha', over.alpha, { min: 0 });
  if (over.init !== undefined) s.init = requireReal('init', over.init, { min: 0, minExclusive: true });
  if (over.p !== undefined) s.p = requireReal('p', over.p, { min: 1 });
  return s;
}

/** Build data (iid cluster draws, canonical frame as in the authors' code) and the initial net. */
export function mixtureProblem(spec: MixtureProblemSpec, seed: number): MixtureProblem {
  const rng = new Rng(seed);
  const mix = new OrthonormalMixture({ D: spec.D, K: spec.K, K1: spec.K1, alpha: spec.alpha });
  const data = mix.sample(spec.n, rng);
  const net = createNet({ D: spec.D, h: spec.h, p: spec.p, init: 'gaussian', scale: spec.init }, rng);
  return { spec, mix, data, net, refs: mixtureReferences(mix), loss: { loss: 'exp', reduction: 'mean' } };
}
