/**
 * Worker side of GradientPool (gradientPool.ts): holds one slice of the samples, waits on a shared
 * generation counter, computes the slice's summed loss and gradient at the shared parameters and
 * reports back through shared memory. Errors are caught and flagged, never left to hang the pool.
 * The slice of X is the worker's own copy, never written, and is passed to every call as is (the
 * wasm kernels copy each block into their memory per call; see network/wasm/engine.ts).
 * Commands (ctrl[3], POOL_COMMAND): evaluate live, recording the activation pattern, or with the
 * frozen pattern, or swap the recording and frozen pattern buffers (allocated on first use).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { gradView, netView, paramCount } from '../network/create.ts';
import { lossAndGrad } from '../network/gradient.ts';
import { createWorkspace } from '../network/workspace.ts';
import type { KernelBackend } from '../network/kernels.ts';
import { POOL_COMMAND } from './gradientPool.ts';

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

/** Activation-pattern buffers of this slice: [recording, frozen] (swapped by command). */
let patterns: [Uint8Array, Uint8Array] | null = null;

let gen = 0;
parentPort!.postMessage('ready');
for (;;) {
  // Re-check after every wake: the notify of a dispatch can arrive after this worker has already
  // seen its new generation, finished it and gone back to waiting (the caller was preempted between
  // its increment and its notify); treating that wake as new work ran a generation twice, which
  // drove the busy count negative (a hang) or let the caller read a slice before it was computed.
  // Measured on a loaded machine, runs of 2e5 calls: 4 of 6 hung this way (after 1.8e4 - 1.3e5
  // calls) before this loop, 0 of 4 with it.
  while (Atomics.load(ctrl, 0) === gen) Atomics.wait(ctrl, 0, gen);
  gen = Atomics.load(ctrl, 0);
  if (gen < 0) break;
  try {
    const cmd = Atomics.load(ctrl, 3);
    if (cmd !== POOL_COMMAND.live && patterns === null) patterns = [new Uint8Array(d.n * d.h), new Uint8Array(d.n * d.h)];
    if (cmd === POOL_COMMAND.swapPatterns) patterns = [patterns![1], patterns![0]];
    else if (cmd === POOL_COMMAND.live) out[np] = lossAndGrad(net, d.X, d.y, d.n, opts, grad, ws);
    else {
      const record = cmd === POOL_COMMAND.record;
      ws.mask = record ? patterns![0] : patterns![1];
      out[np] = lossAndGrad(net, d.X, d.y, d.n, opts, grad, ws, record ? 'record' : 'frozen');
    }
  } catch {
    Atomics.store(ctrl, 2, 1);
  }
  if (Atomics.sub(ctrl, 1, 1) === 1) Atomics.notify(ctrl, 1);
}
