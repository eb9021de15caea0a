/**
 * Worker side of GradientPool (gradientPool.ts): holds one slice of the samples, waits on a shared
 * generation counter, computes the slice's summed loss and gradient at the shared parameters and
 * reports back through shared memory. Errors are caught and flagged, never left to hang the pool.
 * The slice of X is the worker's own copy, never written, and is passed to every call as is (the
 * wasm kernels copy each block into their memory per call; see network/wasm/engine.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { gradView, netView, paramCount } from '../network/create.ts';
import { lossAndGrad } from '../network/gradient.ts';
import { createWorkspace } from '../network/workspace.ts';
import type { KernelBackend } from '../network/kernels.ts';

interface PoolWorkerData {
  D: number;
  h: number;
  p: number;
  hasBias: boolean;
  centre: Float64Array | null;
  normalise: boolean;
  loss: 'exp' | 'logistic';
  X: Float64Array;
  y: Float64Array;
  n: number;
  theta: SharedArrayBuffer;
  out: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
  kernels: KernelBackend;
}

const d = workerData as PoolWorkerData;
const np = paramCount(d.D, d.h, d.hasBias);
const theta = new Float64Array(d.theta);
const out = new Float64Array(d.out);
const ctrl = new Int32Array(d.ctrl);
const net = netView(d.D, d.h, d.p, theta, { bias: d.hasBias, centre: d.centre, normalise: d.normalise });
const grad = gradView(d.D, d.h, out.subarray(0, np), d.hasBias);
const ws = createWorkspace(net, d.n, { kernels: d.kernels });
const opts = { loss: d.loss, reduction: 'sum' } as const;

let gen = 0;
parentPort!.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, 0, gen);
  gen = Atomics.load(ctrl, 0);
  if (gen < 0) break;
  try {
    out[np] = lossAndGrad(net, d.X, d.y, d.n, opts, grad, ws);
  } catch {
    Atomics.store(ctrl, 2, 1);
  }
  if (Atomics.sub(ctrl, 1, 1) === 1) Atomics.notify(ctrl, 1);
}
