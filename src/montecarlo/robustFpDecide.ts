/**
 * Fast exact decision of T4's event (PAPER.md s.6) for the samples the cheap certificates of
 * src/bounds/robustFp.ts leave undecided: "min_{||d|| <= r} y F^(p)(s + d) > 0", p > 2, in the
 * K-dim reduction (PAPER.md s.5 "Reduction").
 *
 * Decision form of the attack problem of src/robustness/exactFpGain.ts: with C0 = y F^(p)(s) > 0,
 * own coordinates moved down by t_i, other-class ones up by t_l, and the gains psi,
 *   robust at r  <=>  V(r) = max { sum_i psi_i(t_i) : sum_i t_i^2 <= r^2 } < C0.
 * Upper bounds (weak duality): for every lambda >= 0 and any box t_i in [lo_i, hi_i] containing
 * the maximiser,
 *   V <= U(lambda) = lambda r^2 + sum_i max_{t in [lo_i, hi_i]} (psi_i(t) - lambda t^2),
 * a convex function of lambda whose subgradient is r^2 - sum_i t_i(lambda)^2. Each maximum is
 * exact: own gains and other-class gains on [0, s/(p-2)] are concave in w = t^2 (best response;
 * a tangent-line term keeps the value an upper bound whatever the root-finder's accuracy), and
 * on convex stretches the maximum is at an end.
 * - Root relaxation: every other-class coordinate on [0, r]; valid with no structure assumption.
 * - Cases (the structure (S1), (S2) of src/robustness/exactFp.ts, p > 2): some maximiser has at
 *   most one other-class coordinate j outside its concave region (j any with s_j >= 0, or the
 *   largest negative); all others with s > 0 stay in [0, s/(p-2)], those with s <= 0 at 0.
 *   Branch and bound over t_j in [0, r]; a node is dropped when some lambda certifies
 *   U(lambda) < C0 (the duality gap on a t_j-interval shrinks like its width squared).
 * - Flips: the best responses are turned into an explicit perturbation of norm < r and
 *   y F^(p)(s + d) is evaluated directly.
 * Agreement with the reference predicate (the theorem object's event, whose last step is the
 * certified branch and bound of exactFp.ts answering false inside its final bracket of width
 * 1e-6): 'robust' is claimed only when V < C0 is certified at radius r + RADIUS_PAD, 'broken'
 * only with a verified flip of norm <= r (1 - 1e-9). Everything else (radius within ~4e-6 of r,
 * node cap) is UNSURE and the caller asks the reference. No allocation per call.
 */

export const ROBUST = 1;
export const BROKEN = 0;
export const UNSURE = -1;
export type Decision = typeof ROBUST | typeof BROKEN | typeof UNSURE;

/** Robustness is certified at r + RADIUS_PAD, beyond the reference solver's final bracket (< 1e-6). */
export const RADIUS_PAD = 4e-6;
/** Relative rounding margin on every bound and flip (values are sums of K powers, error ~1e-16 each). */
const REL = 1e-12;
const NODE_CAP = 400;

/** u^p for u >= 0, integer powers by multiplication. */
function pw(u: number, p: number): number {
  if (u <= 0) return 0;
  if (p === 3) return u * u * u;
  if (p === 4) { const v = u * u; return v * v; }
  return Math.pow(u, p);
}

/** p u^(p-1) for u >= 0 (the derivative of pw). */
function dpw(u: number, p: number): number {
  if (u <= 0) return 0;
  if (p === 3) return 3 * u * u;
  if (p === 4) return 4 * u * u * u;
  return p * Math.pow(u, p - 1);
}

/** p (p-1) u^(p-2) for u >= 0. */
function ddpw(u: number, p: number): number {
  if (u <= 0) return 0;
  if (p === 3) return 6 * u;
  if (p === 4) return 12 * u * u;
  return p * (p - 1) * Math.pow(u, p - 2);
}

/**
 * argmax over t in [0, hi] (hi <= a) of a^p - (a - t)^p - lam t^2, a > 0: the root of
 * p (a - t)^(p-1) = 2 lam t (concave in t; for p = 3 a quadratic, written in its stable form;
 * otherwise Newton from t = 0, which increases monotonically to the root because
 * p (a - t)^(p-1) - 2 lam t is convex and decreasing).
 */
function ownArg(a: number, hi: number, lam: number, p: number): number {
  if (!(lam > 0)) return hi;
  if (p === 3) {
    const t = (3 * a * a) / (3 * a + lam + Math.sqrt(lam * (6 * a + lam)));
    return t < hi ? t : hi;
  }
  let t = 0;
  for (let it = 0; it < 100; it++) {
    const f = dpw(a - t, p) - 2 * lam * t;
    if (!(f > 0)) return t;
    const df = -ddpw(a - t, p) - 2 * lam;
    const next = t - f / df;
    if (next >= hi) return hi;
    if (!(next > t) || next - t <= 1e-15 * next) return next;
    t = next;
  }
  return t;
}

/**
 * argmax over t in [0, hi] (hi <= s/(p-2), where the gain is concave in w) of
 * (s + t)^p - s^p - lam t^2, s > 0: the first root of p (s + t)^(p-1) = 2 lam t, or hi when
 * the slope stays positive. p = 3: smaller root of a quadratic; otherwise Newton from 0
 * (monotone: the left side minus the right is convex and positive at 0).
 */
function othArg(s: number, hi: number, lam: number, p: number): number {
  if (!(lam > 0)) return hi;
  if (p === 3) {
    if (lam < 6 * s) return hi;
    const t = (3 * s * s) / (lam - 3 * s + Math.sqrt(lam * (lam - 6 * s)));
    return t < hi ? t : hi;
  }
  let t = 0;
  for (let it = 0; it < 100; it++) {
    const f = dpw(s + t, p) - 2 * lam * t;
    if (!(f > 0)) return t;
    const df = ddpw(s + t, p) - 2 * lam;
    if (!(df < 0)) return hi; // no root before the slope turns up: the maximum is at hi
    const next = t - f / df;
    if (next >= hi) return hi;
    if (!(next > t) || next - t <= 1e-15 * next) return next;
    t = next;
  }
  return t;
}

export interface DeciderStats {
  calls: number;
  robust: number;
  broken: number;
  unsure: number;
  nodes: number;
  evaluations: number;
}

export class RobustFpDecider {
  readonly K: number;
  readonly K1: number;
  readonly p: number;
  readonly r: number;
  readonly stats: DeciderStats = { calls: 0, robust: 0, broken: 0, unsure: 0, nodes: 0, evaluations: 0 };

  private readonly rhoHi: number;
  private readonly rho2: number;
  private readonly rhoLo2: number;
  // Own coordinates with s > 0 (values, caps min(a, rhoHi)) and the other class sorted by
  // decreasing value (F^(p) and the attack see coordinates only through these values).
  private readonly a: Float64Array;
  private readonly aHi: Float64Array;
  private nA = 0;
  private readonly b: Float64Array;
  private readonly bHi: Float64Array; // concave-region cap min(b/(p-2), rhoHi) for b > 0
  private nB = 0;
  private readonly specials: Int32Array;
  // Best responses of the last evaluation (t per sorted position) and the work point.
  private readonly tA: Float64Array;
  private readonly tB: Float64Array;
  private readonly hA: Float64Array;
  private readonly hB: Float64Array;
  private readonly mA: Float64Array;
  private readonly mB: Float64Array;
  private hBudget = 0;
  private budget = 0;
  private C0 = 0;
  private scale = 0;
  // Live nodes (at most K roots + NODE_CAP splits): case (position in b), interval, inherited
  // bound, multiplier hint.
  private readonly nCase: Int32Array;
  private readonly nLo: Float64Array;
  private readonly nHi: Float64Array;
  private readonly nUb: Float64Array;
  private readonly nLam: Float64Array;
  // Results of minimise().
  private minUb = 0;
  private minLam = 0;
  private loLam = 0;
  private hiLam = 0;

  /** r is T4's radius; p > 2 (T4's hypothesis, needed for the case structure). */
  constructor(K: number, K1: number, p: number, r: number) {
    if (!(p > 2)) throw new RangeError(`RobustFpDecider needs p > 2, got ${p}`);
    if (!(r > 0)) throw new RangeError(`RobustFpDecider needs r > 0, got ${r}`);
    this.K = K; this.K1 = K1; this.p = p; this.r = r;
    this.rhoHi = r + RADIUS_PAD;
    this.rho2 = this.rhoHi * this.rhoHi;
    this.rhoLo2 = r * r * (1 - 2e-9);
    this.a = new Float64Array(K); this.aHi = new Float64Array(K);
    this.b = new Float64Array(K); this.bHi = new Float64Array(K);
    const cap = K + NODE_CAP + 2;
    this.nCase = new Int32Array(cap);
    this.nLo = new Float64Array(cap); this.nHi = new Float64Array(cap); this.nUb = new Float64Array(cap); this.nLam = new Float64Array(cap);
    this.specials = new Int32Array(K);
    this.tA = new Float64Array(K); this.tB = new Float64Array(K);
    this.hA = new Float64Array(K); this.hB = new Float64Array(K); this.mA = new Float64Array(K); this.mB = new Float64Array(K);
  }

  /** ROBUST, BROKEN or UNSURE (ask the reference) for the sample s (length K) with label y. */
  decide(s: Float64Array, y: number): Decision {
    this.stats.calls++;
    const d = this.run(s, y);
    if (d === ROBUST) this.stats.robust++;
    else if (d === BROKEN) this.stats.broken++;
    else this.stats.unsure++;
    return d;
  }

  private run(s: Float64Array, y: number): Decision {
    const { K, K1, p, rhoHi } = this;
    // Split into own (s > 0 only: the others cannot gain) and the other class, sorted descending.
    let nA = 0, nB = 0, own = 0, oth = 0, scale = 0;
    for (let k = 0; k < K; k++) {
      const v = s[k];
      if ((k < K1) === (y > 0)) {
        if (v > 0) {
          this.a[nA] = v; this.aHi[nA] = v < rhoHi ? v : rhoHi; nA++;
          own += pw(v, p);
        }
      } else {
        let i = nB++;
        while (i > 0 && this.b[i - 1] < v) { this.b[i] = this.b[i - 1]; i--; }
        this.b[i] = v;
        oth += pw(v, p);
        scale += pw(v + rhoHi, p);
      }
    }
    this.nA = nA; this.nB = nB;
    const C0 = own - oth;
    if (!(C0 > 0) || nA === 0) return UNSURE; // misclassified points are the certificates' business
    this.C0 = C0;
    this.scale = own + scale + this.rho2;
    let nS = 0;
    for (let i = 0; i < nB; i++) {
      const v = this.b[i];
      this.bHi[i] = v > 0 ? Math.min(v / (p - 2), rhoHi) : 0;
      // Specials: one per distinct nonnegative value (equal values give the same subproblem), and
      // the largest negative one.
      if (v >= 0) { if (nS === 0 || this.b[this.specials[nS - 1]] !== v) this.specials[nS++] = i; }
      else { this.specials[nS++] = i; break; }
    }

    // Root relaxation, all cases at once.
    const lam0 = this.initialLambda();
    if (this.minimise(-1, 0, rhoHi, lam0)) return ROBUST;
    if (this.tryFlip(-1, 0, rhoHi, false)) return BROKEN;

    let live = 0;
    for (let c = 0; c < nS; c++) this.push(live++, this.specials[c], 0, rhoHi);
    let nodes = 0;
    while (live > 0) {
      // Largest inherited bound first: it is the node that must come down (or that flips).
      let best = 0;
      for (let i = 1; i < live; i++) if (this.nUb[i] > this.nUb[best]) best = i;
      const j = this.nCase[best], lo = this.nLo[best], hi = this.nHi[best], lam = this.nLam[best];
      live--;
      this.nCase[best] = this.nCase[live]; this.nLo[best] = this.nLo[live]; this.nHi[best] = this.nHi[live];
      this.nUb[best] = this.nUb[live]; this.nLam[best] = this.nLam[live];
      if (++nodes > NODE_CAP) { this.stats.nodes += nodes; return UNSURE; }
      if (this.minimise(j, lo, hi, lam)) continue;
      if (this.tryFlip(j, lo, hi, hi - lo <= 0.02 * rhoHi || nodes > 24)) { this.stats.nodes += nodes; return BROKEN; }
      if (!(hi - lo > 1e-9 * rhoHi)) { this.stats.nodes += nodes; return UNSURE; }
      const mid = 0.5 * (lo + hi);
      this.push(live++, j, lo, mid);
      this.push(live++, j, mid, hi);
    }
    this.stats.nodes += nodes;
    return ROBUST;
  }

  /** Store node i: case j on [lo, hi], inheriting the last minimisation's bound and multiplier. */
  private push(i: number, j: number, lo: number, hi: number): void {
    this.nCase[i] = j; this.nLo[i] = lo; this.nHi[i] = hi;
    this.nUb[i] = this.minUb; this.nLam[i] = this.minLam;
  }

  /** A starting multiplier: the own class's best-response slope with the whole budget on the largest own coordinate. */
  private initialLambda(): number {
    let amax = 0;
    for (let i = 0; i < this.nA; i++) if (this.a[i] > amax) amax = this.a[i];
    const t = Math.min(this.rhoHi, 0.5 * amax);
    return dpw(amax - t, this.p) / (2 * t);
  }

  /**
   * U(lam) for case j (-1: root relaxation) with the special coordinate on [lo, hi]; the best
   * responses go to tA/tB and their squared norm to this.budget.
   */
  private evaluate(j: number, lo: number, hi: number, lam: number): number {
    this.stats.evaluations++;
    const p = this.p;
    let u = lam * this.rho2, budget = 0;
    for (let i = 0; i < this.nA; i++) {
      const a = this.a[i], cap = this.aHi[i];
      const t = ownArg(a, cap, lam, p);
      const w = t * t;
      let v = pw(a, p) - pw(a - t, p) - lam * w;
      // Tangent term (concave in w on [0, cap^2]): keeps v an upper bound of the maximum.
      if (t > 0) {
        const h = dpw(a - t, p) / (2 * t) - lam;
        v += h > 0 ? h * (cap * cap - w) : -h * w;
      }
      u += v; budget += w;
      this.tA[i] = t;
    }
    for (let i = 0; i < this.nB; i++) {
      const b = this.b[i];
      let t = 0, v = 0;
      if (j < 0 || i === j) {
        const l = j < 0 ? 0 : lo, h = j < 0 ? this.rhoHi : hi;
        // Special coordinate: the ends (convex stretches) and the concave stretch [0, b/(p-2)].
        const base = pw(b, p);
        let vl = pw(b + l, p) - base - lam * l * l;
        const vh = pw(b + h, p) - base - lam * h * h;
        t = l; v = vl;
        if (vh > v) { t = h; v = vh; }
        if (b > 0) {
          const cEnd = Math.min(b / (p - 2), h);
          if (cEnd > l) {
            let tc = othArg(b, cEnd, lam, p);
            if (tc < l) tc = l;
            const w = tc * tc;
            vl = pw(b + tc, p) - base - lam * w;
            if (tc > 0) {
              const hd = dpw(b + tc, p) / (2 * tc) - lam;
              vl += hd > 0 ? hd * (cEnd * cEnd - w) : hd * (l * l - w);
            }
            if (vl > v) { t = tc; v = vl; }
          }
        }
      } else if (b > 0) {
        const cap = this.bHi[i];
        t = othArg(b, cap, lam, p);
        const w = t * t;
        v = pw(b + t, p) - pw(b, p) - lam * w;
        if (t > 0) {
          const hd = dpw(b + t, p) / (2 * t) - lam;
          v += hd > 0 ? hd * (cap * cap - w) : -hd * w;
        }
      }
      u += v; budget += t * t;
      this.tB[i] = t;
    }
    this.budget = budget;
    return u;
  }

  /**
   * Minimise the convex U(lam) for a node by cutting planes on its subgradients. Returns true as
   * soon as some lam certifies U < C0 (node dropped); false once the tangent lines prove that no
   * lam can (or the multiplier bracket collapsed). Sets minUb/minLam and the bracket loLam/hiLam
   * (budget above r^2 at loLam, at most r^2 at hiLam).
   */
  private minimise(j: number, lo: number, hi: number, lamHint: number): boolean {
    const C0 = this.C0, rho2 = this.rho2, tol = REL * this.scale;
    const lamScale = C0 / rho2;
    let lam = lamHint > 0 && Number.isFinite(lamHint) ? lamHint : 1;
    let u = this.evaluate(j, lo, hi, lam);
    this.minUb = u; this.minLam = lam;
    if (u + tol * (1 + lam) < C0) return true;
    let g = rho2 - this.budget;
    // Bracket: the budget is above r^2 at l0 (g0 < 0) and at most r^2 at l1 (g1 >= 0).
    let l0 = 0, u0 = 0, g0 = 0, l1 = 0, u1 = 0, g1 = 0, haveLo = false, haveHi = false;
    if (g < 0) { l0 = lam; u0 = u; g0 = g; haveLo = true; } else { l1 = lam; u1 = u; g1 = g; haveHi = true; }
    for (let it = 0; it < 1100 && !(haveLo && haveHi); it++) {
      // Downwards, jump to lam = 0 once lam is negligible against the scale C0 / r^2 of the slopes.
      lam = haveHi ? (l1 > 1e-12 * lamScale ? l1 / 4 : 0) : l0 * 4;
      u = this.evaluate(j, lo, hi, lam);
      if (u < this.minUb) { this.minUb = u; this.minLam = lam; }
      if (u + tol * (1 + lam) < C0) return true;
      g = rho2 - this.budget;
      if (g < 0) { l0 = lam; u0 = u; g0 = g; haveLo = true; } else { l1 = lam; u1 = u; g1 = g; haveHi = true; }
      if (lam === 0 && !haveLo) {
        // Every coordinate at its cap fits the budget: U(0) is the exact maximum, and it was not cut.
        this.loLam = 0; this.hiLam = 0;
        return false;
      }
    }
    if (!(haveLo && haveHi)) { this.loLam = haveLo ? l0 : l1; this.hiLam = this.loLam; return false; }
    for (let it = 0; it < 100; it++) {
      // Tangents at l0 (slope g0 < 0) and l1 (slope g1 >= 0) meet at lx; their value there is a
      // lower bound of min U (convexity). If it cannot go below C0, no multiplier drops the node.
      const lx = g1 - g0 > 0 ? (u1 - u0 + g0 * l0 - g1 * l1) / (g0 - g1) : 0.5 * (l0 + l1);
      const floor = u0 + g0 * (lx - l0);
      if (!(floor + tol * (1 + lx) < C0) || l1 - l0 <= 1e-12 * l1) break;
      // Next point: the intersection, kept away from the ends (safeguarded bisection).
      const w = l1 - l0;
      lam = lx > l0 + 0.05 * w && lx < l1 - 0.05 * w ? lx : 0.5 * (l0 + l1);
      u = this.evaluate(j, lo, hi, lam);
      if (u < this.minUb) { this.minUb = u; this.minLam = lam; }
      if (u + tol * (1 + lam) < C0) return true;
      g = rho2 - this.budget;
      if (g < 0) { l0 = lam; u0 = u; g0 = g; } else { l1 = lam; u1 = u; g1 = g; }
    }
    this.loLam = l0; this.hiLam = l1;
    return false;
  }

  /**
   * Look for a flip among the best responses of the node: at both ends of the final multiplier
   * bracket and at their mixture with budget r^2 (gain >= the mixture of the gains where the gains
   * are concave in w, Jensen). With `refine`, the bracket is first narrowed by bisection, which the
   * minimisation skips once it knows the node cannot be dropped. Every candidate is only a
   * candidate: flipWith checks y F^(p)(s + d) itself.
   */
  private tryFlip(j: number, lo: number, hi: number, refine: boolean): boolean {
    let l0 = this.loLam, l1 = this.hiLam;
    this.evaluate(j, lo, hi, l1);
    if (this.flipWith(this.tA, this.tB, this.budget)) return true;
    if (l0 === l1) return false;
    this.hA.set(this.tA); this.hB.set(this.tB); this.hBudget = this.budget;
    this.evaluate(j, lo, hi, l0);
    if (this.flipWith(this.tA, this.tB, this.budget) || this.flipMix()) return true;
    if (!refine) return false;
    for (let it = 0; it < 80 && l1 - l0 > 1e-13 * l1; it++) {
      const lam = l0 > 0 && l1 > 4 * l0 ? Math.sqrt(l0 * l1) : 0.5 * (l0 + l1);
      this.evaluate(j, lo, hi, lam);
      if (this.budget <= this.rho2) {
        l1 = lam;
        if (this.flipWith(this.tA, this.tB, this.budget)) return true;
        this.hA.set(this.tA); this.hB.set(this.tB); this.hBudget = this.budget;
      } else {
        l0 = lam;
        if (this.flipMix()) return true;
      }
      if (this.flipMix()) return true;
    }
    return false;
  }

  /** The mixture w = theta w(lo) + (1 - theta) w(hi) of the current (tA, tB) and saved (hA, hB) points with budget r^2. */
  private flipMix(): boolean {
    const bLo = this.budget, bHi = this.hBudget;
    if (!(bLo > bHi)) return false;
    const th = Math.min(1, Math.max(0, (this.rhoLo2 - bHi) / (bLo - bHi)));
    let b = 0;
    for (let i = 0; i < this.nA; i++) {
      const t = Math.sqrt(th * this.tA[i] * this.tA[i] + (1 - th) * this.hA[i] * this.hA[i]);
      this.mA[i] = t; b += t * t;
    }
    for (let i = 0; i < this.nB; i++) {
      const t = Math.sqrt(th * this.tB[i] * this.tB[i] + (1 - th) * this.hB[i] * this.hB[i]);
      this.mB[i] = t; b += t * t;
    }
    return this.flipWith(this.mA, this.mB, b);
  }

  /** Is d (own coordinates down by tOwn, others up by tOth), scaled into norm <= r (1 - 1e-9), a flip? */
  private flipWith(tOwn: Float64Array, tOth: Float64Array, budget: number): boolean {
    const { p, nA, nB } = this;
    const f = budget > this.rhoLo2 ? Math.sqrt(this.rhoLo2 / budget) : 1;
    let m = 0, mag = 0;
    for (let i = 0; i < nA; i++) {
      const v = pw(this.a[i] - f * tOwn[i], p);
      m += v; mag += v;
    }
    for (let i = 0; i < nB; i++) {
      const v = pw(this.b[i] + f * tOth[i], p);
      m -= v; mag += v;
    }
    // A kill-all point (every term exactly 0, e.g. all own coordinates driven to 0 while the other
    // class stays <= 0) has margin exactly 0, which counts as a flip (the event needs > 0).
    return mag === 0 || m < -REL * (mag + this.scale);
  }
}
