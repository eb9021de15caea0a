/**
 * The probabilistic end of T4's proof skeleton (PAPER.md s.6), measured on one parameter point
 * per case with the exact projected sampler and exact CP intervals:
 *   q_T4 = P(not robust at r)                                  (exact event, Monte-Carlo)
 *     <= P(|z_k| + sum_{l other class} |z_l| >= delta/sqrt2)   (sufficient condition, Monte-Carlo)
 *     <= sum_j P(|z_j| >= delta/(sqrt2 K))                      (union; <= K terms, exact normal tails)
 *     <= 2K exp(-D delta^2/(4 alpha^2 K^2)) <= 2(K+1) exp(...)  (Chernoff; C = 1/2)
 * A step is refuted when the lower interval end of its left side exceeds its right side (or its
 * upper end, for two Monte-Carlo sides).
 */
import { Rng } from '../random/rng.ts';
import { clopperPearson } from '../stats/index.ts';
import { logNormalSf } from '../stats/index.ts';
import { drawProjectionCluster } from '../montecarlo/sampler.ts';
import { robustFpAt } from './t4.ts';
import type { StepResult } from './proofSteps.ts';

export interface T4StepCase {
  D: number; K: number; K1: number; alpha: number; p: number; delta: number;
}

export function t4UnionSteps(seed: number, cases: readonly T4StepCase[], n: number): StepResult {
  const rng = new Rng(seed);
  const rows: (number | string)[][] = [];
  let ok = true;
  for (const c of cases) {
    const sigma = c.alpha / Math.sqrt(c.D);
    const r = (Math.SQRT2 - c.delta) / 2;
    const s = new Float64Array(c.K);
    let notRobust = 0, sufficientFails = 0, inconsistent = 0;
    for (let i = 0; i < n; i++) {
      const z = drawProjectionCluster(rng, c.K, sigma, s);
      const y = z < c.K1 ? 1 : -1;
      let sum = Math.abs(s[z] - 1);
      for (let l = 0; l < c.K; l++) if ((y > 0) !== (l < c.K1)) sum += Math.abs(s[l]);
      const suff = sum < c.delta / Math.SQRT2;
      const rob = robustFpAt(s, y, c.K1, c.p, r);
      if (!rob) notRobust++;
      if (!suff) sufficientFails++;
      if (suff && !rob) inconsistent++;
    }
    const ciR = clopperPearson(notRobust, n), ciS = clopperPearson(sufficientFails, n);
    const m = Math.max(c.K1, c.K - c.K1);
    const terms = m + 1 <= c.K ? m + 1 : c.K;
    const union = terms * 2 * Math.exp(logNormalSf(c.delta / (Math.SQRT2 * c.K * sigma)));
    const chern = 2 * c.K * Math.exp(-(c.D * c.delta ** 2) / (4 * c.alpha ** 2 * c.K ** 2));
    const bound = 2 * (c.K + 1) * Math.exp(-(c.D * c.delta ** 2) / (4 * c.alpha ** 2 * c.K ** 2));
    const caseOk = inconsistent === 0 && ciS.lower <= union && union <= chern && chern <= bound;
    ok = ok && caseOk;
    rows.push([c.D, c.K, c.K1, c.alpha, c.p, c.delta, ciR.estimate, ciS.estimate, ciS.upper, union, chern, bound, inconsistent, caseOk ? 'ok' : 'FAILS']);
  }
  // Looseness of the union step, conservatively: union / (95% upper end of P(sufficient fails)).
  const loose = rows.map((r) => (r[9] as number) / (r[8] as number));
  const chernSlack = rows.map((r) => (r[10] as number) / (r[9] as number));
  return {
    verdict: ok ? 'holds' : 'violated',
    keyFigure: `${cases.length} points, ${n} samples each: ${ok ? 'every step holds' : 'a step FAILS'}; sufficient condition never true at a non-robust sample; ` +
      `the union step is the loose one (union / upper end of P(sufficient fails): median ${median(loose).toPrecision(3)}); Chernoff step factor median ${median(chernSlack).toPrecision(3)}; 2(K+1)/(2K) <= 1.5`,
    evidence: {
      n,
      columns: ['D', 'K', 'K1', 'alpha', 'p', 'delta', 'q_T4', 'P_suff_fails', 'P_suff_fails_hi95', 'union', 'chernoff_2K', 'bound_2(K+1)', 'suff_but_not_robust', 'status'],
      rows,
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

/**
 * Random cases where the union bound of the sufficient condition is in [0.01, 0.5] (so every
 * step's two sides are measurable by Monte-Carlo): alpha solved by bisection.
 */
export function t4StepCases(seed: number, count: number): T4StepCase[] {
  const rng = new Rng(seed);
  const out: T4StepCase[] = [];
  for (let i = 0; i < count; i++) {
    const K = 2 + rng.int(9);
    const K1 = 1 + rng.int(K - 1);
    const D = K + 10 + rng.int(390);
    const p = rng.uniform() < 0.5 ? 3 : 4;
    const delta = Number((0.1 + 1.2 * rng.uniform()).toPrecision(3));
    const target = Math.exp(Math.log(0.01) + Math.log(50) * rng.uniform());
    const m = Math.max(K1, K - K1);
    const terms = Math.min(m + 1, K);
    let lo = Math.log(1e-4), hi = Math.log(1e3);
    for (let it = 0; it < 80; it++) {
      const mid = 0.5 * (lo + hi);
      const sigma = Math.exp(mid) / Math.sqrt(D);
      const u = terms * 2 * Math.exp(logNormalSf(delta / (Math.SQRT2 * K * sigma)));
      if (u < target) lo = mid; else hi = mid;
    }
    out.push({ D, K, K1, alpha: Number(Math.exp(0.5 * (lo + hi)).toPrecision(4)), p, delta });
  }
  return out;
}
