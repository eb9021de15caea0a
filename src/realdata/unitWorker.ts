/**
 * Worker thread of a multi-worker MNIST run (experiment.ts, `workers` > 1): claims (p, seed) units
 * through the cache's locks, computes them into the cache and reports progress to the parent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { workerRun, type Estimate, type ParityConfig, type RunSettings, type Task } from './experiment.ts';

const d = workerData as { task: Task; config: ParityConfig; run: RunSettings; seed: number; estimate: Estimate };
workerRun(d.task, d.config, d.run, d.seed, d.estimate, (m) => parentPort!.postMessage(m));
