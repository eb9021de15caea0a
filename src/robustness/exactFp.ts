/**
 * Certified exact minimal l2 attack radius of the pReLU limit F^(p) (PAPER.md s.5), any p >= 1,
 * at any point, in the K-dim reduction (s_k = <x, mu_k>; minimal attacks live in span{mu_k}).
 *
 * Problem (exactFpGain.ts): r^2 = min sum_i w_i s.t. sum_i psi_i(w_i) >= C0 = y F^(p)(s), with
 * psi_i the gain of coordinate i. Own-class gains are concave in w; other-class gains are not.
 *
 * Structure of an optimum (why the enumeration below is exhaustive):
 * (S1) Exchange (supermodularity): for other-class coordinates with s_a >= s_b, psi(s, w) has
 *      increasing differences in (s, w) because relu(.)^p is convex, so swapping their budgets
 *      never hurts: some optimum has budgets sorted like s. Coordinates with s < 0 that are not
 *      pushed past 0 get w = 0 (their budget is wasted), so the activated negative coordinates are
 *      a prefix of the negatives sorted by decreasing s.
 * (S2) Second order: moving budget eps between two coordinates at smooth points keeps the total,
 *      so at an optimum psi_a' = psi_b' and psi_a'' + psi_b'' <= 0; hence at most one coordinate
 *      lies where its gain is strictly convex in w.
 * Consequently, with the concave regions of exactFpGain.ts:
 * - p > 2: one "special" other-class coordinate j (any with s_j >= 0, or the largest negative
 *   one) may be anywhere in [0, tmax]; every other other-class coordinate with s >= 0 stays in its
 *   concave region [0, s/(p-2)], negative ones stay at 0 (activated ones are strictly convex).
 * - p <= 2: for a prefix of a activated negatives, the last one is special (S1 + S2: it has the
 *   smallest budget and the largest inflection point); the others lie in their concave regions
 *   [max(|s|, |s|/(2-p)), tmax] (empty for p = 2, so a <= 1 there); s >= 0 coordinates are concave.
 * tmax = sqrt(U0) for the budget U0 of a known flipping attack bounds every coordinate.
 *
 * Certificate: for each case and each interval [ta, tb] of the special coordinate's move t_j,
 * the Lagrangian bound with any mu >= 0,
 *   min budget >= mu C0 - sum_{i != j} max_w (mu psi_i - w) + min_{t in [ta, tb]} (t^2 - mu psi_j(t^2)),
 * is a valid lower bound (weak duality); the last minimum is exact piece by piece (on pieces where
 * psi_j is convex, t^2 - mu psi_j is concave in w so its minimum is at an endpoint; where psi_j is
 * concave it is the best response). Branch and bound over [0, tmax] (best-first on the bound)
 * closes the duality gap, which is O(width^2) on an interval. Upper bounds come from feasible
 * points, each turned into an explicit perturbation whose flip is verified by evaluating F^(p).
 * The returned `lower` is the smallest bound over all leaves of all cases (and at least the cheap
 * bound of certifyFpBound.ts); `upper` is the norm of the verified witness.
 * Rounding: dual bounds carry a margin proportional to mu (exactFpConcave.ts); near the kill-all
 * corner, where mu blows up, the monotone bound, the share bound and the exact kill-all value take
 * over; Newton solves are bracketed so they always converge.
 */
import { ConfigError, requireFiniteArray, requireInt, requireReal } from '../validate.ts';
import { evalFp } from '../classifiers/limitFp.ts';
import { requireLabel, type Label } from './exactF.ts';
import { ConcaveAllocator, type ConcaveSet } from './exactFpConcave.ts';
import { fastLowerBoundFp } from './certifyFpBound.ts';
import { concaveRegionOther, gain, otherPieces, bestResponse, type GainPiece } from './exactFpGain.ts';

export interface FpBracket {
  lower: number;
  upper: number;
  /** Perturbation in the K-dim reduction with norm `upper` and y F^(p)(s + witness) <= 0. */
  witness: Float64Array;
  /** Branch-and-bound nodes evaluated (cost measure). */
  nodes: number;
  /** Cases of the enumeration (S1, S2) that were solved. */
  cases: number;
  /** True when upper - lower met the tolerance (false only when the node cap was hit). */
  converged: boolean;
}

export interface FpSolveOptions {
  /** Target width of the radius bracket (default 2e-7). */
  tol?: number;
  /** Decision mode: stop as soon as the radius is certified > r or a flip within r is found. */
  threshold?: number;
  /** Cap on branch-and-bound nodes (default 200000). */
  maxNodes?: number;
  /**
   * Also use the cheap certified bound of certifyFpBound.ts (default true). Tests switch it off
   * to check the branch-and-bound certificate on its own.
   */
  useFastBound?: boolean;
}

interface CaseData {
  j: number; // index into s (original indexing)
  sj: number;
  alloc: ConcaveAllocator;
  idx: Int32Array; // original indices of the concave coordinates
  set: ConcaveSet;
  pieces: GainPiece[];
}

interface Node {
  c: number;
  ta: number;
  tb: number;
  lb: number;
}

/** Binary min-heap on lb. */
class Heap {
  private a: Node[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): Node | undefined {
    return this.a[0];
  }
  push(n: Node): void {
    const a = this.a;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const q = (i - 1) >> 1;
      if (a[q].lb <= a[i].lb) break;
      [a[q], a[i]] = [a[i], a[q]];
      i = q;
    }
  }
  pop(): Node | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].lb < a[m].lb) m = l;
        if (r < a.length && a[r].lb < a[m].lb) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export function validateFpInput(s: ArrayLike<number>, y: unknown, K1: unknown, p: unknown): { K: number; K1: number; p: number; y: Label } {
  const K = s.length;
  if (K < 2) throw new ConfigError('s.length', K, 'K >= 2 projections');
  requireFiniteArray('s', s);
  return { K, K1: requireInt('K1', K1, 1, K - 1), p: requireReal('p', p, { min: 1 }), y: requireLabel(y) };
}

/** t^2 - mu psi_j(t^2) for the special coordinate. */
function phiSpecial(sj: number, p: number, mu: number, t: number): number {
  return t * t - mu * gain(sj, 1, t, p);
}

/**
 * min over t in [ta, tb] of t^2 - mu psi_j(t^2), exact piece by piece: where psi_j is convex in w
 * the function is concave in w and its minimum is at an end; where psi_j is concave the minimiser
 * is the best response.
 */
function minPhi(sj: number, pieces: GainPiece[], p: number, ta: number, tb: number, mu: number): number {
  let m = Infinity;
  for (const pc of pieces) {
    const a = Math.max(pc.a, ta);
    const b = Math.min(pc.b, tb);
    if (a > b) continue;
    if (pc.concave) m = Math.min(m, phiSpecial(sj, p, mu, bestResponse(sj, 1, a, b, p, mu)));
    else m = Math.min(m, phiSpecial(sj, p, mu, a), phiSpecial(sj, p, mu, b));
  }
  return m;
}

/** y F^(p)(s + d) (d optional). */
function margin(s: ArrayLike<number>, d: Float64Array | null, y: Label, K1: number, p: number, buf: Float64Array): number {
  for (let k = 0; k < s.length; k++) buf[k] = s[k] + (d ? d[k] : 0);
  return y * evalFp(buf, K1, p);
}

/** The branch-and-bound solver shared by radiusFp and the decision isRobustFp. */
export function solveFp(s: ArrayLike<number>, yIn: Label, K1In: number, pIn: number, opts: FpSolveOptions = {}): FpBracket & { decided?: 'robust' | 'flippable' } {
  const { K, K1, p, y } = validateFpInput(s, yIn, K1In, pIn);
  const tol = opts.tol ?? 2e-7;
  const maxNodes = opts.maxNodes ?? 200000;
  const thr2 = opts.threshold === undefined ? undefined : opts.threshold * opts.threshold;
  const buf = new Float64Array(K);
  const isOwn = (k: number): boolean => (k < K1) === (y === 1);
  const C0 = margin(s, null, y, K1, p, buf);
  const zero = new Float64Array(K);
  if (!(C0 > 0)) return { lower: 0, upper: 0, witness: zero, nodes: 0, cases: 0, converged: true, decided: 'flippable' };

  // Initial feasible attack: drive every positive own coordinate to 0 (then y F^(p) <= 0).
  let bestW = new Float64Array(K);
  for (let k = 0; k < K; k++) if (isOwn(k) && s[k] > 0) bestW[k] = -s[k];
  let U = Infinity;
  const cand = new Float64Array(K);
  const tryWitness = (d: Float64Array): void => {
    for (const f of [1, 1 + 1e-13, 1 + 1e-11, 1 + 1e-9]) {
      for (let k = 0; k < K; k++) cand[k] = d[k] * f;
      if (margin(s, cand, y, K1, p, buf) <= 0) {
        let n2 = 0;
        for (let k = 0; k < K; k++) n2 += cand[k] * cand[k];
        if (n2 < U) {
          U = n2;
          bestW = cand.slice();
        }
        return;
      }
    }
  };
  tryWitness(bestW.slice());
  const tmax = Math.sqrt(U) * (1 + 1e-9);

  // Own coordinates that can gain: s_k > 0, t in [0, s_k].
  const own: number[] = [];
  for (let k = 0; k < K; k++) if (isOwn(k) && s[k] > 0) own.push(k);
  const others: number[] = [];
  for (let k = 0; k < K; k++) if (!isOwn(k)) others.push(k);
  const negs = others.filter((k) => s[k] < 0).sort((a, b) => s[b] - s[a]);
  const nonneg = others.filter((k) => s[k] >= 0);

  const makeSet = (extra: { k: number; lo: number; hi: number }[]): { set: ConcaveSet; idx: Int32Array } => {
    const n = own.length + extra.length;
    const set: ConcaveSet = { n, s: new Float64Array(n), sigma: new Float64Array(n), tlo: new Float64Array(n), thi: new Float64Array(n), p };
    const idx = new Int32Array(n);
    own.forEach((k, i) => {
      idx[i] = k;
      set.s[i] = s[k];
      set.sigma[i] = -1;
      set.tlo[i] = 0;
      set.thi[i] = Math.min(s[k], tmax);
    });
    extra.forEach((e, i0) => {
      const i = own.length + i0;
      idx[i] = e.k;
      set.s[i] = s[e.k];
      set.sigma[i] = 1;
      set.tlo[i] = e.lo;
      set.thi[i] = e.hi;
    });
    return { set, idx };
  };

  // Enumerate the cases (S1, S2). j = -1: no special coordinate (pure concave problem).
  const caseSpecs: { j: number; extra: { k: number; lo: number; hi: number }[] }[] = [];
  const regionOf = (k: number, activated: boolean): { k: number; lo: number; hi: number } | null => {
    const r = concaveRegionOther(s[k], p, tmax, activated);
    return r ? { k, lo: r[0], hi: r[1] } : null;
  };
  const nonnegRegions = nonneg.map((k) => regionOf(k, false)).filter((r): r is { k: number; lo: number; hi: number } => r !== null);
  if (p > 2) {
    // Coordinates with equal s give identical subproblems (swap them): keep one per value.
    const seen = new Set<number>();
    const specials = nonneg.filter((k) => (seen.has(s[k]) ? false : (seen.add(s[k]), true)));
    if (negs.length > 0) specials.push(negs[0]);
    for (const j of specials) caseSpecs.push({ j, extra: nonnegRegions.filter((r) => r.k !== j) });
  } else {
    caseSpecs.push({ j: -1, extra: nonnegRegions });
    for (let a = 1; a <= negs.length; a++) {
      const pre: { k: number; lo: number; hi: number }[] = [];
      let ok = true;
      let forced = 0;
      for (let i = 0; i < a - 1; i++) {
        const r = regionOf(negs[i], true);
        if (!r) {
          ok = false;
          break;
        }
        forced += r.lo * r.lo;
        pre.push(r);
      }
      if (!ok || forced >= U) break; // longer prefixes only force more budget
      caseSpecs.push({ j: negs[a - 1], extra: [...nonnegRegions, ...pre] });
    }
  }

  let nodes = 0;
  let capped = Infinity; // smallest bound among leaves that could not be split further
  const heap = new Heap();
  const cases: CaseData[] = [];
  const dTmp = new Float64Array(K);

  const recordPrimal = (c: CaseData | null, tj: number, t: Float64Array, idx: Int32Array, n: number): void => {
    dTmp.fill(0);
    for (let i = 0; i < n; i++) {
      const k = idx[i];
      dTmp[k] = isOwn(k) ? -t[i] : t[i];
    }
    if (c) dTmp[c.j] += tj;
    let n2 = 0;
    for (let k = 0; k < K; k++) n2 += dTmp[k] * dTmp[k];
    if (n2 < U) tryWitness(dTmp);
  };


  // Kill-all exactness: when every other-class coordinate has s <= 0 and a subproblem contains
  // only own coordinates, reaching the full gain C0 means driving every positive own coordinate
  // exactly to 0 (sum_own relu(s - t)^p <= 0), so M(C0) = sum_own s^2 exactly; the dual bound
  // cannot see this through rounding (its multiplier is infinite there).
  const othersNonPositive = others.every((k) => s[k] <= 0);
  let killAll = 0;
  for (const k of own) killAll += s[k] * s[k];
  const exactCorner = (c: { set: ConcaveSet }, Cneed: number): number | null => {
    if (!othersNonPositive || Cneed < C0) return null;
    for (let i = 0; i < c.set.n; i++) if (c.set.sigma[i] > 0) return null;
    return killAll;
  };

  const evalNode = (ci: number, ta: number, tb: number): Node => {
    nodes++;
    const c = cases[ci];
    const tm = 0.5 * (ta + tb);
    const sol = c.alloc.solve(C0 - gain(c.sj, 1, tm, p));
    let lb = -Infinity;
    if (sol.feasible) {
      recordPrimal(c, tm, sol.t, c.idx, c.set.n);
      const psiB = gain(c.sj, 1, tb, p);
      for (let q = 0; q < 2; q++) {
        const mu = sol.mus[q];
        const G = sol.gains[q];
        const B = sol.budgets[q];
        // B + mu (C0 - G) + min_t (t^2 - mu psi_j): the Lagrangian bound, minus a rounding margin
        // (the gains are sums of K powers, each with relative error ~1e-16, multiplied by mu).
        const margin = 1e-14 * (mu * (C0 + G + psiB) + B + tb * tb);
        lb = Math.max(lb, B + mu * (C0 - G) + minPhi(c.sj, c.pieces, p, ta, tb, mu) - margin);
      }
      // Near the kill-all corner (the special coordinate gains nothing, e.g. in its zero stretch
      // t <= |s_j|) the multiplier is huge and the Lagrangian bound useless: the monotone bound
      // ta^2 + M(C0 - psi_j(tb)) is tight there.
      if (sol.mus[1] > 1e4 || !(lb > ta * ta)) {
        const corner = psiB === 0 ? exactCorner(c, C0) : null;
        lb = Math.max(lb, ta * ta + (corner ?? c.alloc.solve(C0 - psiB).lower));
      }
    } else if (C0 - gain(c.sj, 1, tb, p) > c.alloc.maxGain()) {
      lb = Infinity; // no point of the node can reach the required gain
    } else {
      const solB = c.alloc.solve(C0 - gain(c.sj, 1, tb, p));
      lb = ta * ta + solB.lower; // monotone bound: psi_j and M are nondecreasing
    }
    return { c: ci, ta, tb, lb };
  };

  for (const spec of caseSpecs) {
    const { set, idx } = makeSet(spec.extra);
    const alloc = new ConcaveAllocator(set);
    if (spec.j < 0) {
      const sol = alloc.solve(C0);
      nodes++;
      if (sol.feasible) {
        recordPrimal(null, 0, sol.t, idx, set.n);
        capped = Math.min(capped, exactCorner({ set }, C0) ?? sol.lower);
      }
      continue;
    }
    cases.push({ j: spec.j, sj: s[spec.j], alloc, idx, set, pieces: otherPieces(s[spec.j], p, tmax) });
    heap.push(evalNode(cases.length - 1, 0, tmax));
  }

  const fast = opts.useFastBound === false ? 0 : fastLowerBoundFp(s, y, K1, p);
  const fast2 = fast * fast;
  let decided: 'robust' | 'flippable' | undefined;
  const minWidth = 1e-14 * Math.max(tmax, 1e-300);
  for (;;) {
    const eps = tol * Math.sqrt(U);
    if (thr2 !== undefined && U <= thr2) {
      decided = 'flippable';
      break;
    }
    const top = heap.peek();
    const lbNow = Math.min(top ? top.lb : Infinity, capped);
    if (thr2 !== undefined && lbNow > thr2) {
      decided = 'robust';
      break;
    }
    if (!top || top.lb >= U - eps || fast2 >= U - eps || nodes >= maxNodes) break;
    // Soft stop: after many nodes accept the brief's width 1e-6 (rounding near the kill-all
    // corner can keep the bound a few 1e-8 short of the tolerance forever).
    if (nodes >= 3000 && Math.sqrt(U) - Math.sqrt(Math.max(0, Math.min(top.lb, capped))) < 0.9e-6) break;
    heap.pop();
    if (top.tb - top.ta <= minWidth) {
      capped = Math.min(capped, top.lb);
      continue;
    }
    const mid = 0.5 * (top.ta + top.tb);
    heap.push(evalNode(top.c, top.ta, mid));
    heap.push(evalNode(top.c, mid, top.tb));
  }
  const top = heap.peek();
  const L = Math.max(0, Math.min(top ? top.lb : Infinity, capped, U));
  const lower = Math.min(Math.sqrt(U), Math.max(Math.sqrt(L * (1 - 1e-14)), fast));
  const upper = Math.sqrt(U);
  return { lower, upper, witness: bestW, nodes, cases: caseSpecs.length, converged: upper - lower <= 1e-6, decided };
}

/**
 * Certified bracket [lower, upper] on the exact minimal l2 radius of F^(p) at the point with
 * projections s and label y (width < 1e-6 unless the node cap was hit; see `converged`), with a
 * verified flipping perturbation `witness` (in the reduction, norm `upper`). A point with
 * y F^(p)(s) <= 0 has radius 0.
 */
export function radiusFp(s: ArrayLike<number>, y: Label, K1: number, p: number, tol = 2e-7, useFastBound = true): FpBracket {
  requireReal('tol', tol, { min: 0, minExclusive: true, max: 1e-6 });
  const { decided: _d, ...rest } = solveFp(s, y, K1, p, { tol, useFastBound });
  return rest;
}
