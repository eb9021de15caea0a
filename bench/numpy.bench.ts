/**
 * The gradient-flow derivative (loss + exact gradient, PAPER.md s.3) at the size
 * n = 2000, D = 200, h = 200, p = 3, against numpy + OpenBLAS computing the same derivative in
 * the same run (bench/reference/gf_derivative.py; OpenBLAS uses both cores). Ours is timed on
 * one thread and on the 2-thread GradientPool, with the kernel backend in use recorded.
 *
 * Before anything is timed, numpy's gradient is compared with ours (max relative error of dL/dW
 * and dL/dv); a disagreement above 1e-9 aborts, because a speed ratio against a different
 * computation would mean nothing. Without python3 or numpy the benchmark emits one line with
 * `skipped` saying why (values null), rather than failing the whole bench run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixtureProblem } from '../src/dynamics/experiments/problem.ts';
import { GradientPool } from '../src/dynamics/gradientPool.ts';
import { createGrad, createWorkspace, lossAndGrad } from '../src/network/index.ts';
import * as kernels from '../src/network/kernels.ts';
import { time } from './timing.ts';
import type { Benchmark, BenchResult } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(here, 'reference', 'gf_derivative.py');
const size = { D: 200, n: 2000, h: 200, K: 10, K1: 6, alpha: 0.05, init: 0.05, p: 3 };
const NAME = 'numpy.gf-derivative';
const REF = 'numpy + OpenBLAS, same derivative, same run';

function f64Bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function maxRelErr(a: Float64Array, b: Float64Array): number {
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale > 0 ? err / scale : err;
}

function skipped(reason: string): BenchResult[] {
  return [{ name: NAME, value: NaN, unit: 'ms', reference: REF, referenceValue: NaN, ratio: NaN, skipped: reason }];
}

/** Which kernel backend lossAndGrad uses, if the network module says (older builds: plain JS). */
function backendName(): string {
  const k = kernels as unknown as { kernelBackend?: () => string };
  return typeof k.kernelBackend === 'function' ? k.kernelBackend() : 'js';
}

async function run(): Promise<BenchResult[]> {
  const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error !== undefined) return skipped(`python3 not runnable: ${probe.error.message}`);
  if (probe.status !== 0) return skipped(`python3 has no numpy (${(probe.stderr || '').trim().split('\n').pop()})`);

  const prob = mixtureProblem(size, 7);
  const { net, data } = prob;
  const loss = { loss: 'exp', reduction: 'sum' } as const;
  const grad = createGrad(net);
  const ws = createWorkspace(net, data.n);
  const L = lossAndGrad(net, data.X, data.y, data.n, loss, grad, ws);

  const dir = mkdtempSync(join(tmpdir(), 'prelu-numpy-'));
  try {
    writeFileSync(join(dir, 'X.f64'), f64Bytes(data.X));
    writeFileSync(join(dir, 'y.f64'), f64Bytes(data.y));
    writeFileSync(join(dir, 'W.f64'), f64Bytes(net.W));
    writeFileSync(join(dir, 'v.f64'), f64Bytes(net.v));
    const pool = await GradientPool.create(net, data, loss, 2);
    try {
      const pg = createGrad(net);
      const before = time(() => pool.lossAndGrad(net, pg), { warmup: 3, reps: 9 });
      const single = time(() => lossAndGrad(net, data.X, data.y, data.n, loss, grad, ws), { warmup: 2, reps: 7 });
      const py = spawnSync('python3', [SCRIPT, dir, String(data.n), String(size.D), String(size.h), String(size.p), loss.reduction, '15'], { encoding: 'utf8', timeout: 600_000 });
      if (py.status !== 0) return skipped(`numpy reference failed: ${(py.stderr || String(py.error)).trim().split('\n').pop()}`);
      const after = time(() => pool.lossAndGrad(net, pg), { warmup: 1, reps: 9 });
      const ref = JSON.parse(py.stdout.trim().split('\n').pop() as string) as { loss: number; medianMs: number; minMs: number; numpy: string; blas: string };
      const errW = maxRelErr(readF64(join(dir, 'gW.f64')), grad.W);
      const errV = maxRelErr(readF64(join(dir, 'gv.f64')), grad.v);
      const errL = Math.abs(ref.loss - L) / Math.abs(L);
      if (!(errW <= 1e-9 && errV <= 1e-9 && errL <= 1e-12)) {
        throw new Error(`numpy and ours disagree: dL/dW ${errW}, dL/dv ${errV}, L ${errL}`);
      }
      // The pool's median over both timing blocks brackets the numpy run, so a drift in machine
      // load during the python run affects both sides alike.
      const poolMs = (before.medianMs + after.medianMs) / 2;
      const gflop = (4 * data.n * size.h * size.D) / 1e9;
      const details = {
        ...size, loss: 'exp/sum', backend: backendName(), numpy: ref.numpy, blas: ref.blas,
        numpyMinMs: ref.minMs, gradientRelErrW: errW, gradientRelErrV: errV,
        oursGflops: gflop / (poolMs / 1e3), numpyGflops: gflop / (ref.medianMs / 1e3), flopCount: '4nhD (nominal, dense)',
      };
      return [
        { name: `${NAME}.2-threads`, value: poolMs, unit: 'ms', reference: REF, referenceValue: ref.medianMs, ratio: ref.medianMs / poolMs, details: { ...details, threads: 2, poolBeforeMs: before.medianMs, poolAfterMs: after.medianMs } },
        { name: `${NAME}.1-thread`, value: single.medianMs, unit: 'ms', reference: REF, referenceValue: ref.medianMs, ratio: ref.medianMs / single.medianMs, details: { ...details, threads: 1, oursGflops: gflop / (single.medianMs / 1e3) } },
      ];
    } finally {
      await pool.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  { name: 'numpy.gf-derivative', description: 'GF derivative n=2000 D=200 h=200 p=3: ours (1 and 2 threads) vs numpy + OpenBLAS in the same run', run },
];
