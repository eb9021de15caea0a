/**
 * The loss L = sum_i l(y_i f(x_i)) (or its mean) and its exact gradient (PAPER.md s.3), fused:
 * u_ij = <x~_i, w_j> is computed once per (i, j) and serves the value, dL/dv_j, the radial part
 * of dL/dw_j and the coefficient C_ij of x~_i in dL/dw_j; a second blocked product then forms
 * dL/dW = C^T X~ (kernels.ts), block of rows by block of rows. With r_i = dL/df_i = -c g_i y_i
 * (c = 1 or 1/n, g = -l'), rho_i = r_i / s(x_i) and uhat_ij = u_ij / ||w_j||, for active units
 * (u_ij > 0):
 *   dL/dv_j = sum_i rho_i u_ij uhat_ij^(p-1)
 *   dL/dw_j = v_j sum_i rho_i [ p uhat_ij^(p-1) x~_i - (p-1) uhat_ij^p w_j/||w_j|| ]
 *   dL/db   = sum_i r_i
 * which is -(dw_j/dt, dv_j/dt) of PAPER.md s.3 (the ||w_j||^(p-1) normalisation supplies the
 * radial term). It follows that v_j dL/dv_j = <w_j, dL/dw_j> for every j: the reason
 * v_j^2 - ||w_j||^2 is conserved under gradient flow.
 *
 * The dense products run on the kernels the workspace (or the process default) names
 * (kernels.ts): 'wasm-simd' (wasm/engine.ts: SIMD products, X centred while packed so no colSum
 * correction) or 'js' (the loops below, the reference). Both give the same numbers up to rounding.
 *
 * Activation patterns (types.ts ActivationPattern): by default a unit is active where u_ij > 0
 * (relu'(0) = 0). 'record' also writes that pattern to ws.mask; 'frozen' (p = 1 only) takes the
 * pattern from ws.mask instead of the signs, so units count as active where u_ij < 0 or inactive
 * where u_ij > 0 if the mask says so. For p = 1 the formulas above then read, with m_ij in {0, 1},
 *   dL/dv_j = sum_i rho_i m_ij u_ij,   dL/dw_j = v_j sum_i rho_i m_ij x~_i,
 * so v_j dL/dv_j = <w_j, dL/dw_j> still holds for ANY mask (1-homogeneity of w -> m <x~, w>), and
 * for a fixed mask the loss is smooth in (W, v): one smooth piece of the discontinuous p = 1 field,
 * which the Gauss stepper uses per step (dynamics/solver/gauss.ts, frozenModes). For p != 1 a
 * frozen pattern is refused: uhat^(p-1) of a negative u is not the net's activation, and those
 * fields are continuous anyway. 'live' and 'record' give bit-identical numbers, and 'frozen' at
 * the recorded point gives the same numbers as the live call (tested, both kernels).
 *
 * Ranges: see loss.ts. The logistic loss and its gradient are finite whenever every f(x_i) is; the
 * exp loss value is +Infinity only when L exceeds the double range, and then the gradient is not
 * representable either (entries may be +-Infinity or NaN): use logLossValue and stop earlier.
 */
import { checkBatch, checkNet } from './create.ts';
import { accumulateRows, kernelBackend, ROW_BLOCK, unitDots, wasmEngine } from './kernels.ts';
import { inverseNorms, powq, sampleFactor } from './activation.ts';
import { lossValue, lossWeight, validateLossOptions } from './loss.ts';
import { workspaceFor } from './workspace.ts';
import type { ActivationPattern, LossOptions, NetGrad, PReluNet, Workspace } from './types.ts';
import { ConfigError } from '../validate.ts';

function checkGrad(net: PReluNet, grad: NetGrad): void {
  if (!(grad.W instanceof Float64Array) || grad.W.length !== net.h * net.D) {
    throw new ConfigError('grad.W', grad.W instanceof Float64Array ? `Float64Array(${grad.W.length})` : grad.W, `a Float64Array of length h*D = ${net.h * net.D}`);
  }
  if (!(grad.v instanceof Float64Array) || grad.v.length !== net.h) {
    throw new ConfigError('grad.v', grad.v instanceof Float64Array ? `Float64Array(${grad.v.length})` : grad.v, `a Float64Array of length h = ${net.h}`);
  }
}

/**
 * The activation-pattern buffer for a call on n samples (header: 'record' allocates it, 'frozen'
 * needs a recorded one), after checking the pattern is allowed for this net.
 */
function patternMask(net: PReluNet, n: number, pattern: ActivationPattern, ws: Workspace | undefined): Uint8Array | null {
  if (pattern === 'live') return null;
  if (pattern !== 'record' && pattern !== 'frozen') throw new ConfigError('pattern', pattern, "'live', 'record' or 'frozen'");
  if (ws === undefined) throw new ConfigError('workspace', undefined, `a Workspace to keep the activation pattern in (pattern '${pattern}')`);
  const need = n * net.h;
  if (pattern === 'frozen') {
    if (net.p !== 1) throw new ConfigError('p', net.p, "1 with pattern 'frozen' (for p != 1 use 'live' or 'record')");
    if (ws.mask === null || ws.mask.length < need) {
      throw new ConfigError('workspace.mask', ws.mask === null ? null : `Uint8Array(${ws.mask.length})`, `a pattern of length >= n*h = ${need} (recorded by a call with pattern 'record')`);
    }
    return ws.mask;
  }
  if (ws.mask === null || ws.mask.length < need) ws.mask = new Uint8Array(Math.max(need, ws.capacity * net.h));
  return ws.mask;
}

/**
 * Returns L; when `grad` is given, overwrites it with dL/d(W, v, b) (grad.b = 0 without a bias).
 * Margins y_i f(x_i) and outputs f(x_i) of the call are left in ws.margins / ws.f.
 * `pattern` (default 'live'): how active units are chosen (header; 'record' and 'frozen' need ws).
 */
export function lossAndGrad(
  net: PReluNet, X: Float64Array, y: Float64Array, n: number,
  opts: LossOptions, grad: NetGrad | null, ws?: Workspace, pattern: ActivationPattern = 'live',
): number {
  checkNet(net);
  checkBatch(net, X, n, y);
  const { loss, reduction } = validateLossOptions(opts);
  if (grad !== null) checkGrad(net, grad);
  const mask = patternMask(net, n, pattern, ws);
  const w = workspaceFor(net, n, ws);
  const { D, h, p, W, v, centre, normalise } = net;
  const { C, u, pw, radial, colSum, margins, f: fOut } = w;
  const invNorm = inverseNorms(W, h, D, w.invNorm);
  const q = p - 1;
  const b = net.hasBias ? net.b : 0;
  const scale = reduction === 'mean' ? 1 / n : 1;
  if (grad !== null) {
    radial.fill(0);
    colSum.fill(0);
    grad.v.fill(0);
  }
  const gW = grad === null ? null : grad.W;
  if ((w.kernels ?? kernelBackend()) === 'wasm-simd' && wasmEngine().supports(h, D)) {
    // Same computation on the WebAssembly kernels (wasm/engine.ts); the centring is applied to
    // X inside the packed blocks there, so colSum is not needed.
    const dBw = wasmEngine().lossAndGrad(net, X, y, n, loss, scale, gW, grad === null ? null : grad.v, w, pattern, mask);
    const Lw = lossValue(margins, { loss, reduction }, n);
    if (grad !== null) grad.b = net.hasBias ? dBw : 0;
    return Lw;
  }
  let dB = 0;
  if (gW !== null) gW.fill(0);
  // Rows go in blocks of ROW_BLOCK: the forward pass of a block fills its coefficients C, and the
  // block's share of dL/dW is accumulated at once while its rows of X are still in cache. C
  // therefore holds ROW_BLOCK x h numbers whatever n is.
  for (let blk = 0; blk < n; blk += ROW_BLOCK) {
    const blkEnd = Math.min(n, blk + ROW_BLOCK);
    for (let i0 = blk; i0 < blkEnd; i0 += 2) {
      const rows = Math.min(2, blkEnd - i0);
      unitDots(X, i0, rows, centre, W, h, D, u);
      for (let rr = 0; rr < rows; rr++) {
        const i = i0 + rr;
        const uo = rr * h;
        const invS = sampleFactor(normalise, p, X, i * D, D, centre);
        let f = 0;
        if (mask !== null && pattern === 'record') {
          const mo = i * h;
          for (let j = 0; j < h; j++) mask[mo + j] = u[uo + j] > 0 ? 1 : 0;
        }
        if (invS !== 0) {
          if (mask !== null && pattern === 'frozen') {
            // The same products as below with the recorded activity in place of the sign test.
            const mo = i * h;
            for (let j = 0; j < h; j++) {
              const uj = u[uo + j];
              const t = mask[mo + j] !== 0 ? powq(uj * invNorm[j], q) : 0;
              pw[j] = t;
              f += v[j] * uj * t;
            }
          } else {
            for (let j = 0; j < h; j++) {
              const uj = u[uo + j];
              // uhat^(p-1) is kept for the gradient pass (0 marks an inactive unit).
              const t = uj > 0 ? powq(uj * invNorm[j], q) : 0;
              pw[j] = t;
              f += v[j] * uj * t;
            }
          }
          f *= invS;
        }
        f += b;
        fOut[i] = f;
        const yi = y[i];
        const m = yi * f;
        margins[i] = m;
        if (grad === null) continue;
        const r = -scale * lossWeight(loss, m) * yi;
        dB += r;
        const row = (i - blk) * h;
        if (invS === 0) {
          C.fill(0, row, row + h);
          continue;
        }
        const rho = r * invS;
        const gv = grad.v;
        for (let j = 0; j < h; j++) {
          const t = pw[j];
          if (t !== 0) {
            const uj = u[uo + j];
            const uh = uj * invNorm[j];
            const c = rho * v[j] * p * t;
            C[row + j] = c;
            colSum[j] += c;
            gv[j] += rho * uj * t;
            radial[j] += rho * uh * t;
          } else {
            C[row + j] = 0;
          }
        }
      }
    }
    if (gW !== null) accumulateRows(C, X, blk, blkEnd - blk, h, D, gW, w.gatherIdx, w.gatherCoef);
  }
  const L = lossValue(margins, { loss, reduction }, n);
  if (grad === null || gW === null) return L;
  for (let j = 0; j < h; j++) {
    const o = j * D;
    // Radial term -(p-1) v_j sum_i rho_i uhat^p w_j/||w_j||, and the centring shift -colSum_j xbar.
    const a = -(p - 1) * v[j] * radial[j] * invNorm[j];
    if (a !== 0) for (let k = 0; k < D; k++) gW[o + k] += a * W[o + k];
    if (centre !== null) {
      const s = colSum[j];
      if (s !== 0) for (let k = 0; k < D; k++) gW[o + k] -= s * centre[k];
    }
  }
  grad.b = net.hasBias ? dB : 0;
  return L;
}

/** L alone (no gradient), through the same fused pass. */
export function lossOnly(net: PReluNet, X: Float64Array, y: Float64Array, n: number, opts: LossOptions, ws?: Workspace): number {
  return lossAndGrad(net, X, y, n, opts, null, ws);
}
