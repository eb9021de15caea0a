/**
 * A deliberately naive implementation of the same loss and gradient (PAPER.md s.3), used as an
 * independent oracle by the tests and as the baseline of `npm run bench`: plain number[][]
 * matrices, one separate pass per formula (U = X~ W^T, A = act(U), f = A v + b, loss, dv = A^T r,
 * G = r v^T o act'(U), dW = G^T X~, radial term), Math.pow everywhere, no fusion, no blocking,
 * no sparsity. Its only shared code is the loss terms of loss.ts.
 */
import { lossTerm, lossWeight } from './loss.ts';
import type { LossOptions, PReluNet } from './types.ts';

export interface ReferenceResult {
  loss: number;
  f: number[];
  W: number[][];
  v: number[];
  b: number;
}

function matrix(r: number, c: number): number[][] {
  const m: number[][] = [];
  for (let i = 0; i < r; i++) m.push(new Array<number>(c).fill(0));
  return m;
}

export function referenceLossAndGrad(net: PReluNet, X: Float64Array, y: Float64Array, n: number, opts: LossOptions): ReferenceResult {
  const { D, h, p } = net;
  const Xt = matrix(n, D);
  for (let i = 0; i < n; i++) for (let k = 0; k < D; k++) Xt[i][k] = X[i * D + k] - (net.centre ? net.centre[k] : 0);
  const Wm = matrix(h, D);
  for (let j = 0; j < h; j++) for (let k = 0; k < D; k++) Wm[j][k] = net.W[j * D + k];
  const norms = Wm.map((w) => Math.sqrt(w.reduce((s, a) => s + a * a, 0)));
  const sInv = Xt.map((x) => (net.normalise && p !== 1 ? Math.pow(Math.sqrt(x.reduce((s, a) => s + a * a, 0)), 1 - p) : 1));
  // Pass 1: U = X~ W^T.
  const U = matrix(n, h);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) for (let k = 0; k < D; k++) U[i][j] += Xt[i][k] * Wm[j][k];
  // Pass 2: unit values and derivatives.
  const A = matrix(n, h);
  const dA = matrix(n, h);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      const u = U[i][j];
      if (u > 0 && norms[j] > 0) {
        A[i][j] = (Math.pow(u, p) / Math.pow(norms[j], p - 1)) * sInv[i];
        dA[i][j] = (p * Math.pow(u, p - 1) / Math.pow(norms[j], p - 1)) * sInv[i];
      }
    }
  }
  // Pass 3: outputs.
  const b = net.hasBias ? net.b : 0;
  const f = new Array<number>(n).fill(b);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) f[i] += A[i][j] * net.v[j];
  // Pass 4: loss and dL/df.
  const c = opts.reduction === 'mean' ? 1 / n : 1;
  let loss = 0;
  const r = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    loss += c * lossTerm(opts.loss, y[i] * f[i]);
    r[i] = -c * lossWeight(opts.loss, y[i] * f[i]) * y[i];
  }
  // Pass 5: dv = A^T r, db = sum r.
  const dv = new Array<number>(h).fill(0);
  for (let j = 0; j < h; j++) for (let i = 0; i < n; i++) dv[j] += A[i][j] * r[i];
  const db = net.hasBias ? r.reduce((s, a) => s + a, 0) : 0;
  // Pass 6: G = (r v^T) o dA.
  const G = matrix(n, h);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) G[i][j] = r[i] * net.v[j] * dA[i][j];
  // Pass 7: dW = G^T X~.
  const dW = matrix(h, D);
  for (let j = 0; j < h; j++) for (let k = 0; k < D; k++) for (let i = 0; i < n; i++) dW[j][k] += G[i][j] * Xt[i][k];
  // Pass 8: radial term of d/dw ||w||^(1-p) = (1-p) w / ||w||^(p+1): -(p-1) v_j sum_i r_i A_ij w_j/||w_j||^2.
  for (let j = 0; j < h; j++) {
    if (norms[j] === 0) continue;
    let s = 0;
    for (let i = 0; i < n; i++) s += r[i] * A[i][j];
    const a = (-(p - 1) * net.v[j] * s) / (norms[j] * norms[j]);
    for (let k = 0; k < D; k++) dW[j][k] += a * Wm[j][k];
  }
  return { loss, f, W: dW, v: dv, b: db };
}
