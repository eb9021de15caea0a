/**
 * Hot-loop counters for the events of T1-T4 (PAPER.md s.6): each returns how many of n fresh
 * samples show the probability the bound controls (q: the failure of T1/T3/T4, the surviving
 * attacked prediction of T2). A counter is rebuilt from a plain JSON spec, so a worker thread can
 * construct the same one (src/montecarlo/worker.ts). No allocation per sample.
 */
import type { Rng } from '../random/rng.ts';
import type { BoundParams } from '../bounds/theorem.ts';
import { THEOREMS, type TheoremId } from '../bounds/registry.ts';
import { validateParams, need } from '../bounds/theorem.ts';
import { drawClassSums, drawProjection } from './sampler.ts';
import { certifyRobustFp, reluPowFast, screenRobustFp } from '../bounds/robustFp.ts';
import { exactRobustFp } from '../bounds/robustExact.ts';
import { RobustFpDecider, ROBUST, UNSURE } from './robustFpDecide.ts';

export interface EventSpec {
  theorem: TheoremId;
  params: BoundParams;
  /**
   * 'fast' (default): the specialised sampler (class sums for T1/T2, fast paths for T4);
   * 'reference': the K-dim projection sampler with the theorem object's own predicate.
   */
  mode?: 'fast' | 'reference';
}

export interface Counter {
  (rng: Rng, n: number): number;
  /** T4 only: where its decisions were made, accumulated over calls. */
  t4?: T4PathStats;
}

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

/** Where the T4 decisions were made (for benchmarks and reports; not part of any result). */
export interface T4PathStats {
  samples: number;
  /** Left undecided by the cheap certificates of robustFp.ts (the old exact-path share). */
  undecided: number;
  /** Of those, answered by the reference solver because robustFpDecide.ts was unsure. */
  reference: number;
}

export interface T4Decision {
  /** The T4 event "exact l2 radius of y F^(p) at s > r" (T4's own predicate, same answer). */
  robust(s: Float64Array, y: number): boolean;
  readonly stats: T4PathStats;
  readonly decider: RobustFpDecider;
}

/**
 * T4's event decided fast: the same first step as the theorem's event (robustFpAt in
 * src/bounds/t4.ts: the cheap certificates of robustFp.ts), then, for the few samples they leave
 * undecided, the decision procedure of robustFpDecide.ts instead of the general branch and bound;
 * only when that one is unsure (radius within ~4e-6 of r, or its node cap) the reference solver
 * answers, so the decision equals the reference predicate sample by sample.
 */
export function makeT4Decision(params: BoundParams): T4Decision {
  const p = validateParams(THEOREMS.T4, params);
  const { K, K1 } = p;
  const pw = need(p, 'p'), r = (Math.SQRT2 - need(p, 'delta')) / 2;
  const work = new Float64Array(K);
  const decider = new RobustFpDecider(K, K1, pw, r);
  const stats: T4PathStats = { samples: 0, undecided: 0, reference: 0 };
  return {
    stats,
    decider,
    robust(s, y) {
      stats.samples++;
      if (screenRobustFp(s, y, K1, pw, r)) return true; // = certifyRobustFp's 'robust', cheaper
      const cert = certifyRobustFp(s, y, K1, pw, r, work);
      if (cert !== 'undecided') return cert === 'robust';
      stats.undecided++;
      const d = decider.decide(s, y);
      if (d !== UNSURE) return d === ROBUST;
      stats.reference++;
      return exactRobustFp(s, y, K1, pw, r);
    },
  };
}

function t4Counter(p: BoundParams): Counter {
  const sigma = p.alpha / Math.sqrt(p.D);
  const { K, K1 } = p;
  const s = new Float64Array(K);
  const t4 = makeT4Decision(p);
  const count: Counter = (rng, n) => {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const y = drawProjection(rng, K, K1, sigma, s);
      if (!t4.robust(s, y)) c++;
    }
    return c;
  };
  count.t4 = t4.stats;
  return count;
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
