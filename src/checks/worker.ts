/** Worker-thread entry that runs one proofs-check and posts progress and the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadCheck } from './registry.ts';

const { id, dir, seed, quick, config } = workerData as { id: string; dir: string; seed: number; quick: boolean; config: Record<string, unknown> };

try {
  const check = await loadCheck(id, dir);
  const result = await check.run({
    seed,
    quick,
    config,
    progress: (fraction, message) => parentPort!.postMessage({ type: 'progress', fraction, message }),
  });
  parentPort!.postMessage({ type: 'result', result: JSON.parse(JSON.stringify(result)) });
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ type: 'error', message: err?.stack ?? String(e) });
}
