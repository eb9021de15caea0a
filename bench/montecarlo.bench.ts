/**
 * Exact-sampler Monte-Carlo samples per second for each T1-T4 event (PAPER.md s.6) on both cores
 * (src/montecarlo/pool.ts, 2 worker threads, fixed chunks), next to the reference measured in the
 * same run on the same pool: the K-dim projection sampler with the theorem object's own predicate
 * (mode 'reference'). For T4 that reference is also the previous implementation (certificates,
 * then the general branch and bound of src/robustness/exactFp.ts for every undecided sample).
 * Target (issue 7): >= 1e6 samples/s for the T2 and T4 events.
 *
 * T4 details: `undecidedShare` is the share of samples the cheap certificates leave undecided
 * (all of which went to the exact solver before), `referenceShare` the share that still needs the
 * reference solver (robustFpDecide.ts unsure), both from an in-process run of the fast counter,
 * whose single-thread rate is `oneThread`.
 */
import { performance } from 'node:perf_hooks';
import type { Benchmark, BenchResult } from './types.ts';
import { Rng } from '../src/random/index.ts';
import { makeCounter, type EventSpec } from '../src/montecarlo/events.ts';
import { ChunkStreams, MonteCarloPool } from '../src/montecarlo/pool.ts';
import type { TheoremId } from '../src/bounds/registry.ts';

const POINTS: Record<TheoremId, EventSpec['params']> = {
  T1: { D: 100, K: 10, K1: 6, alpha: 1.5 },
  T2: { D: 100, K: 10, K1: 6, alpha: 1.5, rho: 0.3 },
  T3: { D: 100, K: 10, K1: 6, alpha: 2, p: 3 },
  T4: { D: 100, K: 10, K1: 6, alpha: 0.8, p: 3, delta: 0.5 },
};
/** Fast run: `chunks` chunks of `chunk` samples; reference run: 2 chunks of ref/2. */
const SIZES: Record<TheoremId, { chunk: number; chunks: number; ref: number }> = {
  T1: { chunk: 1 << 20, chunks: 4, ref: 1 << 20 },
  T2: { chunk: 1 << 20, chunks: 4, ref: 1 << 20 },
  T3: { chunk: 1 << 18, chunks: 4, ref: 1 << 18 },
  T4: { chunk: 1 << 18, chunks: 4, ref: 1 << 15 },
};

async function rate(pool: MonteCarloPool, spec: EventSpec, seed: number, sizes: number[]): Promise<{ perSecond: number; q: number }> {
  const t0 = performance.now();
  const counts = await pool.countChunks(spec, new ChunkStreams(seed), 0, sizes);
  const seconds = (performance.now() - t0) / 1000;
  const n = sizes.reduce((a, b) => a + b, 0);
  return { perSecond: n / seconds, q: counts.reduce((a, b) => a + b, 0) / n };
}

async function measure(id: TheoremId, pool: MonteCarloPool): Promise<BenchResult> {
  const spec: EventSpec = { theorem: id, params: POINTS[id] };
  const ref: EventSpec = { ...spec, mode: 'reference' };
  const { chunk, chunks, ref: nRef } = SIZES[id];
  // Warm-up (workers started, JIT) for both modes.
  await pool.countChunks(spec, new ChunkStreams(1), 0, [chunk / 4, chunk / 4]);
  await pool.countChunks(ref, new ChunkStreams(1), 0, [nRef / 16, nRef / 16]);
  const fast = await rate(pool, spec, 2, new Array<number>(chunks).fill(chunk));
  const slow = await rate(pool, ref, 4, [nRef / 2, nRef / 2]);
  const details: Record<string, number> = { threads: pool.threads, samples: chunk * chunks, qEstimate: fast.q, referenceSamples: nRef, qReference: slow.q, target: id === 'T2' || id === 'T4' ? 1e6 : 0 };
  if (id === 'T4') {
    const one = makeCounter(spec);
    one(new Rng(5), 1 << 14);
    const n = 1 << 18;
    const t0 = performance.now();
    one(new Rng(6), n);
    details.oneThread = n / ((performance.now() - t0) / 1000);
    const st = one.t4!;
    details.undecidedShare = st.undecided / st.samples;
    details.referenceShare = st.reference / st.samples;
  }
  return {
    name: `montecarlo.${id}.samples-per-second`,
    value: fast.perSecond, unit: 'samples/s',
    reference: id === 'T4' ? 'previous impl. = theorem predicate, K-dim, 2 threads' : 'theorem predicate, K-dim sampler, 2 threads',
    referenceValue: slow.perSecond, ratio: fast.perSecond / slow.perSecond,
    details,
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'montecarlo',
    description: 'exact-sampler Monte-Carlo samples/s for the T1-T4 events on 2 worker threads vs the theorem predicates (mode reference) on the same 2 threads',
    async run() {
      const pool = new MonteCarloPool(2);
      try {
        const out: BenchResult[] = [];
        for (const id of ['T1', 'T2', 'T3', 'T4'] as const) out.push(await measure(id, pool));
        return out;
      } finally {
        await pool.close();
      }
    },
  },
];
