/**
 * The WebAssembly path of lossAndGrad / forward (PAPER.md s.3): the same fused computation as
 * gradient.ts, with the two dense products done by the SIMD kernels of kernels.wat and the
 * elementwise part (powers, loss weights, per-unit sums) kept in JS, where Math.pow and exp live.
 *
 * One engine (instance + linear memory) per thread, reused by every call; memory grows when a
 * call needs more and never shrinks. Calls are synchronous and not re-entrant, so sharing is safe.
 *
 * Data movement, per call (the design choice of issue 7):
 * - W is copied in and packed once per call (h x D: negligible next to n x h x D).
 * - X is never kept between calls: every block of B rows (blockRows) is copied into linear memory
 *   (one memcpy), centred and packed by pack_x, used by the forward and the backward product while
 *   it is in cache, then overwritten by the next block. No identity or version tracking, so a
 *   caller may mutate X between calls (SGD and the attacks reuse one buffer), and memory stays
 *   O(B x (D + h) + h x D) whatever n is. Measured cost of the copy + pack at n = 2000,
 *   D = h = 200: ~0.5 ms of a ~20 ms call (bench/network.bench.ts reports it as stageShare), so
 *   keeping X resident between calls would save at most that.
 * - Activation patterns (gradient.ts header, types.ts ActivationPattern): 'record' reads the signs
 *   of the U block in JS after the forward product; 'frozen' (p = 1) fills the T block in JS from
 *   the mask (t = 1 on units the mask calls active, else 0) and lets elem_f / elem_c read it, as
 *   for non-integer powers. Both are O(rows x h) next to the O(rows x h x D) products, so the
 *   kernels are unchanged; elem_f with q = 0 writes the same 1 / +0 into T from the signs, so a
 *   frozen call at the recorded point repeats the live call's numbers exactly.
 * - The centre is subtracted while packing, so the backward product sums C_ij (x_i - xbar)
 *   directly (the JS path sums C_ij x_i and subtracts colSum_j xbar afterwards: equal up to
 *   rounding, and this form has no cancellation).
 *
 * Resident weights (issue 8, `resident` / `dotsResident`): the batched attack objectives
 * (frozenBatch.ts, realdata/digitBatch.ts) multiply by the same frozen W and W^T at every APGD
 * step, and packing them per call was ~2.4 ms of a ~14 ms step at h = 500, D = 784. A handle packs
 * its matrix once into an arena of linear memory placed above the per-call buffers:
 * - Snapshot: `resident` copies W (and the centre) when the handle is made; later changes to the
 *   caller's arrays are not seen. The engine may evict the packed copy and repacks it from that
 *   snapshot on the next use, so a handle never uses stale weights and always gives the numbers
 *   `dots` gives for the snapshot (same pack_w, same fwd; only the address of the packed W differs).
 * - Bounded memory: the arena holds at most `residentBudget` bytes (DEFAULT_RESIDENT_BUDGET =
 *   64 MiB: ten MNIST-size nets' W and W^T at 3.1 MB each); a handle that does not fit evicts the
 *   least recently used ones; one larger than the whole budget is never resident and packs per
 *   call as `dots` does. Linear memory is thus at most the largest per-call layout so far (rounded
 *   up to 1 MiB) plus the budget, and below MAX_MEMORY_BYTES (slots past it are evicted).
 * - The per-call buffers (lossAndGrad, forward, dots, accumulate) stay below the arena: when a
 *   call needs a larger layout the arena moves up (one memmove; offsets are position-free).
 * - A handle belongs to the engine (thread) that made it; `release` frees its slot at once, and a
 *   handle that is garbage-collected frees its slot through a FinalizationRegistry.
 */
import { powq, rowNorm } from '../activation.ts';
import { lossWeight } from '../loss.ts';
import type { ActivationPattern, LossKind, PReluNet, Workspace } from '../types.ts';
import { wasmApi, type KernelExports, type WasmModule } from './load.ts';
import { ConfigError } from '../../validate.ts';

/**
 * Rows per block (a multiple of the 4-row panel): 128, or fewer when that much packed X~ would
 * pass 1 MB (D > ~1000), so a block stays in L2/L3 while every unit block of W meets it. Long
 * blocks amortise the backward product's fixed cost per (unit pair, chunk) over more rows:
 * measured at 784 -> 500, 128 rows took 0.8x the time of 64; at D = h = 200, 64-512 rows were
 * within the noise of each other, 128 among the best.
 */
function blockRows(D: number): number {
  const Dp = 2 * ((D + 1) >> 1);
  return Math.max(16, Math.min(128, Math.floor((1 << 20) / (8 * Dp) / 4) * 4));
}
/** Bytes of packed W per unit block of the forward product (kept in L2 with the X block). */
const UNIT_BLOCK_BYTES = 256 * 1024;

/** Round up to a multiple of 64 bytes (a cache line); plain arithmetic, sizes may pass 2^31. */
const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

interface Layout {
  h: number; D: number; Dp2: number; hp: number; B: number;
  centre: number; wRaw: number; wp: number; xRaw: number; xp: number; ss: number;
  u: number; t: number; invNorm: number; v: number; fout: number; rho: number; gv: number; radial: number;
  idx: number; coef: number; cnt: number; dw: number; end: number;
}

const MAX_MEMORY_BYTES = 2 ** 31;

/** Default cap on the bytes of packed resident weights (see the file comment). */
export const DEFAULT_RESIDENT_BUDGET = 64 * 2 ** 20;
/** The arena starts on a multiple of this above the per-call buffers, so it moves rarely. */
const ARENA_STEP = 2 ** 20;

/** A place in the arena holding one handle's packed W. */
interface Slot {
  off: number;
  bytes: number;
  lastUse: number;
  owner: WeakRef<Handle>;
}

/**
 * Weights packed once into an engine's linear memory (`WasmEngine.resident`): an h x D matrix
 * snapshot and optional centre, multiplied by `dotsResident`.
 */
export interface ResidentWeights {
  readonly h: number;
  readonly D: number;
  readonly centred: boolean;
  /** Bytes of packed W this handle occupies while resident. */
  readonly packedBytes: number;
}

class Handle implements ResidentWeights {
  slot: Slot | null = null;
  released = false;
  constructor(
    readonly engine: WasmEngine, readonly h: number, readonly D: number,
    /** Private snapshots, taken at creation (the repack source after an eviction). */
    readonly W: Float64Array, readonly centre: Float64Array | null, readonly packedBytes: number,
  ) {}
  get centred(): boolean {
    return this.centre !== null;
  }
}

/** Byte offsets of every buffer for a net of h units on D inputs (16-byte aligned and more). */
function layoutFor(h: number, D: number): Layout {
  const Dp2 = (D + 1) >> 1, hp = (h + 1) & ~1, B = blockRows(D);
  let at = 64; // address 0 means "no centre" to pack_x
  const take = (bytes: number) => {
    const a = at;
    at = align(at + bytes);
    return a;
  };
  const layout: Layout = {
    h, D, Dp2, hp, B,
    centre: take(D * 8),
    wRaw: take(h * D * 8),
    wp: take(hp * Dp2 * 16),
    xRaw: take(B * D * 8),
    xp: take(B * Dp2 * 16),
    ss: take(B * 8),
    u: take(B * hp * 8),
    t: take(B * hp * 8),
    invNorm: take(hp * 8),
    v: take(hp * 8),
    fout: take(B * 8),
    rho: take(B * 8),
    gv: take(hp * 8),
    radial: take(hp * 8),
    idx: take((hp >> 1) * B * 4),
    coef: take((hp >> 1) * B * 16),
    cnt: take((hp >> 1) * 4),
    dw: take(hp * Dp2 * 16),
    end: 0,
  };
  layout.end = at;
  return layout;
}

/** Integer powers q = p - 1 up to this are formed by repeated multiplication in wasm. */
const MAX_INT_POWER = 8;

export class WasmEngine {
  private readonly k: KernelExports;
  private f64: Float64Array;
  private i32: Int32Array;
  private layout: Layout | null = null;
  /** Start of the resident arena: at or above the end of every per-call layout so far. */
  private arenaBase = ARENA_STEP;
  private budget = DEFAULT_RESIDENT_BUDGET;
  /** Occupied arena slots, sorted by offset. */
  private slots: Slot[] = [];
  private useClock = 0;
  /** Frees the slot of a handle that was garbage-collected without `release`. */
  private readonly reaper = new FinalizationRegistry<Slot>((slot) => this.dropSlot(slot));

  constructor(module: WasmModule) {
    if (wasmApi === undefined) throw new Error('this JavaScript engine has no WebAssembly');
    this.k = new wasmApi.Instance(module, {}).exports as unknown as KernelExports;
    this.f64 = new Float64Array(this.k.memory.buffer);
    this.i32 = new Int32Array(this.k.memory.buffer);
  }

  /** Grow linear memory to at least `bytes` and refresh the views (growing detaches the buffer). */
  private ensureMemory(bytes: number): void {
    const mem = this.k.memory;
    if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
    if (this.f64.buffer !== mem.buffer) {
      this.f64 = new Float64Array(mem.buffer);
      this.i32 = new Int32Array(mem.buffer);
    }
  }

  /** Bytes of linear memory in use (grows on demand, never shrinks). */
  get memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  /**
   * Whether a net of this shape fits the engine: the layout must stay below 2 GiB of linear
   * memory (the kernels compare addresses as unsigned 32-bit values; wasm32 allows 4 GiB).
   * Larger nets use the plain JS kernels.
   */
  supports(h: number, D: number): boolean {
    const l = this.layout;
    if (l !== null && l.h === h && l.D === D) return true;
    return layoutFor(h, D).end <= MAX_MEMORY_BYTES;
  }

  private prepare(h: number, D: number): Layout {
    const l = this.layout;
    if (l !== null && l.h === h && l.D === D) return l;
    const layout = layoutFor(h, D);
    if (layout.end > MAX_MEMORY_BYTES) throw new Error(`wasm kernels: a net with h = ${h}, D = ${D} needs ${layout.end} bytes of linear memory (limit ${MAX_MEMORY_BYTES})`);
    if (layout.end > this.arenaBase) this.moveArena(Math.ceil(layout.end / ARENA_STEP) * ARENA_STEP);
    this.ensureMemory(layout.end);
    this.layout = layout;
    return layout;
  }

  // ---- resident weights (file comment) ----

  /** Bytes the arena may use from its current base (budget, and below MAX_MEMORY_BYTES). */
  private arenaLimit(): number {
    return Math.max(0, Math.min(this.budget, MAX_MEMORY_BYTES - this.arenaBase));
  }

  /** Forget a slot (its packed bytes become free space) and unlink it from its handle. */
  private dropSlot(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    const hnd = slot.owner.deref();
    if (hnd !== undefined && hnd.slot === slot) hnd.slot = null;
  }

  /** Evict slots reaching past the arena limit (after the base moved or the budget shrank). */
  private trimArena(): void {
    const end = this.arenaBase + this.arenaLimit();
    for (const slot of this.slots.slice()) if (slot.off + slot.bytes > end) this.dropSlot(slot);
  }

  /** Move the arena up to `base`, keeping every slot that still fits below its limit: one memmove. */
  private moveArena(base: number): void {
    const old = this.arenaBase, shift = base - old;
    this.arenaBase = base;
    const end = base + this.arenaLimit();
    let top = old; // end of the kept slots, old addresses
    for (const slot of this.slots.slice()) {
      if (slot.off + shift + slot.bytes > end) this.dropSlot(slot);
      else top = Math.max(top, slot.off + slot.bytes);
    }
    if (this.slots.length === 0) return;
    this.ensureMemory(top + shift);
    // Packed W is position-free, so its bytes move as they are (copyWithin handles the overlap).
    this.f64.copyWithin(base >> 3, old >> 3, top >> 3);
    for (const slot of this.slots) slot.off += shift;
  }

  /** A free place of `bytes` in the arena (first fit), evicting least recently used slots; null if too large. */
  private allocate(bytes: number, owner: Handle): Slot | null {
    const limit = this.arenaLimit();
    bytes = align(bytes);
    if (bytes > limit) return null;
    for (;;) {
      let at = this.arenaBase, pos = 0;
      for (; pos < this.slots.length; pos++) {
        const s = this.slots[pos];
        if (s.off - at >= bytes) break;
        at = align(s.off + s.bytes);
      }
      if (pos < this.slots.length || this.arenaBase + limit - at >= bytes) {
        const slot: Slot = { off: at, bytes, lastUse: 0, owner: new WeakRef(owner) };
        this.slots.splice(pos, 0, slot);
        this.ensureMemory(at + bytes);
        return slot;
      }
      let lru = this.slots[0];
      for (const s of this.slots) if (s.lastUse < lru.lastUse) lru = s;
      this.dropSlot(lru);
    }
  }

  private checkHandle(hnd: ResidentWeights): Handle {
    if (!(hnd instanceof Handle)) throw new ConfigError('hnd', 'an object not made by resident()', "a handle from this engine's resident()");
    if (hnd.engine !== this) throw new ConfigError('hnd', 'a handle of another engine', "a handle from this engine's resident()");
    if (hnd.released) throw new ConfigError('hnd', 'a released handle', 'a handle not yet released');
    return hnd;
  }

  /**
   * Make sure hnd's packed W is in the arena (packing its snapshot through the layout l of its
   * shape if it was evicted) and return its address, or pack it into l.wp for this call only when
   * it does not fit the budget (the `dots` path).
   */
  private packedAddress(hnd: Handle, l: Layout): number {
    let slot = hnd.slot;
    if (slot === null) {
      slot = this.allocate(hnd.packedBytes, hnd);
      this.f64.set(hnd.W, l.wRaw >> 3);
      this.k.pack_w(l.wRaw, hnd.h, hnd.D, slot === null ? l.wp : slot.off, l.Dp2);
      if (slot === null) return l.wp;
      hnd.slot = slot;
      this.reaper.unregister(hnd);
      this.reaper.register(hnd, slot, hnd);
    }
    slot.lastUse = ++this.useClock;
    return slot.off;
  }

  /**
   * Pack W (h x D, row-major) and the centre (or null) once into linear memory and return a
   * handle for `dotsResident`. W and the centre are copied now: the handle always multiplies by
   * these values (file comment: snapshot, eviction, memory bound).
   */
  resident(W: Float64Array, h: number, D: number, centre: Float64Array | null): ResidentWeights {
    if (!Number.isInteger(h) || h < 1 || !Number.isInteger(D) || D < 1) throw new ConfigError('h, D', `${h}, ${D}`, 'integers >= 1');
    if (W.length < h * D) throw new ConfigError('W', `Float64Array(${W.length})`, `length >= h*D = ${h * D}`);
    if (centre !== null && centre.length < D) throw new ConfigError('centre', `Float64Array(${centre.length})`, `length >= D = ${D}`);
    if (!this.supports(h, D)) throw new ConfigError('h, D', `${h}, ${D}`, 'a shape the wasm engine supports (supports(h, D))');
    const l = this.prepare(h, D);
    const hnd = new Handle(this, h, D, W.slice(0, h * D), centre === null ? null : centre.slice(0, D), l.hp * l.Dp2 * 16);
    this.packedAddress(hnd, l);
    return hnd;
  }

  /** Free hnd's place in the arena now; the handle cannot be used afterwards. */
  release(hnd: ResidentWeights): void {
    const h = this.checkHandle(hnd);
    if (h.slot !== null) this.dropSlot(h.slot);
    this.reaper.unregister(h);
    h.released = true;
  }

  /** Whether hnd's packed W is currently in the arena (false after an eviction, until its next use). */
  isResident(hnd: ResidentWeights): boolean {
    return this.checkHandle(hnd).slot !== null;
  }

  /** Cap on the arena's bytes (DEFAULT_RESIDENT_BUDGET unless changed by setResidentBudget). */
  get residentBudget(): number {
    return this.budget;
  }

  /** Bytes held by resident packed weights now. */
  get residentBytes(): number {
    let s = 0;
    for (const slot of this.slots) s += slot.bytes;
    return s;
  }

  /**
   * Change the arena's cap (bytes, 0 = never resident); slots past the new cap are evicted at
   * once. Memory already grown is not returned (wasm memory never shrinks).
   */
  setResidentBudget(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_MEMORY_BYTES) throw new ConfigError('residentBudget', bytes, `an integer in 0..${MAX_MEMORY_BYTES}`);
    this.budget = bytes;
    this.trimArena();
  }

  /**
   * out[i*h + j] = <x_i - centre, w_j> for the n rows of X with hnd's W and centre: the numbers
   * of `dots(X, n, centre, W, h, D, out)` for the snapshot, bit for bit.
   */
  dotsResident(hnd: ResidentWeights, X: Float64Array, n: number, out: Float64Array): void {
    const r = this.checkHandle(hnd);
    const { h, D } = r;
    if (!Number.isInteger(n) || n < 0 || X.length < n * D) throw new ConfigError('X', `Float64Array(${X.length}) for n = ${n}`, `n >= 0 rows of D = ${D} entries`);
    if (out.length < n * h) throw new ConfigError('out', `Float64Array(${out.length})`, `length >= n*h = ${n * h}`);
    const l = this.prepare(h, D);
    const wp = this.packedAddress(r, l);
    if (r.centre !== null) this.f64.set(r.centre, l.centre >> 3);
    this.copyProducts(l, X, n, r.centre !== null, wp, out);
  }

  /** Copy W (and the centre) in and pack W. */
  private loadWeights(W: Float64Array, h: number, D: number, centre: Float64Array | null): Layout {
    const l = this.prepare(h, D);
    this.f64.set(W, l.wRaw >> 3);
    this.k.pack_w(l.wRaw, h, D, l.wp, l.Dp2);
    if (centre !== null) this.f64.set(centre, l.centre >> 3);
    return l;
  }

  /** Copy W, 1/||w_j||, v (and the centre) in and pack W; returns the layout of this call. */
  private loadNet(net: PReluNet, invNorm: Float64Array): Layout {
    const { h, D } = net;
    const l = this.loadWeights(net.W, h, D, net.centre);
    const F = this.f64;
    F.set(invNorm.subarray(0, h), l.invNorm >> 3);
    F.set(net.v, l.v >> 3);
    if (l.hp > h) {
      F[(l.invNorm >> 3) + h] = 0;
      F[(l.v >> 3) + h] = 0;
    }
    return l;
  }

  /**
   * Rows [i0, i0 + rows) of X: copy in, centre and pack, U = X~ W^T, then the powers
   * t = uhat^(p-1) (0 on inactive units) and sum_j v_j u_j t_j per row (into l.fout).
   * With a mask: 'record' writes (u > 0) for these rows into it (rows i0.. at i*h + j); 'frozen'
   * (p = 1, checked by the caller) takes the activity from it instead of the sign of u.
   */
  private forwardBlock(
    net: PReluNet, l: Layout, X: Float64Array, i0: number, rows: number, invNorm: Float64Array,
    pattern: ActivationPattern = 'live', mask: Uint8Array | null = null,
  ): void {
    const { h, p } = net;
    this.productBlock(l, X, i0, rows, net.centre !== null);
    const k = this.k;
    const q = p - 1;
    if (mask !== null && pattern === 'record') {
      const F = this.f64;
      for (let r = 0; r < rows; r++) {
        const uo = (l.u >> 3) + r * l.hp, mo = (i0 + r) * h;
        for (let j = 0; j < h; j++) mask[mo + j] = F[uo + j] > 0 ? 1 : 0;
      }
    } else if (mask !== null && pattern === 'frozen') {
      // p = 1: t = uhat^0 = 1 on the units the mask calls active; elem_f reads T (q < 0).
      const F = this.f64;
      for (let r = 0; r < rows; r++) {
        const to = (l.t >> 3) + r * l.hp, mo = (i0 + r) * h;
        for (let j = 0; j < h; j++) F[to + j] = mask[mo + j] !== 0 ? 1 : 0;
        if (l.hp > h) F[to + h] = 0;
      }
      k.elem_f(l.u, rows, l.hp, l.invNorm, l.v, -1, l.t, l.fout);
      return;
    }
    const qi = Number.isInteger(q) && q <= MAX_INT_POWER ? q : -1;
    if (qi < 0) {
      // Non-integer power: Math.pow here, the rest in wasm (elem_f reads T).
      const F = this.f64;
      for (let r = 0; r < rows; r++) {
        const uo = (l.u >> 3) + r * l.hp, to = (l.t >> 3) + r * l.hp;
        for (let j = 0; j < h; j++) {
          const uj = F[uo + j];
          F[to + j] = uj > 0 ? powq(uj * invNorm[j], q) : 0;
        }
        if (l.hp > h) F[to + h] = 0;
      }
    }
    k.elem_f(l.u, rows, l.hp, l.invNorm, l.v, qi, l.t, l.fout);
  }

  /** Rows [i0, i0 + rows) of X: one memcpy into linear memory, then centred and packed (X~ block). */
  private stageBlock(l: Layout, X: Float64Array, i0: number, rows: number, centred: boolean): void {
    const D = l.D;
    this.f64.set(X.subarray(i0 * D, (i0 + rows) * D), l.xRaw >> 3);
    this.k.pack_x(l.xRaw, rows, D, centred ? l.centre : 0, l.xp, l.Dp2, l.ss);
  }

  /** Rows [i0, i0 + rows) of X: the X~ block, then U = X~ W^T. */
  private productBlock(l: Layout, X: Float64Array, i0: number, rows: number, centred: boolean, wp: number = l.wp): void {
    this.stageBlock(l, X, i0, rows, centred);
    const k = this.k;
    const unitPanels = l.hp >> 1;
    const ub = Math.max(1, Math.min(unitPanels, Math.floor(UNIT_BLOCK_BYTES / (l.Dp2 * 32))));
    k.fwd(l.xp, (rows + 3) >> 2, wp, unitPanels, l.Dp2, l.u, l.hp, ub);
  }

  /** U = X~ W^T for the n rows of X with W packed at wp (centre already in place), into out (n x h). */
  private copyProducts(l: Layout, X: Float64Array, n: number, centred: boolean, wp: number, out: Float64Array): void {
    const h = l.h;
    for (let blk = 0; blk < n; blk += l.B) {
      const rows = Math.min(l.B, n - blk);
      this.productBlock(l, X, blk, rows, centred, wp);
      const F = this.f64;
      for (let r = 0; r < rows; r++) {
        const uo = (l.u >> 3) + r * l.hp, o = (blk + r) * h;
        for (let j = 0; j < h; j++) out[o + j] = F[uo + j];
      }
    }
  }

  /**
   * The per-call data movement alone: copy every block of X into linear memory and centre and
   * pack it, as lossAndGrad and forward do, with no products (the benchmark times it).
   */
  stage(X: Float64Array, n: number, h: number, D: number, centre: Float64Array | null): void {
    const l = this.prepare(h, D);
    if (centre !== null) this.f64.set(centre, l.centre >> 3);
    for (let blk = 0; blk < n; blk += l.B) this.stageBlock(l, X, blk, Math.min(l.B, n - blk), centre !== null);
  }

  /**
   * The forward product alone: out[i*h + j] = <x_i - centre, w_j> for the n rows of X (the wasm
   * counterpart of kernels.ts unitDots over all rows; tests compare the two).
   */
  dots(X: Float64Array, n: number, centre: Float64Array | null, W: Float64Array, h: number, D: number, out: Float64Array): void {
    const l = this.loadWeights(W, h, D, centre);
    this.copyProducts(l, X, n, centre !== null, l.wp, out);
  }

  /**
   * The backward product alone: dW[j*D + k] += sum_i C[i*h + j] (X[i*D + k] - centre[k]) (the wasm
   * counterpart of kernels.ts accumulateRows, plus the centring). Runs elem_c with rho = v = p = 1,
   * 1/||w|| = 0 and T = C, so the gather lists it builds carry exactly C (1 * 1 * 1 * c = c).
   */
  accumulate(C: Float64Array, X: Float64Array, n: number, centre: Float64Array | null, h: number, D: number, dW: Float64Array): void {
    const l = this.prepare(h, D);
    if (centre !== null) this.f64.set(centre, l.centre >> 3);
    const F0 = this.f64;
    const Dp = 2 * l.Dp2;
    F0.fill(0, l.invNorm >> 3, (l.invNorm >> 3) + l.hp);
    F0.fill(1, l.v >> 3, (l.v >> 3) + l.hp);
    F0.fill(1, l.rho >> 3, (l.rho >> 3) + l.B);
    F0.fill(0, l.u >> 3, (l.u >> 3) + l.B * l.hp);
    F0.fill(0, l.dw >> 3, (l.dw >> 3) + l.hp * Dp);
    const k = this.k;
    for (let blk = 0; blk < n; blk += l.B) {
      const rows = Math.min(l.B, n - blk);
      this.stageBlock(l, X, blk, rows, centre !== null);
      const F = this.f64;
      for (let r = 0; r < rows; r++) {
        const to = (l.t >> 3) + r * l.hp, o = (blk + r) * h;
        for (let j = 0; j < h; j++) F[to + j] = C[o + j];
        if (l.hp > h) F[to + h] = 0;
      }
      k.elem_c(l.u, rows, l.hp, l.t, l.invNorm, l.v, l.rho, 1, l.gv, l.radial, l.idx, l.coef, l.cnt, l.B, l.Dp2);
      k.bwd(l.xp, l.Dp2, l.idx, l.coef, l.cnt, l.B, l.hp >> 1, l.dw);
    }
    const F = this.f64;
    for (let j = 0; j < h; j++) {
      const o = j * D, od = (l.dw >> 3) + j * Dp;
      for (let kk = 0; kk < D; kk++) dW[o + kk] += F[od + kk];
    }
  }

  /** 1/s(x_i) from the packed block's ||x~_i||^2 (activation.ts sampleFactor; squares summed in pairs). */
  private invS(net: PReluNet, l: Layout, X: Float64Array, i: number, r: number): number {
    if (!net.normalise || net.p === 1) return 1;
    const ss = this.f64[(l.ss >> 3) + r];
    const xn = ss > 1e-290 && ss < 1e290 ? Math.sqrt(ss) : rowNorm(X, i * net.D, net.D, net.centre);
    return xn > 0 ? Math.pow(xn, 1 - net.p) : 0;
  }

  /** f(x_i) for the n rows of X into out (forward.ts contract). */
  forward(net: PReluNet, X: Float64Array, n: number, out: Float64Array, invNorm: Float64Array): void {
    const l = this.loadNet(net, invNorm);
    const b = net.hasBias ? net.b : 0;
    for (let blk = 0; blk < n; blk += l.B) {
      const rows = Math.min(l.B, n - blk);
      this.forwardBlock(net, l, X, blk, rows, invNorm);
      const F = this.f64, fo = l.fout >> 3;
      for (let r = 0; r < rows; r++) {
        const invS = this.invS(net, l, X, blk + r, r);
        out[blk + r] = (invS !== 0 ? F[fo + r] : 0) * invS + b;
      }
    }
  }

  /**
   * The fused pass of gradient.ts on the wasm kernels: fills ws.margins, ws.f and, when gW and gv
   * are given, gW (with the radial term), gv and ws.radial; returns dL/db (before the bias check).
   * `pattern` and `mask` as in gradient.ts (checked there: 'frozen' only for p = 1).
   */
  lossAndGrad(
    net: PReluNet, X: Float64Array, y: Float64Array, n: number, loss: LossKind, scale: number,
    gW: Float64Array | null, gv: Float64Array | null, w: Workspace,
    pattern: ActivationPattern = 'live', mask: Uint8Array | null = null,
  ): number {
    if (pattern === 'frozen' && (net.p !== 1 || mask === null)) throw new Error('wasm lossAndGrad: a frozen activation pattern needs p = 1 and a mask');
    const { invNorm, radial, margins, f: fOut } = w;
    const l = this.loadNet(net, invNorm);
    const { h, p, v, D } = net;
    const b = net.hasBias ? net.b : 0;
    const Dp = 2 * l.Dp2;
    const grad = gW !== null && gv !== null;
    if (grad) {
      this.f64.fill(0, l.dw >> 3, (l.dw >> 3) + l.hp * Dp);
      this.f64.fill(0, l.gv >> 3, (l.gv >> 3) + l.hp);
      this.f64.fill(0, l.radial >> 3, (l.radial >> 3) + l.hp);
    }
    const k = this.k;
    let dB = 0;
    for (let blk = 0; blk < n; blk += l.B) {
      const rows = Math.min(l.B, n - blk);
      this.forwardBlock(net, l, X, blk, rows, invNorm, pattern, mask);
      const F = this.f64;
      const fo = l.fout >> 3, ro = l.rho >> 3;
      for (let r = 0; r < rows; r++) {
        const i = blk + r;
        const invS = this.invS(net, l, X, i, r);
        const f = (invS !== 0 ? F[fo + r] * invS : 0) + b;
        fOut[i] = f;
        const yi = y[i];
        const m = yi * f;
        margins[i] = m;
        if (!grad) continue;
        const rr = -scale * lossWeight(loss, m) * yi;
        dB += rr;
        F[ro + r] = invS === 0 ? 0 : rr * invS;
      }
      if (!grad) continue;
      k.elem_c(l.u, rows, l.hp, l.t, l.invNorm, l.v, l.rho, p, l.gv, l.radial, l.idx, l.coef, l.cnt, l.B, l.Dp2);
      k.bwd(l.xp, l.Dp2, l.idx, l.coef, l.cnt, l.B, l.hp >> 1, l.dw);
    }
    if (gW !== null && gv !== null) {
      const F = this.f64;
      const W = net.W;
      for (let j = 0; j < h; j++) {
        gv[j] = F[(l.gv >> 3) + j];
        radial[j] = F[(l.radial >> 3) + j];
        const o = j * D, od = (l.dw >> 3) + j * Dp;
        // Radial term -(p-1) v_j sum_i rho_i uhat^p w_j/||w_j|| (gradient.ts).
        const a = -(p - 1) * v[j] * radial[j] * invNorm[j];
        if (a !== 0) for (let kk = 0; kk < D; kk++) gW[o + kk] = F[od + kk] + a * W[o + kk];
        else for (let kk = 0; kk < D; kk++) gW[o + kk] = F[od + kk];
      }
    }
    return dB;
  }
}
