/**
 * The concave part of the F^(p) attack problem (exactFpGain.ts): for coordinates i restricted to
 * t-intervals [tlo_i, thi_i] on which their gains psi_i are concave in w = t^2,
 *   M(C) = min sum_i w_i   subject to   sum_i psi_i(w_i) >= C,
 * a convex program (linear objective, concave constraint). It is solved through its Lagrangian:
 * for a multiplier mu >= 0 every coordinate maximises mu psi_i(w) - w on its own (bestResponse),
 * giving gain G(mu) and budget B(mu), both nondecreasing in mu. Then
 * - weak duality: for every mu >= 0,  M(C) >= mu C - sum_i max_w (mu psi_i - w) = B(mu) + mu (C - G(mu)),
 *   a certified lower bound (the per-coordinate maxima are computed to full precision);
 * - a primal point: if G(mu_lo) <= C <= G(mu_hi), the mixture w = theta w(mu_lo) + (1-theta) w(mu_hi)
 *   with theta G(mu_lo) + (1-theta) G(mu_hi) = C has gain >= C (each psi_i is concave on its
 *   interval) and budget theta B(mu_lo) + (1-theta) B(mu_hi), an upper bound.
 * The multiplier is bracketed in log-space and refined by the Illinois method until the two
 * bounds agree to ~1e-14 relative.
 */
import { bestResponse, gain } from './exactFpGain.ts';

/** A set of coordinates with concave gains, in structure-of-arrays form. */
export interface ConcaveSet {
  n: number;
  s: Float64Array;
  sigma: Float64Array;
  tlo: Float64Array;
  thi: Float64Array;
  p: number;
}

export interface ConcaveSolution {
  feasible: boolean;
  /** Primal budget (upper bound on M(C)); Infinity when infeasible. */
  upper: number;
  /** Certified lower bound on M(C) (Infinity when sum psi_i(thi_i) < C). */
  lower: number;
  /** Primal t-vector (length n), gain >= C when feasible. */
  t: Float64Array;
  /** Two multipliers bracketing the optimum and their Lagrangian data, for callers' own bounds. */
  mus: [number, number];
  /** G(mu) and B(mu) at mus[0], mus[1]. */
  gains: [number, number];
  budgets: [number, number];
}

/**
 * Rounding margin subtracted from the dual bound B + mu (C - G): the gains are sums of powers with
 * relative error ~1e-16 each, and mu multiplies them (mu can be large near the kill-all corner).
 */
function roundingMargin(mu: number, C: number, G: number, B: number): number {
  return 1e-14 * (mu * (Math.abs(C) + Math.abs(G)) + B);
}

export class ConcaveAllocator {
  private readonly tA: Float64Array;
  private readonly tB: Float64Array;
  private readonly tC: Float64Array;
  private readonly out: Float64Array;

  constructor(private readonly set: ConcaveSet) {
    this.tA = new Float64Array(set.n);
    this.tB = new Float64Array(set.n);
    this.tC = new Float64Array(set.n);
    this.out = new Float64Array(set.n);
  }

  /** Best responses to mu written into buf; returns [G(mu), B(mu)]. */
  respond(mu: number, buf: Float64Array): [number, number] {
    const { n, s, sigma, tlo, thi, p } = this.set;
    let G = 0;
    let B = 0;
    for (let i = 0; i < n; i++) {
      const t = bestResponse(s[i], sigma[i], tlo[i], thi[i], p, mu);
      buf[i] = t;
      G += gain(s[i], sigma[i], t, p);
      B += t * t;
    }
    return [G, B];
  }

  /** Sum of gains at the upper ends (the most any feasible point can gain). */
  maxGain(): number {
    const { n, s, sigma, thi, p } = this.set;
    let G = 0;
    for (let i = 0; i < n; i++) G += gain(s[i], sigma[i], thi[i], p);
    return G;
  }

  solve(C: number): ConcaveSolution {
    const { n, tlo, thi } = this.set;
    let [gLo, bLo] = this.respond(0, this.tA);
    if (gLo >= C) {
      this.out.set(this.tA);
      return { feasible: true, upper: bLo, lower: bLo, t: this.out, mus: [0, 0], gains: [gLo, gLo], budgets: [bLo, bLo] };
    }
    const gMax = this.maxGain();
    if (gMax < C) {
      return { feasible: false, upper: Infinity, lower: Infinity, t: this.out, mus: [0, 0], gains: [gLo, gLo], budgets: [bLo, bLo] };
    }
    // Bracket mu in log-space: G(muLo) < C <= G(muHi).
    let muLo = 0;
    let muHi = 1;
    let [gHi, bHi] = this.respond(muHi, this.tB);
    let steps = 0;
    while (gHi < C && steps < 80) {
      muLo = muHi;
      gLo = gHi;
      bLo = bHi;
      this.tA.set(this.tB);
      muHi *= 16;
      [gHi, bHi] = this.respond(muHi, this.tB);
      steps++;
    }
    if (gHi < C) {
      // Only reachable when C equals the maximal gain up to rounding (e.g. every own coordinate
      // driven exactly to 0): the upper ends are feasible, the dual bound at muHi is still valid.
      let bMax = 0;
      for (let i = 0; i < n; i++) {
        this.out[i] = thi[i];
        bMax += thi[i] * thi[i];
      }
      const lower = Math.min(bMax, Math.max(bHi + muHi * (C - gHi) - roundingMargin(muHi, C, gHi, bHi), this.shareBound(C, gMax)));
      return { feasible: true, upper: bMax, lower, t: this.out, mus: [muHi, muHi], gains: [gHi, gHi], budgets: [bHi, bHi] };
    }
    if (muLo === 0) {
      let m = muHi;
      for (let k = 0; k < 200; k++) {
        m /= 16;
        const [g, b] = this.respond(m, this.tC);
        if (g < C) {
          muLo = m;
          gLo = g;
          bLo = b;
          this.tA.set(this.tC);
          break;
        }
        muHi = m;
        gHi = g;
        bHi = b;
        this.tB.set(this.tC);
      }
    }
    // Illinois iterations on u = log mu, f(u) = G(e^u) - C.
    let uLo = muLo > 0 ? Math.log(muLo) : -745;
    let uHi = Math.log(muHi);
    let fLo = gLo - C;
    let fHi = gHi - C;
    let side = 0;
    for (let it = 0; it < 200; it++) {
      const up = this.mixUpper(gLo, bLo, gHi, bHi, C);
      const lo = Math.max(bLo + muLo * (C - gLo), bHi + muHi * (C - gHi));
      if (up - lo <= 1e-15 * (1 + up) || uHi - uLo <= 1e-15 * (1 + Math.abs(uHi))) break;
      let u = fHi - fLo > 0 ? uLo - (fLo * (uHi - uLo)) / (fHi - fLo) : 0.5 * (uLo + uHi);
      if (!(u > uLo && u < uHi) || it % 8 === 7) u = 0.5 * (uLo + uHi);
      const mu = Math.exp(u);
      const [g, b] = this.respond(mu, this.tC);
      if (g < C) {
        uLo = u; muLo = mu; gLo = g; bLo = b; fLo = g - C;
        this.tA.set(this.tC);
        if (side === -1) fHi /= 2;
        side = -1;
      } else {
        uHi = u; muHi = mu; gHi = g; bHi = b; fHi = g - C;
        this.tB.set(this.tC);
        if (side === 1) fLo /= 2;
        side = 1;
      }
    }
    const theta = gHi > gLo ? (gHi - C) / (gHi - gLo) : 0;
    let upper = 0;
    for (let i = 0; i < n; i++) {
      const w = theta * this.tA[i] * this.tA[i] + (1 - theta) * this.tB[i] * this.tB[i];
      this.out[i] = Math.min(Math.max(Math.sqrt(w), tlo[i]), thi[i]);
      upper += this.out[i] * this.out[i];
    }
    let lower = Math.max(bLo + muLo * (C - gLo) - roundingMargin(muLo, C, gLo, bLo), bHi + muHi * (C - gHi) - roundingMargin(muHi, C, gHi, bHi));
    // Near the corner C ~ max gain the multiplier is huge and its rounding margin swamps the dual
    // bound; the share bound is tight there.
    if (muHi > 1e6) lower = Math.max(lower, this.shareBound(C, gMax));
    lower = Math.min(upper, lower);
    return { feasible: true, upper, lower, t: this.out, mus: [muLo, muHi], gains: [gLo, gHi], budgets: [bLo, bHi] };
  }

  /**
   * Share bound: the other coordinates gain at most sum_{l != i} psi_l(thi_l), so coordinate i
   * must gain at least C - that = psi_i(thi_i) - (gMax - C); the smallest such t (bisection on
   * the nondecreasing gain, rounded down) gives sum_i t_i^2 <= M(C). Tight when C is near gMax.
   */
  shareBound(C: number, gMax: number): number {
    const { n, s, sigma, tlo, thi, p } = this.set;
    const slack = gMax - C + 1e-14 * Math.abs(gMax);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const need = gain(s[i], sigma[i], thi[i], p) - slack;
      let a = tlo[i];
      let b = thi[i];
      if (!(gain(s[i], sigma[i], a, p) < need)) {
        total += a * a;
        continue;
      }
      for (let it = 0; it < 80 && b - a > 1e-16 * b; it++) {
        const c = 0.5 * (a + b);
        if (gain(s[i], sigma[i], c, p) >= need) b = c;
        else a = c;
      }
      total += a * a;
    }
    return total;
  }

  private mixUpper(gLo: number, bLo: number, gHi: number, bHi: number, C: number): number {
    const theta = gHi > gLo ? (gHi - C) / (gHi - gLo) : 0;
    return theta * bLo + (1 - theta) * bHi;
  }
}
