/**
 * Gradient flow d theta/dt = -grad L(theta) (PAPER.md section 3) as an ODE term on one packed
 * Float64Array, in two formulations that must give the same trajectory (tested):
 *
 * - 'plain': the state is theta = [W (h*D), v (h), (b)] itself. Error control then needs absolute
 *   tolerances scaled to the initial state (PAPER.md section 9: with weights ~1e-7 an atol of 1e-9
 *   is a 1% error), so atol_i = atol * rms(theta0) (see toleranceFor).
 *
 * - 'polar' (the default): per neuron, q_j = (w_j, v_j) = exp(rho_j) u_j with a log-norm rho_j and
 *   a direction u_j in R^(D+1). Then
 *       d rho_j/dt = <u_j, g_j> / (e^rho_j |u_j|^2),   d u_j/dt = (g_j - <u_j, g_j> u_j / |u_j|^2) / e^rho_j
 *   with g_j = -dL/dq_j, which gives d(e^rho u)/dt = g exactly for any u (|u_j| is conserved, not
 *   assumed). Every component is O(1) whatever the initial scale, and the exponential norm growth
 *   of the alignment phase (PAPER.md section 4) becomes linear growth of rho, which RK error
 *   control follows cheaply. Plain absolute tolerances apply. The output bias (if any) stays plain.
 *
 * The right-hand side is -grad L from the network module's lossAndGrad; nothing is re-derived here.
 *
 * Piecewise smoothness (OdeTerm.freezeModes, p = 1 only): the p = 1 field is smooth between ReLU
 * kinks <x~_i, w_j> = 0 and jumps across them. freezeModes(y) fixes the activation pattern of y
 * (network/gradient.ts, pattern 'frozen'), so rhs evaluates that piece's field, -grad of a loss
 * that is smooth in (W, v), until releaseModes(). Its balances satisfy the same identity
 * v_j dL/dv_j = <w_j, dL/dw_j> for any pattern, so Gauss keeps them exactly (solver/gauss.ts).
 * Bookkeeping, so that freezing costs no evaluation in a stepper's normal use: once modes have
 * been frozen, every live rhs also records its pattern (bit-identical numbers), and two pattern
 * buffers are kept, the frozen one and the last recorded one, each with the state it belongs to.
 * Freezing at the state of the last live rhs swaps the two (no evaluation); freezing again at
 * the frozen state (a rejected step retried from the same y0) reuses it; any other state costs one
 * recording evaluation. Either formulation works (the pattern is a property of the decoded net).
 */
import { lossAndGrad } from '../network/gradient.ts';
import { createGrad, netView, paramCount } from '../network/create.ts';
import { createWorkspace } from '../network/workspace.ts';
import type { ActivationPattern, LossOptions, NetGrad, PReluNet, Workspace } from '../network/types.ts';
import type { OdeTerm } from './solver/types.ts';
import type { DataSet } from '../diagnostics/savepoint.ts';
import type { GradientPool } from './gradientPool.ts';
import { ConfigError } from '../validate.ts';

export type Formulation = 'plain' | 'polar';
export const FORMULATIONS = ['plain', 'polar'] as const;

/** The two activation-pattern buffers and the states they were recorded at (see the header). */
interface PatternBook {
  recorded: Uint8Array;
  recordedAt: Float64Array;
  haveRecorded: boolean;
  frozen: Uint8Array;
  frozenAt: Float64Array;
  haveFrozen: boolean;
  /** rhs evaluates the frozen piece. */
  active: boolean;
  /** dydt scratch for a recording evaluation inside freezeModes. */
  scratch: Float64Array;
}

function sameState(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class GradientFlowTerm implements OdeTerm {
  readonly dim: number;
  /** Decoded parameters of the last evaluation; `net` views it. */
  readonly theta: Float64Array;
  readonly net: PReluNet;
  private readonly grad: NetGrad;
  private readonly ws: Workspace;
  private readonly lastState: Float64Array;
  private lastLoss = NaN;
  /** Activation patterns for freezeModes (null until first frozen). */
  private patterns: PatternBook | null = null;
  private readonly D: number;
  private readonly h: number;

  constructor(
    template: PReluNet,
    private readonly data: DataSet,
    private readonly loss: LossOptions,
    readonly formulation: Formulation,
    /** Optional worker pool: the sums over samples are then split across threads. */
    private readonly pool: GradientPool | null = null,
  ) {
    if (formulation !== 'plain' && formulation !== 'polar') throw new ConfigError('formulation', formulation, '"plain" or "polar"');
    const { D, h, p, hasBias } = template;
    this.D = D;
    this.h = h;
    const np = paramCount(D, h, hasBias);
    this.dim = np + (formulation === 'polar' ? h : 0);
    this.theta = new Float64Array(np);
    this.net = netView(D, h, p, this.theta, { bias: hasBias, centre: template.centre, normalise: template.normalise });
    this.grad = createGrad(this.net);
    this.ws = createWorkspace(this.net, data.n);
    this.lastState = new Float64Array(this.dim).fill(NaN);
  }

  /** Encode a net's parameters as a state of this formulation (fails on a zero neuron for 'polar'). */
  encode(net: PReluNet, out = new Float64Array(this.dim)): Float64Array {
    const { D, h } = this;
    if (this.formulation === 'plain') {
      out.set(net.W, 0);
      out.set(net.v, h * D);
      if (net.hasBias) out[h * D + h] = net.b;
      return out;
    }
    const B = D + 1;
    for (let j = 0; j < h; j++) {
      let m = Math.abs(net.v[j]);
      for (let k = 0; k < D; k++) m = Math.max(m, Math.abs(net.W[j * D + k]));
      if (m === 0) throw new ConfigError(`neuron ${j}`, 0, 'a nonzero (w_j, v_j) for the polar formulation');
      let s = (net.v[j] / m) ** 2;
      for (let k = 0; k < D; k++) s += (net.W[j * D + k] / m) ** 2;
      const r = m * Math.sqrt(s);
      for (let k = 0; k < D; k++) out[j * B + k] = net.W[j * D + k] / r;
      out[j * B + D] = net.v[j] / r;
      out[h * B + j] = Math.log(r);
    }
    if (net.hasBias) out[h * B + h] = net.b;
    return out;
  }

  /** Decode a state into theta = [W, v, (b)]. */
  decode(y: Float64Array, out: Float64Array = this.theta): Float64Array {
    const { D, h } = this;
    if (this.formulation === 'plain') {
      out.set(y.subarray(0, out.length));
      return out;
    }
    const B = D + 1;
    for (let j = 0; j < h; j++) {
      const e = Math.exp(y[h * B + j]);
      for (let k = 0; k < D; k++) out[j * D + k] = e * y[j * B + k];
      out[h * D + j] = e * y[j * B + D];
    }
    if (this.net.hasBias) out[h * D + h] = y[h * B + h];
    return out;
  }

  rhs(_t: number, y: Float64Array, dydt: Float64Array): void {
    this.decode(y);
    const book = this.patterns;
    const pattern: ActivationPattern = book === null ? 'live' : book.active ? 'frozen' : 'record';
    if (book !== null) {
      this.ws.mask = book.active ? book.frozen : book.recorded;
      if (!book.active) book.haveRecorded = false;
    }
    const L = this.pool
      ? this.pool.lossAndGrad(this.net, this.grad, pattern)
      : lossAndGrad(this.net, this.data.X, this.data.y, this.data.n, this.loss, this.grad, this.ws, pattern);
    if (pattern === 'frozen') {
      // The piece's loss at y is not L(y): never serve it from lossAt.
      this.lastState.fill(NaN);
    } else {
      this.lastLoss = L;
      this.lastState.set(y);
    }
    if (pattern === 'record') {
      book!.recordedAt.set(y);
      book!.haveRecorded = true;
    }
    const { D, h } = this;
    const gW = this.grad.W, gv = this.grad.v;
    if (this.formulation === 'plain') {
      for (let i = 0; i < h * D; i++) dydt[i] = -gW[i];
      for (let j = 0; j < h; j++) dydt[h * D + j] = -gv[j];
      if (this.net.hasBias) dydt[h * D + h] = -this.grad.b;
      return;
    }
    const B = D + 1;
    for (let j = 0; j < h; j++) {
      const o = j * B;
      const invE = Math.exp(-y[h * B + j]);
      let s = -gv[j] * y[o + D];
      let nu = y[o + D] * y[o + D];
      for (let k = 0; k < D; k++) {
        s -= gW[j * D + k] * y[o + k];
        nu += y[o + k] * y[o + k];
      }
      const a = s / nu;
      for (let k = 0; k < D; k++) dydt[o + k] = (-gW[j * D + k] - a * y[o + k]) * invE;
      dydt[o + D] = (-gv[j] - a * y[o + D]) * invE;
      dydt[h * B + j] = a * invE;
    }
    if (this.net.hasBias) dydt[h * B + h] = -this.grad.b;
  }

  /**
   * OdeTerm.freezeModes: fix the activation pattern of y (p = 1 only; see the header). Returns
   * the evaluations it cost (0 or 1).
   */
  freezeModes(t: number, y: Float64Array): number {
    if (this.net.p !== 1) throw new ConfigError('p', this.net.p, '1 for frozen activation patterns (freezeModes): for p != 1 the gradient-flow field is continuous');
    if (y.length !== this.dim) throw new ConfigError('y', `length ${y.length}`, `length dim = ${this.dim}`);
    let book = this.patterns;
    if (book === null) {
      const size = this.data.n * this.h;
      book = {
        recorded: new Uint8Array(size), recordedAt: new Float64Array(this.dim), haveRecorded: false,
        frozen: new Uint8Array(size), frozenAt: new Float64Array(this.dim), haveFrozen: false,
        active: false, scratch: new Float64Array(this.dim),
      };
      this.patterns = book;
    }
    book.active = false;
    if (book.haveFrozen && sameState(book.frozenAt, y)) {
      book.active = true;
      return 0;
    }
    let cost = 0;
    if (!(book.haveRecorded && sameState(book.recordedAt, y))) {
      this.rhs(t, y, book.scratch);
      cost = 1;
    }
    const { recorded, recordedAt } = book;
    book.recorded = book.frozen;
    book.recordedAt = book.frozenAt;
    book.frozen = recorded;
    book.frozenAt = recordedAt;
    book.haveFrozen = true;
    book.haveRecorded = false;
    this.pool?.swapPatterns();
    book.active = true;
    return cost;
  }

  /** OdeTerm.releaseModes: evaluate each point's own piece again. */
  releaseModes(): void {
    if (this.patterns !== null) this.patterns.active = false;
  }

  /** L at state y; reuses the value of the last evaluation when y is that state (FSAL makes it common). */
  lossAt(y: Float64Array): number {
    let same = true;
    for (let i = 0; i < y.length; i++) {
      if (y[i] !== this.lastState[i]) {
        same = false;
        break;
      }
    }
    if (same) return this.lastLoss;
    this.decode(y);
    return lossAndGrad(this.net, this.data.X, this.data.y, this.data.n, this.loss, null, this.ws);
  }

  /**
   * Absolute tolerance for a relative setting `atol`: per component atol * rms(theta0) for 'plain'
   * (scaled to the initial state), atol itself for 'polar' (every component O(1) by construction).
   */
  toleranceFor(atol: number, y0: Float64Array): number {
    if (this.formulation === 'polar') return atol;
    let s = 0;
    for (let i = 0; i < y0.length; i++) s += y0[i] * y0[i];
    const rms = Math.sqrt(s / y0.length);
    return atol * (rms > 0 ? rms : 1);
  }
}
