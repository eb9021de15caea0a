/**
 * Start a worker thread on a TypeScript module (see worker-boot.mjs for why a bootstrap is needed).
 * Works the same under tsx (CLI), vitest and plain node with tsx installed.
 */
import { Worker } from 'node:worker_threads';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

export function spawnTsWorker(entry: URL, workerData: Record<string, unknown> = {}): Worker {
  return new Worker(BOOT, { workerData: { ...workerData, __entry: entry.href } });
}
