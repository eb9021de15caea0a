/**
 * One coordinate of the F^(p) attack problem in the K-dim reduction (PAPER.md s.5 "Reduction"),
 * the building block of the certified solver in exactFp.ts.
 *
 * Orient the point so that its own class is "P" and the other class "N" and write
 * C0 = y F^(p)(s) = sum_P relu(s_k)^p - sum_N relu(s_l)^p > 0. An optimal attack moves every own
 * coordinate down (d_k = -t_k) and every other-class coordinate up (d_l = +t_l), since F^(p) is
 * monotone in each coordinate. With w = t^2 the coordinate's *gain* (its contribution to lowering
 * y F^(p)) is
 *   own   (sigma = -1): psi(w) = relu(s)^p - relu(s - t)^p,       t in [0, s] (s > 0),
 *   other (sigma = +1): psi(w) = relu(s + t)^p - relu(s)^p,
 * i.e. psi = sigma (relu(s + sigma t)^p - relu(s)^p), and the squared radius is
 *   r^2 = min sum_i w_i  subject to  sum_i psi_i(w_i) >= C0,
 * a separable resource-allocation problem. Its slope is dpsi/dw = p relu(s + sigma t)^(p-1) / (2 t).
 * psi is concave in w exactly where that slope decreases in t, i.e. where
 *   own:   always (the numerator decreases, the denominator increases);
 *   other, s > 0: (p - 2) t <= s   (all t when p <= 2);
 *   other, s < 0: no gain for t <= |s|; beyond, concave iff (p - 2) t <= s, i.e. t >= |s|/(2 - p)
 *                 when p < 2 (p = 1: all t > |s|), never when p >= 2;
 *   other, s = 0: psi = w^(p/2): concave iff p <= 2.
 */

/** relu(u)^p with p = 1 exact. */
function rp(u: number, p: number): number {
  return u <= 0 ? 0 : p === 1 ? u : Math.pow(u, p);
}

/** Gain of moving a coordinate with value s by t in direction sigma (see the module comment). */
export function gain(s: number, sigma: number, t: number, p: number): number {
  return sigma * (rp(s + sigma * t, p) - rp(s, p));
}

/** q(t) = c + (p - 1) log(s + sigma t) - log t of bestResponse (a plain function: no closure in the hot loop). */
function qLog(t: number, s: number, sigma: number, p: number, c: number): number {
  if (t <= 0) {
    // Limit t -> 0+: +infinity when the coordinate is active (s > 0), and for s = 0 the sign of
    // (p - 2) log t decides (psi = w^(p/2)).
    if (s > 0 || (s === 0 && p < 2)) return Infinity;
    return s === 0 && p === 2 ? c : -Infinity;
  }
  const b = s + sigma * t;
  if (b <= 0) return -Infinity;
  return c + (p - 1) * Math.log(b) - Math.log(t);
}

/**
 * Best response of one coordinate to the multiplier mu on a t-interval [tlo, thi] where psi is
 * concave in w: argmax_t mu psi(t^2) - t^2. The optimality condition mu dpsi/dw = 1 reads, in logs,
 *   q(t) = log(mu p / 2) + (p - 1) log(s + sigma t) - log t = 0,
 * with q decreasing on the interval (that is the concavity); the root is found by Newton's method
 * safeguarded by bisection, to full double precision.
 */
export function bestResponse(s: number, sigma: number, tlo: number, thi: number, p: number, mu: number): number {
  if (thi <= tlo) return tlo;
  if (mu <= 0) return tlo;
  if (p === 1) {
    // q(t) = log(mu / 2) - log t where the coordinate is active (s + sigma t > 0).
    const t = mu / 2;
    return t < tlo ? tlo : t > thi ? thi : t;
  }
  const c = Math.log((mu * p) / 2);
  if (p === 2 && s === 0) return c > 0 ? thi : tlo; // psi = w is linear: bang-bang
  const qlo = qLog(tlo, s, sigma, p, c);
  if (!(qlo > 0)) return tlo;
  const qhi = qLog(thi, s, sigma, p, c);
  if (!(qhi < 0)) return thi;
  let a = tlo;
  let b = thi;
  let t = tlo > 0 ? Math.sqrt(tlo * thi) : Math.min(thi, Math.max(mu, 1e-300));
  if (!(t > a && t < b)) t = 0.5 * (a + b);
  // Safeguarded Newton: a Newton step is taken only if it stays inside the bracket, and a
  // bisection is forced whenever two steps have not halved the bracket, so the bracket shrinks
  // geometrically whatever q looks like (it is very steep near s + sigma t = 0 when p ~ 1).
  let width = b - a;
  let stalls = 0;
  for (let it = 0; it < 400; it++) {
    const qt = qLog(t, s, sigma, p, c);
    if (qt > 0) a = t;
    else if (qt < 0) b = t;
    else return t;
    if (b - a <= 4e-16 * b) return 0.5 * (a + b);
    const base = s + sigma * t;
    const dq = (sigma * (p - 1)) / base - 1 / t;
    let next = t - qt / dq;
    if (b - a > 0.5 * width) stalls++;
    else {
      stalls = 0;
      width = b - a;
    }
    if (!(next > a && next < b) || stalls >= 2) {
      next = 0.5 * (a + b);
      stalls = 0;
      width = b - a;
    }
    // Newton converges quadratically: a step below 1e-15 t leaves an error far below it.
    if (Math.abs(next - t) <= 1e-15 * t) return next;
    t = next;
  }
  return t;
}

/** One convexity piece [a, b] (t-units) of an other-class coordinate's gain: concave or convex in w. */
export interface GainPiece {
  a: number;
  b: number;
  concave: boolean;
}

/**
 * The convexity pieces of an other-class coordinate (sigma = +1) on [0, tmax], following the
 * table in the module comment. Zero-gain stretches count as convex (the minimum of w - mu psi
 * there is at an endpoint, which is what the caller uses "convex" for).
 */
export function otherPieces(s: number, p: number, tmax: number): GainPiece[] {
  const out: GainPiece[] = [];
  const push = (a: number, b: number, concave: boolean): void => {
    const lo = Math.min(a, tmax);
    const hi = Math.min(b, tmax);
    if (hi > lo || (out.length === 0 && hi === lo && lo === tmax)) out.push({ a: lo, b: hi, concave });
  };
  if (s < 0) {
    const act = -s;
    push(0, act, false);
    if (p === 1) push(act, Infinity, true);
    else if (p < 2) {
      const infl = act / (2 - p);
      push(act, infl, false);
      push(infl, Infinity, true);
    } else push(act, Infinity, false);
  } else if (p <= 2) {
    push(0, Infinity, true);
  } else {
    const infl = s / (p - 2);
    push(0, infl, true);
    push(infl, Infinity, false);
  }
  if (out.length === 0) out.push({ a: 0, b: 0, concave: true });
  return out;
}

/**
 * The t-interval on which an other-class coordinate may sit when it is *not* the special one of
 * its case (exactFp.ts): its concave region, or null when it must stay at t = 0.
 *   s > 0 (and s = 0 with p <= 2): [0, s/(p-2)] for p > 2, else [0, tmax];
 *   s < 0, activated, p < 2:      [max(|s|, |s|/(2-p)), tmax];  otherwise not allowed (null).
 */
export function concaveRegionOther(s: number, p: number, tmax: number, activated: boolean): [number, number] | null {
  if (s > 0 || (s === 0 && p <= 2)) {
    const hi = p > 2 ? Math.min(s / (p - 2), tmax) : tmax;
    return [0, hi];
  }
  if (s === 0) return [0, 0];
  if (!activated || p >= 2) return null;
  const lo = p === 1 ? -s : -s / (2 - p);
  return lo <= tmax ? [lo, tmax] : null;
}
