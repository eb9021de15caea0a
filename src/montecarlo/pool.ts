/**
 * Deterministic parallel Monte-Carlo counting on worker threads (started through the project's
 * src/util/worker.ts bootstrap, which installs tsx in the thread).
 *
 * The work is split into fixed chunks; chunk i always uses the i-th stream of the seed
 * (`ChunkStreams`, successive Rng.jump()), and the counts are summed in chunk order, so a result
 * depends only on (seed, chunk size, sample count), never on the number of threads or on
 * scheduling. threads = 1 runs in-process (no worker start-up cost, same numbers).
 */
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../util/worker.ts';
import { Rng } from '../random/rng.ts';
import { requireInt } from '../validate.ts';
import { makeCounter, type EventSpec } from './events.ts';

/** Lazily generated independent streams: stream(i) is the i-th jump of Rng(seed) (or of a given Rng). */
export class ChunkStreams {
  private readonly base: Rng;
  private readonly states: number[][] = [];
  constructor(seed: number | Rng) {
    this.base = typeof seed === 'number' ? new Rng(seed) : seed.clone();
  }
  state(i: number): number[] {
    while (this.states.length <= i) this.states.push(this.base.jump().state());
    return this.states[i];
  }
}

interface Pending {
  resolve: (counts: number[]) => void;
  reject: (e: Error) => void;
}

export class MonteCarloPool {
  readonly threads: number;
  private workers: Worker[] = [];
  private nextId = 0;
  private pending = new Map<number, Pending>();

  constructor(threads = 2) {
    this.threads = requireInt('threads', threads, 1, 64);
  }

  private ensureWorkers(): void {
    if (this.threads === 1 || this.workers.length > 0) return;
    for (let t = 0; t < this.threads; t++) {
      const w = spawnTsWorker(new URL('./worker.ts', import.meta.url));
      w.on('message', (m: { id: number; counts?: number[]; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) for (const x of this.workers) x.unref();
        if (m.error !== undefined) p.reject(new Error(m.error));
        else p.resolve(m.counts as number[]);
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      w.unref();
      this.workers.push(w);
    }
  }

  private send(w: Worker, spec: EventSpec, chunks: { state: number[]; n: number }[]): Promise<number[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keep the process alive while a job is out; idle workers never block exit.
      w.ref();
      w.postMessage({ id, spec, chunks });
    });
  }

  /**
   * Counts of the spec's controlled event for each chunk (chunk i: streams.state(first + i),
   * sizes[i] samples), in chunk order. Chunks are dealt round-robin to the workers.
   */
  async countChunks(spec: EventSpec, streams: ChunkStreams, first: number, sizes: readonly number[]): Promise<number[]> {
    const chunks = sizes.map((n, i) => ({ state: streams.state(first + i), n }));
    if (this.threads === 1 || chunks.length === 1) {
      const count = makeCounter(spec);
      return chunks.map((c) => count(Rng.fromState(c.state), c.n));
    }
    this.ensureWorkers();
    const T = this.workers.length;
    const parts = await Promise.all(
      this.workers.map((w, t) => {
        const mine = chunks.filter((_, i) => i % T === t);
        return mine.length === 0 ? Promise.resolve([] as number[]) : this.send(w, spec, mine);
      }),
    );
    return chunks.map((_, i) => parts[i % T][Math.floor(i / T)]);
  }

  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
