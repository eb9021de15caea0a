/**
 * Assembles kernels.wat (this directory) into a WebAssembly module at load time with the `wabt`
 * npm package, so the binary is always built from the source in the repository (issue 7: nothing
 * downloaded, no committed .wasm). Top-level await: importers wait ~60-100 ms once per thread.
 *
 * Multiply-adds: the source writes every a*b + c as f64x2.relaxed_madd, which V8 lowers to an x64
 * FMA (vfmadd231pd) when the CPU has one: twice the arithmetic per instruction of mul + add. Node
 * 22+ ships relaxed SIMD; Node 20 has it behind --experimental-wasm-relaxed-simd, which is set here
 * (only if a probe module fails to validate without it) before compiling. Where it still does not
 * validate, every relaxed_madd is rewritten to f64x2.add(f64x2.mul(a, b), c) and the module is
 * built from that text. Either way a*b + c is computed in double precision; a fused one rounds once
 * instead of twice, so results differ from the plain JS kernels at the rounding level only.
 *
 * The result never depends on timing: the same engine and CPU give bit-identical results, so
 * seeded runs stay reproducible. Set PRELU_KERNELS=js to skip WebAssembly altogether.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { isMainThread, workerData } from 'node:worker_threads';

/**
 * The slice of the WebAssembly JS API used here, typed locally: the project compiles against
 * lib ES2022 + @types/node 20, which declare no WebAssembly globals.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** A compiled module (opaque). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The functions exported by kernels.wat (byte addresses and counts; see the comments there). */
export interface KernelExports {
  memory: WasmMemory;
  pack_w(src: number, h: number, D: number, dst: number, Dp2: number): void;
  pack_x(src: number, rows: number, D: number, centre: number, dst: number, Dp2: number, ss: number): void;
  fwd(xp: number, rowPanels: number, wp: number, unitPanels: number, Dp2: number, u: number, ldu: number, ubPanels: number): void;
  bwd(xp: number, Dp2: number, idx: number, coef: number, cnt: number, B: number, pairs: number, dw: number): void;
  elem_f(u: number, rows: number, hp: number, invNorm: number, v: number, q: number, t: number, fout: number): void;
  elem_c(u: number, rows: number, hp: number, t: number, invNorm: number, v: number, rho: number, p: number,
    gv: number, radial: number, idx: number, coef: number, cnt: number, B: number, Dp2: number): void;
}

export interface LoadedKernels {
  module: WasmModule;
  /** True when multiply-adds are relaxed_madd (fused where the CPU has FMA). */
  fusedMultiplyAdd: boolean;
}

const MADD = /\(f64x2\.relaxed_madd \(local\.get (\$\w+)\) \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)/g;

/** The source, comments dropped, with every relaxed_madd replaced by a multiply and an add (same operands). */
export function withoutRelaxedSimd(source: string): string {
  const out = source.replace(/;;.*$/gm, '').replace(MADD, '(f64x2.add (f64x2.mul (local.get $1) (local.get $2)) (local.get $3))');
  // Every multiply-add in the source must have the simple form the pattern rewrites.
  if (out.includes('relaxed_madd (')) throw new Error('kernels.wat: a relaxed_madd whose operands are not plain local.get');
  return out;
}

/** A module that validates only where relaxed SIMD is enabled. */
const RELAXED_PROBE = '(module (func (result v128) (f64x2.relaxed_madd (v128.const i64x2 0 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0))))';

type Wabt = Awaited<ReturnType<typeof import('wabt')>>;

function assemble(wabt: Wabt, text: string, relaxed: boolean): Uint8Array {
  const parsed = wabt.parseWat('kernels.wat', text, { simd: true, relaxed_simd: relaxed, bulk_memory: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

function relaxedSimdAvailable(api: WasmApi, probe: Uint8Array): boolean {
  if (api.validate(probe)) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return api.validate(probe);
}

/**
 * Assemble and compile kernels.wat. `fused` (default: whatever the engine supports) selects
 * relaxed_madd; false builds the mul + add variant (the fallback, also tested on its own).
 */
export async function assembleKernels(fused?: boolean): Promise<LoadedKernels> {
  const api = wasmApi;
  if (api === undefined) throw new Error('this JavaScript engine has no WebAssembly');
  const source = readFileSync(new URL('./kernels.wat', import.meta.url), 'utf8');
  const wabt = await (await import('wabt')).default();
  const relaxed = fused === false ? false : relaxedSimdAvailable(api, assemble(wabt, RELAXED_PROBE, true));
  if (fused === true && !relaxed) throw new Error('relaxed SIMD is not available on this engine');
  const binary = assemble(wabt, relaxed ? source : withoutRelaxedSimd(source), relaxed);
  return { module: new api.Module(binary), fusedMultiplyAdd: relaxed };
}

/**
 * Worker threads started by GradientPool receive the main thread's compiled module in
 * workerData.preluKernels (a WebAssembly.Module is cloneable between threads of one process), so
 * they skip wabt (~0.2-0.5 s per worker) and run exactly the same code.
 */
export const WORKER_KERNELS_KEY = 'preluKernels';

function inherited(): LoadedKernels | null {
  if (isMainThread || workerData === null || typeof workerData !== 'object') return null;
  const k = (workerData as Record<string, unknown>)[WORKER_KERNELS_KEY] as LoadedKernels | undefined;
  return k !== undefined && k !== null && typeof k === 'object' && 'module' in k ? k : null;
}

async function load(): Promise<LoadedKernels | null> {
  if (process.env.PRELU_KERNELS === 'js') return null;
  return inherited() ?? assembleKernels();
}

let failure: string | null = null;

/** The compiled kernels, or null when WebAssembly SIMD is unavailable (or PRELU_KERNELS=js). */
export const loadedKernels: LoadedKernels | null = await load().catch((e: unknown) => {
  // An engine without SIMD, or a failed assembly, leaves the plain JS kernels in charge.
  failure = e instanceof Error ? e.message : String(e);
  return null;
});

/** Why WebAssembly kernels are not available (null when they are, or when PRELU_KERNELS=js). */
export function wasmLoadFailure(): string | null {
  return failure;
}
