/**
 * The authors' 10-class MNIST run (PAPER.md s.8, Section 5.2.1 and its appendix): 784 -> h -> 10
 * with output bias, the same recipe as the parity net (train.ts): inputs centred by the mean
 * training image, pReLU input normalisation, nn.Linear (Kaiming-uniform) init, Adam lr 1e-3,
 * batch 1000, mean softmax cross-entropy. The hidden layer is the pReLU layer of PAPER.md s.2:
 *   a_j(x) = relu(<x~, w_j>)^p / (||w_j||^(p-1) ||x~||^(p-1)),   logits l_c = sum_j V_cj a_j + b_c.
 *
 * Gradients (one fused pass per batch, no allocation). With r_ic = (softmax_c(l_i) - 1{c = y_i}) / n
 * (dL/dl_ic of the mean CE), e_ij = sum_c r_ic V_cj = dL/da_ij, t_ij = uhat_ij^(p-1),
 * uhat_ij = u_ij / ||w_j|| and 1/s_i = ||x~_i||^(1-p):
 *   dL/dV_cj = sum_i r_ic a_ij,   dL/db_c = sum_i r_ic,
 *   dL/dw_j  = sum_i e_ij / s_i [ p t_ij x~_i - (p-1) uhat_ij t_ij w_j / ||w_j|| ]
 * (the parity net's formula, gradient.ts, with v_j r_i replaced by e_ij, which no longer factors).
 * Input gradient for the attacks (the same unit derivative in x):
 *   d(sum_c k_c l_c)/dx = (1/s) sum_j E_j p t_j w_j - (p-1) (sum_j E_j a_j) x~ / ||x~||^2,
 *   E_j = sum_c k_c V_cj.
 * Conventions as src/network/activation.ts: p = 1 reads t = 1{u > 0}; a unit is 0 with zero
 * derivative at u <= 0, at w_j = 0, and (normalising, p > 1) at x~ = 0.
 *
 * The two dense products u = X~ W^T and dW += C^T X~ run on the kernels the workspace (or the
 * process default) names (src/network/kernels.ts):
 * - 'wasm-simd': the WebAssembly engine's dots and accumulate (src/network/wasm/engine.ts), chunk
 *   by chunk of rows; the centring is applied inside (dW accumulates C_ij (x_i - xbar) directly).
 * - 'js': the network module's blocked unitDots (two rows by four units) and the gather below
 *   (four rows per store of dW), summing C_ij x_i and subtracting colSum_j xbar at the end; the
 *   reference and the fallback.
 * The per-element work (activations, the C logits, the log-space softmax CE, the coefficients,
 * the radial term, the normalisation) is the same JS code on both (rowPass). The two agree to
 * rounding (different summation order, fused multiply-adds in wasm); the tests state the bound.
 */
import { Rng } from '../random/rng.ts';
import { stableRank, hiddenFeatures, type PReluNet } from '../network/index.ts';
import { kernelBackend, requireKernelBackend, unitDots, wasmEngine, type KernelBackend } from '../network/kernels.ts';
import { powq, rowNorm } from '../network/activation.ts';
import { softmaxCe, untargetedMargin, type AttackObjective, type VectorModel } from '../robustness/model.ts';
import { ConfigError, requireInt, requireKnownKeys, requireReal } from '../validate.ts';
import { resolveTrainOptions, runTrainingLoop, type EpochRecord, type TrainOptions } from './loop.ts';
import { meanImage, type DigitSet } from './split.ts';

export const DIGIT_CLASSES = 10;

/** A 784 -> h -> C pReLU net whose parameters are views of one packed vector [W, V, b]. */
export interface MulticlassNet {
  D: number;
  h: number;
  p: number;
  C: number;
  /** h x D row-major. */
  W: Float64Array;
  /** C x h row-major (row c: the weights of logit c). */
  V: Float64Array;
  /** Length C. */
  b: Float64Array;
  /** The mean training image. */
  centre: Float64Array;
  normalise: boolean;
}

export function multiclassParamCount(D: number, h: number, C: number): number {
  return h * D + C * h + C;
}

/** Views of a packed [W, V, b] (length h D + C h + C) as a net. */
export function multiclassView(D: number, h: number, p: number, C: number, theta: Float64Array, centre: Float64Array, normalise = true): MulticlassNet {
  requireInt('D', D, 1);
  requireInt('h', h, 1);
  requireReal('p', p, { min: 1 });
  requireInt('classes', C, 2);
  if (theta.length !== multiclassParamCount(D, h, C)) throw new ConfigError('theta', `Float64Array(${theta.length})`, `a Float64Array of length hD + Ch + C = ${multiclassParamCount(D, h, C)}`);
  if (centre.length !== D) throw new ConfigError('centre', `Float64Array(${centre.length})`, `a Float64Array of length D = ${D}`);
  return {
    D, h, p, C, centre, normalise,
    W: theta.subarray(0, h * D), V: theta.subarray(h * D, h * D + C * h), b: theta.subarray(h * D + C * h),
  };
}

/** nn.Linear(784, h, bias = False) and nn.Linear(h, C): U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function initMulticlassNet(D: number, h: number, p: number, C: number, centre: Float64Array, rng: Rng): { net: MulticlassNet; theta: Float64Array } {
  const theta = new Float64Array(multiclassParamCount(D, h, C));
  const bw = 1 / Math.sqrt(D);
  const bv = 1 / Math.sqrt(h);
  for (let i = 0; i < h * D; i++) theta[i] = bw * (2 * rng.uniform() - 1);
  for (let i = h * D; i < theta.length; i++) theta[i] = bv * (2 * rng.uniform() - 1);
  return { net: multiclassView(D, h, p, C, theta, centre), theta };
}

/** The hidden layer as a PReluNet (head unused), for hiddenFeatures / stable ranks. */
export function hiddenLayer(net: MulticlassNet): PReluNet {
  return { D: net.D, h: net.h, p: net.p, W: net.W, v: new Float64Array(net.h), b: 0, hasBias: false, centre: net.centre, normalise: net.normalise };
}

/** Stable rank of the hidden features on `set` (the statistic of PAPER.md s.8). */
export function multiclassFeatureStableRank(net: MulticlassNet, set: DigitSet): number {
  return stableRank(hiddenFeatures(hiddenLayer(net), set.X, set.n), set.n, net.h);
}

// ---------------------------------------------------------------------------------------------
// Small numeric helpers (the conventions of src/network/activation.ts; powq, rowNorm and the
// blocked dots unitDots are the network module's own).

function inverseNorms(W: Float64Array, h: number, D: number, out: Float64Array): void {
  for (let j = 0; j < h; j++) {
    const o = j * D;
    let m = 0;
    for (let k = 0; k < D; k++) m = Math.max(m, Math.abs(W[o + k]));
    if (m === 0) {
      out[j] = 0;
      continue;
    }
    // Scaled by the largest entry: no overflow or underflow of the sum of squares.
    let ss = 0;
    for (let k = 0; k < D; k++) {
      const w = W[o + k] / m;
      ss += w * w;
    }
    out[j] = 1 / (m * Math.sqrt(ss));
  }
}

/** 1/s(x) = ||x~||^(1-p) (1 without normalisation or at p = 1; 0 at x~ = 0 for p > 1). */
function invScale(normalise: boolean, p: number, xn: number): number {
  if (!normalise || p === 1) return 1;
  return xn > 0 ? Math.pow(xn, 1 - p) : 0;
}

/** dst[o_j ..] += sum_t coef[t] src[idx[t] ..] (length D), four source rows per pass over dst. */
function gatherAdd(dst: Float64Array, o: number, src: Float64Array, idx: Int32Array, coef: Float64Array, m: number, D: number): void {
  let t = 0;
  for (; t + 3 < m; t += 4) {
    const a0 = idx[t], a1 = idx[t + 1], a2 = idx[t + 2], a3 = idx[t + 3];
    const c0 = coef[t], c1 = coef[t + 1], c2 = coef[t + 2], c3 = coef[t + 3];
    for (let k = 0; k < D; k++) dst[o + k] += c0 * src[a0 + k] + c1 * src[a1 + k] + c2 * src[a2 + k] + c3 * src[a3 + k];
  }
  for (; t < m; t++) {
    const a = idx[t], c = coef[t];
    for (let k = 0; k < D; k++) dst[o + k] += c * src[a + k];
  }
}

/** Rows per block of the JS fused pass (the block's rows of X stay in cache for dW). */
const BLOCK = 64;

/**
 * Rows per call of the wasm products: U and the coefficients of a chunk are chunkRows x h doubles
 * each, at most 4 MB at h >= 512 (a batch of 1000 at h = 500 is one chunk, so W is packed once per
 * batch; the engine blocks the rows again inside for cache).
 */
function wasmChunkRows(h: number): number {
  return Math.max(BLOCK, Math.min(1024, Math.floor((1 << 19) / h)));
}

export interface MulticlassWorkspaceOptions {
  /** Kernels for calls with this workspace; default: the process default at each call (kernelBackend()). */
  kernels?: KernelBackend;
}

/** Scratch for lossAndGradMulticlass / multiclassLogits: sized once per (h, C). */
export interface MulticlassWorkspace {
  h: number;
  C: number;
  u: Float64Array;
  invNorm: Float64Array;
  t: Float64Array;
  a: Float64Array;
  e: Float64Array;
  logits: Float64Array;
  coefBlk: Float64Array;
  radial: Float64Array;
  colSum: Float64Array;
  idx: Int32Array;
  coef: Float64Array;
  /** 'wasm-simd' or 'js' (src/network/kernels.ts), or null for the process default at each call. */
  readonly kernels: KernelBackend | null;
  /** wasm path: U = X~ W^T and the coefficients C of one chunk of rows (wasmChunkRows x h), allocated at first use. */
  chunkU: Float64Array | null;
  chunkCoef: Float64Array | null;
}

export function createMulticlassWorkspace(h: number, C: number, opts: MulticlassWorkspaceOptions = {}): MulticlassWorkspace {
  requireInt('h', h, 1);
  requireInt('classes', C, 2);
  const o = requireKnownKeys('workspace options', opts, ['kernels']);
  const kernels = o.kernels === undefined ? null : requireKernelBackend('kernels', o.kernels);
  return {
    h, C,
    u: new Float64Array(2 * h), invNorm: new Float64Array(h), t: new Float64Array(h), a: new Float64Array(h), e: new Float64Array(h),
    logits: new Float64Array(C), coefBlk: new Float64Array(BLOCK * h),
    radial: new Float64Array(h), colSum: new Float64Array(h), idx: new Int32Array(BLOCK), coef: new Float64Array(BLOCK),
    kernels, chunkU: null, chunkCoef: null,
  };
}

/** Whether calls with this workspace run their products on the wasm engine. */
function onWasm(ws: MulticlassWorkspace, h: number, D: number): boolean {
  return (ws.kernels ?? kernelBackend()) === 'wasm-simd' && wasmEngine().supports(h, D);
}

function chunkBuffers(ws: MulticlassWorkspace, withCoef: boolean): { U: Float64Array; Cf: Float64Array | null; rows: number } {
  const rows = wasmChunkRows(ws.h);
  ws.chunkU ??= new Float64Array(rows * ws.h);
  if (withCoef) ws.chunkCoef ??= new Float64Array(rows * ws.h);
  return { U: ws.chunkU, Cf: withCoef ? ws.chunkCoef : null, rows };
}

function checkBatch(net: MulticlassNet, X: Float64Array, n: number, labels?: Int32Array): void {
  requireInt('n', n, 1);
  if (X.length < n * net.D) throw new ConfigError('X', `Float64Array(${X.length})`, `at least n*D = ${n * net.D} entries`);
  if (labels !== undefined) {
    if (labels.length < n) throw new ConfigError('labels', `Int32Array(${labels.length})`, `at least n = ${n} labels`);
    for (let i = 0; i < n; i++) if (!(labels[i] >= 0 && labels[i] < net.C)) throw new ConfigError(`labels[${i}]`, labels[i], `a class in 0..${net.C - 1}`);
  }
}

function checkWorkspace(net: MulticlassNet, ws: MulticlassWorkspace): void {
  if (ws.h !== net.h || ws.C !== net.C) throw new ConfigError('workspace', `h=${ws.h}, C=${ws.C}`, `a workspace for h=${net.h}, C=${net.C}`);
}

/** 1/s(x_i) of row i (the pReLU input normalisation, PAPER.md s.2). */
function rowInvScale(net: MulticlassNet, X: Float64Array, i: number): number {
  const { D, p, centre, normalise } = net;
  return invScale(normalise, p, normalise && p !== 1 ? rowNorm(X, i * D, D, centre) : 1);
}

/**
 * The per-row work of the fused pass, shared by both kernels. From the row's unit dots
 * u[uo .. uo + h) and its 1/s: the powers t_j = uhat_j^(p-1) (0 on inactive units), the
 * activations a_j, the C logits and the row's CE = logsumexp(l) - l_y (returned; shifted by the
 * largest logit, so no overflow). With gV and gb (the head gradient, accumulated), also
 * r_c = (softmax_c - 1{c = y}) / n, e_j = sum_c r_c V_cj, the row's coefficient of x~ in dL/dw_j,
 * e_j/s p t_j, into coefOut[co + j] (0 on inactive units), its column sums into ws.colSum and the
 * radial sums e_j/s uhat_j t_j into ws.radial (file comment).
 */
function rowPass(
  net: MulticlassNet, ws: MulticlassWorkspace, u: Float64Array, uo: number, iS: number, y: number, scale: number,
  gV: Float64Array | null, gb: Float64Array | null, coefOut: Float64Array, co: number,
): number {
  const { h, p, C, V, b } = net;
  const { invNorm, t, a, e, logits, radial, colSum } = ws;
  const q = p - 1;
  for (let j = 0; j < h; j++) {
    const uj = u[uo + j];
    const tj = uj > 0 && iS !== 0 ? powq(uj * invNorm[j], q) : 0;
    t[j] = tj;
    a[j] = tj === 0 ? 0 : uj * tj * iS;
  }
  let mx = -Infinity;
  for (let c = 0; c < C; c++) {
    let s = b[c];
    const vo = c * h;
    for (let j = 0; j < h; j++) s += V[vo + j] * a[j];
    logits[c] = s;
    if (s > mx) mx = s;
  }
  let se = 0;
  for (let c = 0; c < C; c++) se += Math.exp(logits[c] - mx);
  const lse = mx + Math.log(se);
  if (gV === null || gb === null) return lse - logits[y];
  e.fill(0);
  for (let c = 0; c < C; c++) {
    const rc = scale * (Math.exp(logits[c] - lse) - (c === y ? 1 : 0));
    gb[c] += rc;
    const vo = c * h;
    for (let j = 0; j < h; j++) {
      gV[vo + j] += rc * a[j];
      e[j] += rc * V[vo + j];
    }
  }
  for (let j = 0; j < h; j++) {
    const tj = t[j];
    if (tj === 0) {
      coefOut[co + j] = 0;
      continue;
    }
    const ej = e[j] * iS;
    const cij = ej * p * tj;
    coefOut[co + j] = cij;
    colSum[j] += cij;
    radial[j] += ej * u[uo + j] * invNorm[j] * tj;
  }
  return lse - logits[y];
}

/** The JS kernels: unitDots two rows at a time, the gather per block of BLOCK rows (sum of C_ij x_i, uncentred). */
function passJs(
  net: MulticlassNet, X: Float64Array, labels: Int32Array, n: number, scale: number,
  gW: Float64Array | null, gV: Float64Array | null, gb: Float64Array | null, ws: MulticlassWorkspace,
): number {
  const { D, h, W, centre } = net;
  const { u, coefBlk, idx, coef } = ws;
  let L = 0;
  for (let blk = 0; blk < n; blk += BLOCK) {
    const end = Math.min(n, blk + BLOCK);
    for (let i0 = blk; i0 < end; i0 += 2) {
      const rows = Math.min(2, end - i0);
      unitDots(X, i0, rows, centre, W, h, D, u);
      for (let rr = 0; rr < rows; rr++) {
        const i = i0 + rr;
        L += rowPass(net, ws, u, rr * h, rowInvScale(net, X, i), labels[i], scale, gV, gb, coefBlk, (i - blk) * h);
      }
    }
    if (gW === null) continue;
    // dW_j += sum_r coef_rj x_r over the block's active rows (the centring shift comes at the end).
    const rowsInBlk = end - blk;
    for (let j = 0; j < h; j++) {
      let m = 0;
      for (let r = 0; r < rowsInBlk; r++) {
        const cc = coefBlk[r * h + j];
        if (cc !== 0) {
          idx[m] = (blk + r) * D;
          coef[m] = cc;
          m++;
        }
      }
      if (m > 0) gatherAdd(gW, j * D, X, idx, coef, m, D);
    }
  }
  return L;
}

/** The wasm kernels: per chunk of rows, U = X~ W^T (engine.dots), then dW += C^T X~ (engine.accumulate, centred inside). */
function passWasm(
  net: MulticlassNet, X: Float64Array, labels: Int32Array, n: number, scale: number,
  gW: Float64Array | null, gV: Float64Array | null, gb: Float64Array | null, ws: MulticlassWorkspace,
): number {
  const { D, h, W, centre } = net;
  const eng = wasmEngine();
  const { U, Cf, rows: R } = chunkBuffers(ws, gW !== null);
  let L = 0;
  for (let s = 0; s < n; s += R) {
    const rows = Math.min(R, n - s);
    const Xc = X.subarray(s * D, (s + rows) * D);
    eng.dots(Xc, rows, centre, W, h, D, U);
    for (let r = 0; r < rows; r++) {
      const i = s + r;
      // Without a gradient rowPass writes no coefficients (Cf is null, U stands in).
      L += rowPass(net, ws, U, r * h, rowInvScale(net, X, i), labels[i], scale, gV, gb, Cf ?? U, r * h);
    }
    if (gW !== null && Cf !== null) eng.accumulate(Cf, Xc, rows, centre, h, D, gW);
  }
  return L;
}

/**
 * Mean softmax cross-entropy over the n rows of X (labels in 0..C-1); when `grad` (packed like
 * theta, [dW, dV, db]) is given it is overwritten with the gradient. No allocation (the wasm
 * path's chunk buffers are allocated once per workspace).
 */
export function lossAndGradMulticlass(
  net: MulticlassNet, X: Float64Array, labels: Int32Array, n: number, grad: Float64Array | null, ws: MulticlassWorkspace,
): number {
  checkBatch(net, X, n, labels);
  const { D, h, p, C, W, centre } = net;
  checkWorkspace(net, ws);
  if (grad !== null && grad.length !== multiclassParamCount(D, h, C)) throw new ConfigError('grad', `Float64Array(${grad.length})`, `length ${multiclassParamCount(D, h, C)}`);
  const { invNorm, radial, colSum } = ws;
  inverseNorms(W, h, D, invNorm);
  const scale = 1 / n;
  const gW = grad === null ? null : grad.subarray(0, h * D);
  const gV = grad === null ? null : grad.subarray(h * D, h * D + C * h);
  const gb = grad === null ? null : grad.subarray(h * D + C * h);
  if (grad !== null) {
    grad.fill(0);
    radial.fill(0);
    colSum.fill(0);
  }
  const wasm = onWasm(ws, h, D);
  let L = wasm ? passWasm(net, X, labels, n, scale, gW, gV, gb, ws) : passJs(net, X, labels, n, scale, gW, gV, gb, ws);
  L *= scale;
  if (gW === null) return L;
  // The radial term of the normalisation, -(p-1) (sum_i e_ij/s_i uhat_ij t_ij) w_j/||w_j||, and
  // (JS path only: its products summed C_ij x_i) the centring shift -colSum_j xbar.
  for (let j = 0; j < h; j++) {
    const o = j * D;
    const rad = -(p - 1) * radial[j] * invNorm[j];
    if (wasm) {
      if (rad !== 0) for (let k = 0; k < D; k++) gW[o + k] += rad * W[o + k];
      continue;
    }
    const s = colSum[j];
    if (rad !== 0 || s !== 0) for (let k = 0; k < D; k++) gW[o + k] += rad * W[o + k] - s * centre[k];
  }
  return L;
}

/** Logits of one row from its unit dots u[uo .. uo + h) and 1/s into out[oo .. oo + C). */
function logitsRow(net: MulticlassNet, ws: MulticlassWorkspace, u: Float64Array, uo: number, iS: number, out: Float64Array, oo: number): void {
  const { h, p, C, V, b } = net;
  const { invNorm, a } = ws;
  for (let j = 0; j < h; j++) {
    const uj = u[uo + j];
    a[j] = uj > 0 && iS !== 0 ? uj * powq(uj * invNorm[j], p - 1) * iS : 0;
  }
  for (let c = 0; c < C; c++) {
    let s = b[c];
    for (let j = 0; j < h; j++) s += V[c * h + j] * a[j];
    out[oo + c] = s;
  }
}

/** Logits of the n rows of X into out (n x C row-major). */
export function multiclassLogits(net: MulticlassNet, X: Float64Array, n: number, out?: Float64Array, ws?: MulticlassWorkspace): Float64Array {
  checkBatch(net, X, n);
  const { D, h, C, W, centre } = net;
  const res = out ?? new Float64Array(n * C);
  if (res.length < n * C) throw new ConfigError('out', `Float64Array(${res.length})`, `length >= n*C = ${n * C}`);
  const w = ws ?? createMulticlassWorkspace(h, C);
  checkWorkspace(net, w);
  inverseNorms(W, h, D, w.invNorm);
  if (onWasm(w, h, D)) {
    const eng = wasmEngine();
    const { U, rows: R } = chunkBuffers(w, false);
    for (let s = 0; s < n; s += R) {
      const rows = Math.min(R, n - s);
      eng.dots(X.subarray(s * D, (s + rows) * D), rows, centre, W, h, D, U);
      for (let r = 0; r < rows; r++) logitsRow(net, w, U, r * h, rowInvScale(net, X, s + r), res, (s + r) * C);
    }
    return res;
  }
  const u = w.u;
  for (let i0 = 0; i0 < n; i0 += 2) {
    const rows = Math.min(2, n - i0);
    unitDots(X, i0, rows, centre, W, h, D, u);
    for (let rr = 0; rr < rows; rr++) logitsRow(net, w, u, rr * h, rowInvScale(net, X, i0 + rr), res, (i0 + rr) * C);
  }
  return res;
}

/** Fraction of rows whose label's logit is strictly the largest (ties count as wrong). */
export function multiclassAccuracy(net: MulticlassNet, set: DigitSet): number {
  const C = net.C;
  const l = multiclassLogits(net, set.X, set.n);
  let ok = 0;
  for (let i = 0; i < set.n; i++) {
    const y = set.digit[i];
    let wins = true;
    for (let c = 0; c < C; c++) if (c !== y && !(l[i * C + y] > l[i * C + c])) wins = false;
    if (wins) ok++;
  }
  return ok / set.n;
}

export interface MulticlassTrained {
  net: MulticlassNet;
  theta: Float64Array;
  history: EpochRecord[];
  seconds: number;
}

/**
 * Train on `train` (labels: the digit) with the recipe of the file comment, in the loop shared with
 * trainParity (loop.ts); `rng` draws the init and then the batch order, exactly as trainParity does
 * (same draws for the same rng), so that a seed means the same W init and batch order in both
 * tasks. The products run on the process default kernels (kernelBackend()).
 */
export function trainMulticlass(train: DigitSet, options: TrainOptions, rng: Rng, onEpoch?: (r: EpochRecord) => void): MulticlassTrained {
  const o = resolveTrainOptions(options);
  const { h, p } = o;
  const D = train.D;
  const C = DIGIT_CLASSES;
  const t0 = performance.now();
  const centre = meanImage(train);
  const { net, theta } = initMulticlassNet(D, h, p, C, centre, rng);
  const g = new Float64Array(theta.length);
  const ws = createMulticlassWorkspace(h, C);
  const history = runTrainingLoop(train, {
    theta, grad: g, labels: train.digit,
    groups: [{ start: 0, end: theta.length, lr: o.lr }],
    lossAndGrad: (X, y, n, withGrad) => lossAndGradMulticlass(net, X, y, n, withGrad ? g : null, ws),
    weightStableRank: () => stableRank(net.W, h, D),
    featureStableRank: (probe) => multiclassFeatureStableRank(net, probe),
  }, o, rng, t0, onEpoch);
  return { net, theta, history, seconds: (performance.now() - t0) / 1e3 };
}

// ---------------------------------------------------------------------------------------------
// Attacks: the net on raw pixels (centring and normalisation inside, as in robust.ts).

/**
 * A snapshot for single-input evaluations with fixed weights (norms cached; do not change W while
 * it is in use). `logits(x)` keeps the unit values of x, and `backward` then forms the VJP at that
 * x without recomputing the h x D product: one forward and one gather pass per attack step.
 */
export interface FrozenMulticlass {
  readonly dim: number;
  readonly classes: number;
  /** Logits at x into out (length C); remembers x for `backward` (do not modify x in between). */
  logits(x: Float64Array, out: Float64Array): void;
  /** g = sum_c coef[c] grad l_c at the x of the last `logits` call. */
  backward(coef: Float64Array, g: Float64Array): void;
}

export function freezeMulticlass(net: MulticlassNet): FrozenMulticlass {
  const { D, h, p, C, W, V, b, centre, normalise } = net;
  const invNorm = new Float64Array(h);
  inverseNorms(W, h, D, invNorm);
  const u = new Float64Array(h);
  const t = new Float64Array(h);
  const a = new Float64Array(h);
  const idx = new Int32Array(h);
  const cf = new Float64Array(h);
  const q = p - 1;
  let last: Float64Array | null = null;
  let xn = 1;
  let iS = 1;
  return {
    dim: D, classes: C,
    logits(x: Float64Array, out: Float64Array): void {
      if (x.length !== D) throw new ConfigError('x', `Float64Array(${x.length})`, `a Float64Array of length D = ${D}`);
      xn = normalise && p !== 1 ? rowNorm(x, 0, D, centre) : 1;
      iS = invScale(normalise, p, xn);
      unitDots(x, 0, 1, centre, W, h, D, u);
      for (let j = 0; j < h; j++) {
        const uj = u[j];
        const tj = uj > 0 && iS !== 0 ? powq(uj * invNorm[j], q) : 0;
        t[j] = tj;
        a[j] = tj === 0 ? 0 : uj * tj * iS;
      }
      for (let c = 0; c < C; c++) {
        let s = b[c];
        for (let j = 0; j < h; j++) s += V[c * h + j] * a[j];
        out[c] = s;
      }
      last = x;
    },
    backward(coef: Float64Array, g: Float64Array): void {
      const x = last;
      if (x === null) throw new ConfigError('backward', 'no preceding logits(x) call', 'logits(x) first');
      if (g.length !== D) throw new ConfigError('g', `Float64Array(${g.length})`, `a Float64Array of length D = ${D}`);
      g.fill(0);
      let m = 0;
      let ea = 0;
      for (let j = 0; j < h; j++) {
        if (t[j] === 0) continue;
        let ej = 0;
        for (let c = 0; c < C; c++) ej += coef[c] * V[c * h + j];
        ea += ej * a[j];
        idx[m] = j * D;
        cf[m] = ej * p * t[j] * iS;
        m++;
      }
      gatherAdd(g, 0, W, idx, cf, m, D);
      // The normalisation's radial term -(p-1) (sum_j E_j a_j) x~ / ||x~||^2.
      if (normalise && p !== 1 && xn > 0) {
        const k = (-(p - 1) * ea) / (xn * xn);
        for (let i = 0; i < D; i++) g[i] += k * (x[i] - centre[i]);
      }
    },
  };
}

/** The net as the attacks' VectorModel (src/robustness/model.ts), for multiclassObjective. */
export function multiclassVectorModel(net: MulticlassNet): VectorModel {
  const fz = freezeMulticlass(net);
  const scratch = new Float64Array(net.C);
  return {
    dim: net.D, classes: net.C,
    logits: (x, out) => fz.logits(x, out),
    vjp: (x, coef, g) => {
      fz.logits(x, scratch);
      fz.backward(coef, g);
    },
  };
}

/**
 * APGD-CE's objective for label y: CE = logsumexp(l) - l_y and its input gradient in one pass
 * (the function of multiclassObjective(.., 'ce') in model.ts, whose VectorModel interface makes it
 * compute the logits twice per gradient call; here the VJP re-uses the forward pass). margin = l_y - max_{c != y} l_c, > 0 iff correct.
 */
export function multiclassCeObjective(fz: FrozenMulticlass, label: number): AttackObjective {
  const C = fz.classes;
  if (!Number.isInteger(label) || label < 0 || label >= C) throw new ConfigError('label', label, `a class in 0..${C - 1}`);
  const l = new Float64Array(C);
  const coef = new Float64Array(C);
  const obj: AttackObjective = {
    dim: fz.dim,
    margin: NaN,
    evaluate(x: Float64Array, g?: Float64Array): number {
      fz.logits(x, l);
      obj.margin = untargetedMargin(l, 0, C, label);
      const ce = softmaxCe(l, 0, C, label, g ? coef : null);
      if (g) fz.backward(coef, g);
      return ce;
    },
  };
  return obj;
}
