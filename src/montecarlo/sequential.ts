/**
 * Sequential Monte-Carlo estimation of a probability q against a threshold b (a bound's value).
 *
 * Stopping rule: looks at n_j = nStart 2^j (capped at nMax), L looks in all, fixed in advance.
 * At each look the Clopper-Pearson interval at level 1 - errorRate/L is computed; sampling stops
 * as soon as it lies entirely above b ('above': q > b shown) or entirely below ('below': q < b
 * shown), or the budget is spent ('budget'). Coverage under this optional stopping: the event
 * "some look's interval misses q" has probability <= sum_j errorRate/L = errorRate (Bonferroni),
 * so the interval reported at the stopping look covers q with probability >= 1 - errorRate, and a
 * decision is wrong with probability <= errorRate. (Stopping early cannot inflate the error,
 * because every look was already paid for in the per-look level.)
 */
import { clopperPearson, sideOf, type BinomialInterval, type Side } from '../stats/index.ts';
import { requireInt, requireReal } from '../validate.ts';
import type { EventSpec } from './events.ts';
import { ChunkStreams, MonteCarloPool } from './pool.ts';
import type { Rng } from '../random/rng.ts';

export interface SequentialOptions {
  /** Seed, or an Rng whose jumps give the chunk streams (e.g. one stream per grid point). */
  seed: number | Rng;
  /** The threshold b; null to just estimate until nMax. */
  threshold: number | null;
  /** Total error rate spent over all looks (default 0.05). */
  errorRate?: number;
  /** Samples at the first look (a multiple of chunkSize; default chunkSize). */
  nStart?: number;
  /** Budget (default 2^22). */
  nMax?: number;
  /** Samples per chunk / Rng stream (default 2^16). */
  chunkSize?: number;
  pool?: MonteCarloPool;
  progress?: (fraction: number, message?: string) => void;
}

export interface SequentialResult {
  k: number;
  n: number;
  /** Interval at the per-look level (valid under the stopping rule, level >= 1 - errorRate). */
  ci: BinomialInterval;
  decision: Side | 'budget';
  looks: number;
  plannedLooks: number;
  perLookLevel: number;
  errorRate: number;
}

export function plannedLooks(nStart: number, nMax: number): number[] {
  const ns: number[] = [];
  for (let n = nStart; ; n *= 2) {
    ns.push(Math.min(n, nMax));
    if (n >= nMax) break;
  }
  return ns;
}

export async function sequentialEstimate(spec: EventSpec, opts: SequentialOptions): Promise<SequentialResult> {
  const chunkSize = requireInt('chunkSize', opts.chunkSize ?? 65536, 1);
  const nStart = requireInt('nStart', opts.nStart ?? chunkSize, 1);
  const nMax = requireInt('nMax', opts.nMax ?? 1 << 22, nStart);
  const errorRate = requireReal('errorRate', opts.errorRate ?? 0.05, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const looks = plannedLooks(nStart, nMax);
  const perLookLevel = 1 - errorRate / looks.length;
  const pool = opts.pool ?? new MonteCarloPool(1);
  const streams = new ChunkStreams(opts.seed);
  let n = 0, k = 0, chunk = 0;
  let ci = clopperPearson(0, 1, perLookLevel);
  let decision: Side | 'budget' = 'budget';
  let used = 0;
  try {
    for (const target of looks) {
      const sizes: number[] = [];
      for (let m = n; m < target; m += chunkSize) sizes.push(Math.min(chunkSize, target - m));
      const counts = await pool.countChunks(spec, streams, chunk, sizes);
      for (let i = 0; i < counts.length; i++) k += counts[i];
      chunk += sizes.length;
      n = target;
      used++;
      ci = clopperPearson(k, n, perLookLevel);
      opts.progress?.(n / nMax, `n = ${n}, k = ${k}`);
      if (opts.threshold !== null) {
        const side = sideOf(ci, opts.threshold);
        if (side !== 'straddles') { decision = side; break; }
        decision = used === looks.length ? 'straddles' : 'budget';
      }
    }
  } finally {
    if (!opts.pool) await pool.close();
  }
  if (opts.threshold === null) decision = 'budget';
  return { k, n, ci, decision, looks: used, plannedLooks: looks.length, perLookLevel, errorRate };
}
