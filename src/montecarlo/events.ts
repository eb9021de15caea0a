/**
 * Hot-loop counters for the events of T1-T4 (PAPER.md s.6): each returns how many of n fresh
 * samples show the probability the bound controls (q: the failure of T1/T3/T4, the surviving
 * attacked prediction of T2). A counter is rebuilt from a plain JSON spec, so a worker thread can
 * construct the same one (src/montecarlo/worker.ts). No allocation per sample.
 */
import type { Rng } from '../random/rng.ts';
import type { BoundParams } from '../bounds/theorem.ts';
import { THEOREMS, type TheoremId } from '../bounds/registry.ts';
import { validateParams } from '../bounds/theorem.ts';
import { drawClassSums, drawProjection } from './sampler.ts';
import { reluPowFast } from '../bounds/robustFp.ts';

export interface EventSpec {
  theorem: TheoremId;
  params: BoundParams;
  /**
   * 'fast' (default): the specialised sampler (class sums for T1/T2, fast paths for T4);
   * 'reference': the K-dim projection sampler with the theorem object's own predicate.
   */
  mode?: 'fast' | 'reference';
}

export type Counter = (rng: Rng, n: number) => number;

function referenceCounter(spec: EventSpec): Counter {
  const thm = THEOREMS[spec.theorem];
  const p = validateParams(thm, spec.params);
  const { K, K1 } = p;
  const sigma = p.alpha / Math.sqrt(p.D);
  const s = new Float64Array(K);
  const full = p as Required<Pick<BoundParams, 'D' | 'K' | 'K1' | 'alpha'>> & BoundParams;
  const failure = thm.controlled === 'failure';
  return (rng, n) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = drawProjection(rng, K, K1, sigma, s);
      if (thm.event(s, y, full) !== failure) c++;
    }
    return c;
  };
}

function t1Counter(p: BoundParams): Counter {
  const sigma = p.alpha / Math.sqrt(p.D);
  const sums = new Float64Array(2);
  return (rng, n) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = drawClassSums(rng, p.K, p.K1, sigma, sums);
      const f = Math.max(sums[0], 0) - Math.max(sums[1], 0);
      if (!(f * y > 0)) c++;
    }
    return c;
  };
}

function t2Counter(p: BoundParams): Counter {
  const sigma = p.alpha / Math.sqrt(p.D);
  const sums = new Float64Array(2);
  const rho = p.rho as number;
  const shift = (1 + rho) / p.K; // r <d0, mu_k> = ((1 + rho)/sqrt K)(1/sqrt K)
  const sp = shift * p.K1, sn = shift * (p.K - p.K1);
  return (rng, n) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = drawClassSums(rng, p.K, p.K1, sigma, sums);
      const f = Math.max(sums[0] - y * sp, 0) - Math.max(sums[1] + y * sn, 0);
      if (f * y > 0) c++;
    }
    return c;
  };
}


function t3Counter(p: BoundParams): Counter {
  const sigma = p.alpha / Math.sqrt(p.D);
  const { K, K1 } = p;
  const pw = p.p as number;
  const s = new Float64Array(K);
  return (rng, n) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = drawProjection(rng, K, K1, sigma, s);
      let f = 0;
      for (let k = 0; k < K; k++) {
        const v = reluPowFast(s[k], pw);
        f += k < K1 ? v : -v;
      }
      if (!(f * y > 0)) c++;
    }
    return c;
  };
}

function t4Counter(p: BoundParams): Counter {
  const thm = THEOREMS.T4;
  const sigma = p.alpha / Math.sqrt(p.D);
  const { K, K1 } = p;
  const s = new Float64Array(K);
  const full = p as Required<Pick<BoundParams, 'D' | 'K' | 'K1' | 'alpha'>> & BoundParams;
  return (rng, n) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = drawProjection(rng, K, K1, sigma, s);
      if (!thm.event(s, y, full)) c++;
    }
    return c;
  };
}

/** Build the counter for a spec (validates the parameters against the theorem's hypotheses). */
export function makeCounter(spec: EventSpec): Counter {
  if (spec.mode === 'reference') return referenceCounter(spec);
  const p = validateParams(THEOREMS[spec.theorem], spec.params);
  switch (spec.theorem) {
    case 'T1': return t1Counter(p);
    case 'T2': return t2Counter(p);
    case 'T3': return t3Counter(p);
    case 'T4': return t4Counter(p);
  }
}
