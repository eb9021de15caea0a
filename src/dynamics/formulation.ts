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
 */
import { lossAndGrad } from '../network/gradient.ts';
import { createGrad, netView, paramCount } from '../network/create.ts';
import { createWorkspace } from '../network/workspace.ts';
import type { LossOptions, NetGrad, PReluNet, Workspace } from '../network/types.ts';
import type { OdeTerm } from './solver/types.ts';
import type { DataSet } from '../diagnostics/savepoint.ts';
import type { GradientPool } from './gradientPool.ts';
import { ConfigError } from '../validate.ts';

export type Formulation = 'plain' | 'polar';
export const FORMULATIONS = ['plain', 'polar'] as const;

export class GradientFlowTerm implements OdeTerm {
  readonly dim: number;
  /** Decoded parameters of the last evaluation; `net` views it. */
  readonly theta: Float64Array;
  readonly net: PReluNet;
  private readonly grad: NetGrad;
  private readonly ws: Workspace;
  private readonly lastState: Float64Array;
  private lastLoss = NaN;
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
    const L = this.pool ? this.pool.lossAndGrad(this.net, this.grad) : lossAndGrad(this.net, this.data.X, this.data.y, this.data.n, this.loss, this.grad, this.ws);
    this.lastLoss = L;
    this.lastState.set(y);
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
