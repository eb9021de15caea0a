/**
 * The inequalities of PAPER.md s.6's proof skeletons, each tested on random inputs, with its
 * slack measured (how tight or loose the step is) and, where the step is an identity or attains
 * equality, the equality confirmed exactly (mathjs simplify, Fractions, or Q(sqrt2) arithmetic).
 * Every function returns a StepResult; the proofs-check files proof-step-*.ts are thin wrappers.
 */
import type { Verdict } from '../checks/types.ts';
import { Rng } from '../random/rng.ts';
import { logAddExp, logNormalSf } from '../stats/index.ts';
import { math } from './compile.ts';
import { logT1Failure, logT2GaussianTail, logT2Probability } from './exact.ts';
import { SQRT2, add, div, equal, mul, qs2, show, sub } from './qsqrt2.ts';

export interface StepResult {
  verdict: Verdict;
  keyFigure: string;
  evidence: Record<string, unknown>;
}

/** Slack of an inequality lhs <= rhs in log space: log(rhs) - log(lhs) >= 0; 0 = tight. */
interface Slack { min: number; max: number; worstCase: unknown }

function track(): { add(s: number, c: unknown): void; get(): Slack } {
  let min = Infinity, max = -Infinity, worst: unknown = null;
  return {
    add(s, c) { if (s < min) { min = s; worst = c; } if (s > max) max = s; },
    get: () => ({ min, max, worstCase: worst }),
  };
}

const LOG_TOL = 1e-10;

function verdictOf(slacks: Slack[], tol = LOG_TOL): Verdict {
  return slacks.every((s) => s.min >= -tol) ? 'holds' : 'violated';
}

/** Step: Gaussian tail P(N(0, s^2) > t) <= exp(-t^2/(2 s^2)), t >= 0 (exact tail via erfc / Mills). */
export function gaussianTailStep(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  const sl = track();
  for (let i = 0; i < cases; i++) {
    const u = i === 0 ? 0 : Math.pow(10, -3 + 5 * rng.uniform()); // t/s from 1e-3 to 1e2, plus 0
    sl.add(-(u * u) / 2 - logNormalSf(u), { tOverS: u });
  }
  const s = sl.get();
  return {
    verdict: verdictOf([s]),
    keyFigure: `log(bound/tail) in [${s.min.toFixed(4)}, ${s.max.toFixed(1)}] over ${cases} cases (tightest ln 2 at t = 0; loose like log(t sqrt(2 pi)) for large t)`,
    evidence: { cases, logSlack: s },
  };
}

function randomPoint(rng: Rng): { D: number; K: number; K1: number; alpha: number } {
  const K = 2 + rng.int(19);
  const D = Math.max(K, Math.round(Math.exp(Math.log(10) + Math.log(40) * rng.uniform())));
  const K1 = 1 + rng.int(K - 1);
  const alpha = Math.exp(Math.log(0.1) + Math.log(50) * rng.uniform());
  return { D, K, K1, alpha };
}

/**
 * T1 chain: q_exact <= (union) sum over classes of Q(1/sa) + Q(1/(sqrt(K) s)) <= (Chernoff)
 * 2 exp(-D/(2 alpha^2 K)). The variance identity Var(a - b) = K alpha^2/D is confirmed by mathjs.
 */
export function t1UnionStep(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  const union = track(), chern = track();
  for (let i = 0; i < cases; i++) {
    const p = randomPoint(rng);
    const s = p.alpha / Math.sqrt(p.D);
    const lq = logT1Failure(p.D, p.K, p.K1, p.alpha);
    const lab = logNormalSf(1 / (Math.sqrt(p.K) * s));
    const cls = (Ka: number) => logAddExp(logNormalSf(1 / (Math.sqrt(Ka) * s)), lab);
    const lu = logAddExp(Math.log(p.K1 / p.K) + cls(p.K1), Math.log((p.K - p.K1) / p.K) + cls(p.K - p.K1));
    union.add(lu - lq, p);
    chern.add(Math.log(2) - p.D / (2 * p.alpha ** 2 * p.K) - lu, p);
  }
  const variance = math.simplify('K1*alpha^2/D + (K-K1)*alpha^2/D - K*alpha^2/D').toString();
  const su = union.get(), sc = chern.get();
  return {
    verdict: verdictOf([su, sc]) === 'holds' && variance === '0' ? 'holds' : 'violated',
    keyFigure: `union step log-slack in [${su.min.toExponential(2)}, ${su.max.toFixed(2)}], Chernoff step in [${sc.min.toFixed(3)}, ${sc.max.toFixed(1)}]; Var(a-b) identity simplifies to ${variance}`,
    evidence: { cases, unionLogSlack: su, chernoffLogSlack: sc, varianceIdentity: variance },
  };
}

/** T2 chain: P_exact <= P(N(0, K alpha^2/D) > rho) <= exp(-D rho^2/(2 alpha^2 K)) <= 2 exp(...). */
export function t2TailStep(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  const tail = track(), chern = track();
  for (let i = 0; i < cases; i++) {
    const p = randomPoint(rng);
    const rho = 0.05 + 1.45 * rng.uniform();
    const le = logT2Probability(p.D, p.K, p.K1, p.alpha, rho);
    const lg = logT2GaussianTail(p.D, p.K, p.alpha, rho);
    tail.add(lg - le, { ...p, rho });
    chern.add(-(p.D * rho * rho) / (2 * p.alpha ** 2 * p.K) - lg, { ...p, rho });
  }
  const st = tail.get(), sc = chern.get();
  return {
    verdict: verdictOf([st, sc]),
    keyFigure: `exact <= Gaussian tail: log-slack in [${st.min.toExponential(2)}, ${st.max.toFixed(2)}]; tail <= Chernoff: [${sc.min.toFixed(3)}, ${sc.max.toFixed(1)}]; the factor 2 adds ln 2`,
    evidence: { cases, tailLogSlack: st, chernoffLogSlack: sc },
  };
}

function pnorm(v: ArrayLike<number>, p: number): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  if (m === 0) return 0;
  let acc = 0;
  for (let i = 0; i < v.length; i++) acc += Math.pow(Math.abs(v[i]) / m, p);
  return m * Math.pow(acc, 1 / p);
}

/** Minkowski ||u + v||_p <= ||u||_p + ||v||_p, p >= 1; equality for parallel u, v (exact in Fractions). */
export function minkowskiStep(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  let maxRatio = 0, worst: unknown = null;
  for (let i = 0; i < cases; i++) {
    const n = 1 + rng.int(20);
    const p = 1 + 9 * rng.uniform();
    const u = new Float64Array(n), v = new Float64Array(n), w = new Float64Array(n);
    rng.fillNormal(u); rng.fillNormal(v);
    if (i % 4 === 0) { const c = rng.uniform() * 3; for (let j = 0; j < n; j++) v[j] = c * u[j]; }
    for (let j = 0; j < n; j++) w[j] = u[j] + v[j];
    const r = pnorm(w, p) / (pnorm(u, p) + pnorm(v, p));
    if (r > maxRatio) { maxRatio = r; worst = { n, p }; }
  }
  // Equality case exactly: u = (1, -2, 3)/1, v = (5/2) u, p = 3: ||u+v||_3^3 = (7/2)^3 ||u||_3^3 and
  // (||u||_3 + ||v||_3)^3 = (1 + 5/2)^3 ||u||_3^3 -- both cube to the same Fraction.
  const u = [1, -2, 3].map((x) => math.fraction(x));
  const c = math.fraction(5, 2);
  const cube = (xs: unknown[]) => xs.reduce((a: unknown, x) => math.add(a as never, math.pow(math.abs(x as never), 3) as never), math.fraction(0)) as never;
  const lhs = cube(u.map((x) => math.add(x, math.multiply(c, x) as never)));
  const rhs = math.multiply(math.pow(math.add(1, c) as never, 3) as never, cube(u));
  const exact = math.equal(lhs, rhs) === true;
  const ok = maxRatio <= 1 + 1e-12 && exact;
  return {
    verdict: ok ? 'holds' : 'violated',
    keyFigure: `max ||u+v||_p/(||u||_p+||v||_p) = ${maxRatio.toFixed(15)} over ${cases} cases (tight: 1 at parallel u, v; equality confirmed in Fractions: ${exact})`,
    evidence: { cases, maxRatio, worst, exactEqualityCase: exact },
  };
}

/** ||b||_p <= ||b||_2 for p >= 2 (tight on 1-sparse b, exactly); fails for p < 2 (shown). */
export function lpL2Step(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  let maxRatio = 0;
  for (let i = 0; i < cases; i++) {
    const n = 1 + rng.int(20);
    const p = 2 + 8 * rng.uniform();
    const b = new Float64Array(n);
    rng.fillNormal(b);
    if (i % 5 === 0) for (let j = 1; j < n; j++) b[j] = 0;
    maxRatio = Math.max(maxRatio, pnorm(b, p) / pnorm(b, 2));
  }
  // Tight case exactly: b = (3/7, 0, ..., 0): ||b||_p^p = (3/7)^p and ||b||_2^p = (3/7)^p (p = 4, Fractions).
  const t = math.fraction(3, 7);
  const exact = math.equal(math.pow(t, 4) as never, math.pow(math.pow(math.pow(t, 2) as never, 2) as never, 1) as never) === true;
  // The hypothesis matters: p = 3/2 on b = (1, 1) gives 2^(2/3) > sqrt 2.
  const counter = pnorm([1, 1], 1.5) / pnorm([1, 1], 2);
  const ok = maxRatio <= 1 + 1e-12 && exact && counter > 1;
  return {
    verdict: ok ? 'holds' : 'violated',
    keyFigure: `max ||b||_p/||b||_2 = ${maxRatio.toFixed(15)} over ${cases} cases with p in [2, 10] (tight on 1-sparse b); at p = 1.5 the ratio reaches ${counter.toFixed(4)} > 1`,
    evidence: { cases, maxRatio, oneSparseExact: exact, pBelow2Ratio: counter },
  };
}

/**
 * max over a^2 + ||b||_2^2 <= 1 of a + ||b||_p equals sqrt2 for p >= 2: random search never
 * exceeds it, and (a, b) = (1/sqrt2, e_1/sqrt2) attains it exactly in Q(sqrt2). For p < 2 the
 * maximum is sqrt(1 + m^(2/p - 1)) > sqrt2 (b spread over m coordinates), so the step needs p >= 2.
 */
export function innerMaxStep(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  let best = -Infinity;
  for (let i = 0; i < cases; i++) {
    const m = 1 + rng.int(12);
    const p = 2 + 8 * rng.uniform();
    const v = new Float64Array(m + 1);
    rng.fillNormal(v);
    const r = Math.sqrt(rng.uniform());
    const n = pnorm(v, 2);
    const a = (r * v[0]) / n;
    const val = a + (r * pnorm(v.subarray(1), p)) / n;
    best = Math.max(best, val);
  }
  const half = div(SQRT2, qs2(2)); // 1/sqrt2 = sqrt2/2
  const value = add(half, half);
  const norm2 = add(mul(half, half), mul(half, half));
  const exact = equal(value, SQRT2) && equal(norm2, qs2(1));
  const pLow = 1.5, mLow = 4;
  const lowMax = Math.sqrt(1 + Math.pow(mLow, 2 / pLow - 1));
  const ok = best <= Math.SQRT2 + 1e-12 && exact && lowMax > Math.SQRT2;
  return {
    verdict: ok ? 'holds' : 'violated',
    keyFigure: `random search max ${best.toFixed(6)} <= sqrt2 = ${Math.SQRT2.toFixed(6)}; (1/sqrt2, e1/sqrt2) attains ${show(value)} exactly; p = 1.5, m = 4 gives ${lowMax.toFixed(4)} > sqrt2`,
    evidence: { cases, randomMax: best, attainedExactly: exact, pBelow2Max: lowMax },
  };
}

/**
 * M*(delta) = min_{||d|| <= 1} [1 + r <d, mu_k> - ||(r <d, mu_l>)_l||_p] = 1 - sqrt2 r = delta/sqrt2
 * with r = (sqrt2 - delta)/2: exact in Q(sqrt2) for rational delta; numerically the minimum over
 * random unit d (and the minimiser d = (-e_k + e_j)/sqrt2) matches.
 */
export function mStarStep(seed: number, cases: number): StepResult {
  const rng = new Rng(seed);
  let exactAll = true, maxGap = 0, belowMin = Infinity;
  const deltas: string[] = [];
  for (let i = 0; i < cases; i++) {
    const num = 1 + rng.int(140), delta = math.fraction(num, 100);
    const dq = qs2(delta as never);
    const r = div(sub(SQRT2, dq), qs2(2));
    const mstar = sub(qs2(1), mul(SQRT2, r));
    exactAll = exactAll && equal(mstar, div(dq, SQRT2));
    if (i < 5) deltas.push(delta.toFraction());
    // numeric: min over random d of 1 + r d_0 - ||r d_rest||_p, p in (2, 6], m other coordinates
    const dl = num / 100, rr = (Math.SQRT2 - dl) / 2, p = 2 + 4 * rng.uniform() + 1e-9, m = 1 + rng.int(8);
    const d = new Float64Array(m + 1);
    let mn = Infinity;
    for (let t = 0; t < 400; t++) {
      rng.fillNormal(d);
      const n = pnorm(d, 2);
      const val = 1 + (rr * d[0]) / n - (rr * pnorm(d.subarray(1), p)) / n;
      mn = Math.min(mn, val);
    }
    const atMin = 1 - rr / Math.SQRT2 - rr / Math.SQRT2; // d = (-1, 1, 0, ...)/sqrt2
    maxGap = Math.max(maxGap, Math.abs(atMin - dl / Math.SQRT2));
    belowMin = Math.min(belowMin, mn - dl / Math.SQRT2);
  }
  const ok = exactAll && maxGap < 1e-14 && belowMin >= -1e-12;
  return {
    verdict: ok ? 'holds' : 'violated',
    keyFigure: `M*(delta) = delta/sqrt2 exactly in Q(sqrt2) for ${cases} rational deltas (${exactAll}); minimiser value gap ${maxGap.toExponential(1)}; random d never below M* (min excess ${belowMin.toExponential(2)})`,
    evidence: { cases, exactAll, sampleDeltas: deltas, minimiserGap: maxGap, randomMinExcess: belowMin },
  };
}
