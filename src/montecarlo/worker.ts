/**
 * Worker thread for Monte-Carlo counting (started by pool.ts with execArgv ['--import', 'tsx']).
 * Receives {id, spec, chunks: [{state, n}]} and answers {id, counts} in the chunks' order; each
 * chunk uses its own Rng stream, so the answer does not depend on which worker ran it.
 */
import { parentPort } from 'node:worker_threads';
import { Rng } from '../random/rng.ts';
import { makeCounter, type EventSpec } from './events.ts';

interface Job {
  id: number;
  spec: EventSpec;
  chunks: { state: number[]; n: number }[];
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: Job) => {
    try {
      const count = makeCounter(job.spec);
      const counts = job.chunks.map((c) => count(Rng.fromState(c.state), c.n));
      port.postMessage({ id: job.id, counts });
    } catch (e) {
      port.postMessage({ id: job.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  });
}
