/**
 * Loss and gradient over the samples split across worker threads (issue 3: "use both cores for the
 * large sums"). L and grad L are sums over samples, so each worker computes its slice's sums with
 * the network module's own lossAndGrad ('sum' reduction) and the pool adds them (and divides by n
 * for 'mean'). The call is synchronous, as an ODE right-hand side must be: parameters go through a
 * SharedArrayBuffer, a generation counter wakes the workers (Atomics.notify) and the caller blocks
 * in Atomics.wait until all have finished. A worker error is flagged in shared memory and raised
 * here; a wait longer than `timeoutMs` throws instead of hanging.
 * Workers start through src/util/worker.ts, which registers tsx in the worker thread and then loads
 * the TypeScript worker (Node 20 does not honour execArgv ['--import', 'tsx'] for a .ts entry).
 * Every worker uses the kernels ('wasm-simd' or 'js', network/kernels.ts) chosen at creation (by
 * default the caller's kernelBackend()), so a pooled gradient equals the single-thread one on
 * those kernels up to the order of the per-slice sums (the tests check 1e-12 relative).
 *
 * Activation patterns (network/gradient.ts; p = 1 frozen pieces, solver/gauss.ts frozenModes):
 * each worker keeps two pattern buffers for its slice, a recording one and a frozen one.
 * lossAndGrad(..., 'record') records into the first, 'frozen' evaluates with the second, and
 * swapPatterns() exchanges them in every worker (the pattern just recorded becomes the frozen
 * one), mirroring GradientFlowTerm's single-thread bookkeeping (formulation.ts).
 */
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../util/worker.ts';
import { paramCount } from '../network/create.ts';
import { kernelBackend, requireKernelBackend, type KernelBackend } from '../network/kernels.ts';
import { loadedKernels, WORKER_KERNELS_KEY } from '../network/wasm/load.ts';
import type { ActivationPattern, LossOptions, NetGrad, PReluNet } from '../network/types.ts';
import type { DataSet } from '../diagnostics/savepoint.ts';
import { ConfigError, requireInt } from '../validate.ts';

/** Command word ctrl[3] for the workers (gradientPoolWorker.ts). */
export const POOL_COMMAND = { live: 0, record: 1, frozen: 2, swapPatterns: 3 } as const;

export class GradientPool {
  /** A pattern was recorded since the last swap / the frozen buffers hold a recorded pattern. */
  private recorded = false;
  private frozenReady = false;

  private constructor(
    private readonly workers: Worker[],
    private readonly theta: Float64Array,
    private readonly outs: Float64Array[],
    private readonly ctrl: Int32Array,
    private readonly np: number,
    private readonly n: number,
    private readonly reduction: 'sum' | 'mean',
    private readonly timeoutMs: number,
    /** The kernels every worker computes with. */
    readonly kernels: KernelBackend,
  ) {}

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Start `threads` workers on contiguous slices of the data; resolves once all are ready.
   * `kernels` defaults to the process default at creation (kernelBackend()).
   */
  static async create(
    template: PReluNet, data: DataSet, loss: LossOptions, threads: number, timeoutMs = 600_000,
    kernels: KernelBackend = kernelBackend(),
  ): Promise<GradientPool> {
    requireInt('threads', threads, 1, Math.min(64, data.n));
    requireKernelBackend('kernels', kernels);
    const { D, h, hasBias } = template;
    const np = paramCount(D, h, hasBias);
    const thetaBuf = new SharedArrayBuffer(np * 8);
    // ctrl: [generation, workers still busy, error flag, command (POOL_COMMAND)].
    const ctrlBuf = new SharedArrayBuffer(4 * 4);
    const outs: Float64Array[] = [];
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let w = 0; w < threads; w++) {
      const lo = Math.floor((w * data.n) / threads), hi = Math.floor(((w + 1) * data.n) / threads);
      const outBuf = new SharedArrayBuffer((np + 1) * 8);
      outs.push(new Float64Array(outBuf));
      const worker = spawnTsWorker(new URL('./gradientPoolWorker.ts', import.meta.url), {
        D, h, p: template.p, hasBias, centre: template.centre, normalise: template.normalise, loss: loss.loss,
        X: data.X.slice(lo * D, hi * D), y: data.y.slice(lo, hi), n: hi - lo, theta: thetaBuf, out: outBuf, ctrl: ctrlBuf, kernels,
        // The compiled kernels travel with the worker (no second assembly; see wasm/load.ts).
        ...(kernels === 'wasm-simd' && loadedKernels !== null ? { [WORKER_KERNELS_KEY]: loadedKernels } : {}),
      });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`gradient worker exited with code ${code} before it was ready`)));
        }),
      );
      workers.push(worker);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    for (const w of workers) w.removeAllListeners('exit');
    return new GradientPool(workers, new Float64Array(thetaBuf), outs, new Int32Array(ctrlBuf), np, data.n, loss.reduction, timeoutMs, kernels);
  }

  /** Wake every worker with a command and block until all have finished it. */
  private dispatch(command: number): void {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, 2, 0);
    Atomics.store(ctrl, 3, command);
    Atomics.store(ctrl, 1, this.workers.length);
    Atomics.add(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
    const deadline = performance.now() + this.timeoutMs;
    for (let r = Atomics.load(ctrl, 1); r !== 0; r = Atomics.load(ctrl, 1)) {
      if (performance.now() > deadline) throw new Error(`gradient workers did not answer within ${this.timeoutMs} ms`);
      Atomics.wait(ctrl, 1, r, 1000);
    }
    if (Atomics.load(ctrl, 2) !== 0) throw new Error('a gradient worker failed (invalid parameters or data)');
  }

  /** Make the pattern recorded last the frozen one, in every worker (see the header). */
  swapPatterns(): void {
    this.dispatch(POOL_COMMAND.swapPatterns);
    this.frozenReady = this.recorded;
    this.recorded = false;
  }

  /**
   * L at the net's parameters; writes grad L into `grad` (same contract as lossAndGrad, including
   * `pattern`: 'record' into the workers' recording buffers, 'frozen' from their frozen ones).
   */
  lossAndGrad(net: PReluNet, grad: NetGrad, pattern: ActivationPattern = 'live'): number {
    const { theta, np, outs } = this;
    if (pattern === 'frozen') {
      if (net.p !== 1) throw new ConfigError('p', net.p, "1 with pattern 'frozen' (for p != 1 use 'live' or 'record')");
      if (!this.frozenReady) throw new ConfigError('pattern', pattern, "'live' or 'record' until a recorded pattern is frozen (swapPatterns)");
    } else if (pattern !== 'live' && pattern !== 'record') throw new ConfigError('pattern', pattern, "'live', 'record' or 'frozen'");
    const hD = net.h * net.D;
    theta.set(net.W, 0);
    theta.set(net.v, hD);
    if (net.hasBias) theta[np - 1] = net.b;
    if (pattern === 'record') this.recorded = false;
    this.dispatch(POOL_COMMAND[pattern]);
    if (pattern === 'record') this.recorded = true;
    const s = this.reduction === 'mean' ? 1 / this.n : 1;
    let L = 0;
    grad.W.fill(0);
    grad.v.fill(0);
    let gb = 0;
    for (const o of outs) {
      for (let i = 0; i < hD; i++) grad.W[i] += o[i];
      for (let j = 0; j < net.h; j++) grad.v[j] += o[hD + j];
      if (net.hasBias) gb += o[np - 1];
      L += o[np];
    }
    if (s !== 1) {
      for (let i = 0; i < hD; i++) grad.W[i] *= s;
      for (let j = 0; j < net.h; j++) grad.v[j] *= s;
    }
    grad.b = net.hasBias ? gb * s : 0;
    return L * s;
  }

  async close(): Promise<void> {
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
