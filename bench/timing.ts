/**
 * Timing helpers shared by the benchmark modules: warm-up runs (so the JIT has compiled the hot
 * loops before anything is measured), then the median of several timed repetitions, which is
 * robust to the odd GC pause or a neighbour process on a shared machine.
 */
import { performance } from 'node:perf_hooks';

export interface TimingOptions {
  /** Untimed runs first (default 2). */
  warmup?: number;
  /** Timed repetitions (default 7); the median is reported. */
  reps?: number;
}

export interface Timing {
  /** Median wall time of one call in milliseconds. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  reps: number;
}

/** Time `fn` (synchronous) with warm-up; returns the median over `reps` calls. */
export function time(fn: () => unknown, opts: TimingOptions = {}): Timing {
  const warmup = opts.warmup ?? 2;
  const reps = opts.reps ?? 7;
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return summary(ms);
}

/**
 * Time a fast function and its (slower) reference interleaved: `rounds` rounds, each of
 * `perRound` timed calls of `fn` followed by one timed call of `ref`, after warm-up of both. On
 * a shared machine whose load drifts, interleaving makes both medians see the same conditions,
 * so their ratio is more trustworthy than that of two separate timing blocks.
 */
export function timeAgainst(
  fn: () => unknown, ref: () => unknown,
  opts: { warmup?: number; rounds?: number; perRound?: number } = {},
): { fn: Timing; ref: Timing } {
  const warmup = opts.warmup ?? 2;
  const rounds = opts.rounds ?? 3;
  const perRound = opts.perRound ?? 3;
  for (let i = 0; i < warmup; i++) fn();
  ref();
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < perRound; k++) {
      const t0 = performance.now();
      fn();
      a.push(performance.now() - t0);
    }
    const t0 = performance.now();
    ref();
    b.push(performance.now() - t0);
  }
  return { fn: summary(a), ref: summary(b) };
}

function summary(ms: number[]): Timing {
  ms.sort((x, y) => x - y);
  const mid = ms.length >> 1;
  const medianMs = ms.length % 2 === 1 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  return { medianMs, minMs: ms[0], maxMs: ms[ms.length - 1], reps: ms.length };
}
