/**
 * Exact-sampler Monte-Carlo samples per second for each T1-T4 event (PAPER.md s.6) on both cores
 * (src/montecarlo/pool.ts, 2 worker threads, fixed chunks), next to the reference: the K-dim
 * projection sampler with the theorem object's own predicate, single-threaded, in the same run.
 * Target (issue 5): >= 1e6 samples/s for the T2 and T4 events.
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
const SIZES: Record<TheoremId, { chunk: number; chunks: number; ref: number }> = {
  T1: { chunk: 1 << 20, chunks: 4, ref: 1 << 19 },
  T2: { chunk: 1 << 20, chunks: 4, ref: 1 << 19 },
  T3: { chunk: 1 << 18, chunks: 4, ref: 1 << 17 },
  T4: { chunk: 1 << 15, chunks: 4, ref: 1 << 14 },
};

async function measure(id: TheoremId, pool: MonteCarloPool): Promise<BenchResult> {
  const spec: EventSpec = { theorem: id, params: POINTS[id] };
  const { chunk, chunks, ref } = SIZES[id];
  const sizes = new Array<number>(chunks).fill(chunk);
  await pool.countChunks(spec, new ChunkStreams(1), 0, [chunk / 16, chunk / 16]); // warm-up (workers started, JIT)
  const t0 = performance.now();
  const counts = await pool.countChunks(spec, new ChunkStreams(2), 0, sizes);
  const seconds = (performance.now() - t0) / 1000;
  const refCount = makeCounter({ ...spec, mode: 'reference' });
  refCount(new Rng(3), Math.min(ref, 4096));
  const t1 = performance.now();
  const kRef = refCount(new Rng(4), ref);
  const refSeconds = (performance.now() - t1) / 1000;
  const value = (chunk * chunks) / seconds;
  const referenceValue = ref / refSeconds;
  const q = counts.reduce((a, b) => a + b, 0) / (chunk * chunks);
  return {
    name: `montecarlo.${id}.samples-per-second`,
    value, unit: 'samples/s',
    reference: 'K-dim sampler + theorem predicate, 1 thread',
    referenceValue, ratio: value / referenceValue,
    details: { threads: pool.threads, samples: chunk * chunks, qEstimate: q, qReference: kRef / ref, target: id === 'T2' || id === 'T4' ? 1e6 : 0 },
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'montecarlo',
    description: 'exact-sampler Monte-Carlo samples/s for the T1-T4 events on 2 worker threads vs the single-thread K-dim reference',
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
