/**
 * Issue 8: the exact l1-ball-and-box projection of src/robustness/ball.ts (projectBall('l1', ...)),
 * a sorted breakpoint sweep, against the bisection it replaced (kept here as the reference).
 *
 * Properties (fast-check, seeded; cases drawn through the project's Rng from a fast-check seed):
 * sizes 1..784 (784 = MNIST), no box / the [0, 1] pixel box / per-coordinate boxes (with
 * zero-room coordinates and x0 on a face), gaussian entries / few distinct magnitudes (many ties)
 * / zeros / |d_i| equal to the box room (coinciding breakpoints) / organ-pipe and alternating
 * magnitudes, and radii r = 0, below and above
 * the size S(0) of the clipped point.
 * - Feasible: ||d||_1 <= r (1 + 1e-12) summed in index order, lo <= x0 + d <= hi exactly (floats).
 * - Matches the bisection entrywise to TOL = 1e-12 relative to ||d0||_inf. Relative to |d_i| itself
 *   is ill-posed: an entry |d0_i| - lam with |d0_i| close to lam is decided only to ~eps ||d0||_inf
 *   absolutely by either method (the bisection stops at 1e-15 relative in lam).
 * - Is the Euclidean projection: a KKT certificate (a lam >= 0 exists, to TOL ||d0||_inf, with every
 *   coordinate the clamped soft-threshold at lam and lam = 0 unless the l1 constraint is tight to
 *   1e-12), and the variational inequality <d0 - d, z - d> <= tolVI at random feasible z.
 * Negative control: the certificate rejects "l1 projection without the box, then clamp".
 */
import { describe, expect, it } from 'vitest';
import { test as ptest, fc } from '@fast-check/vitest';
import { projectBall, normOf, type Box } from '../src/robustness/ball.ts';
import { Rng } from '../src/random/rng.ts';
import { ConfigError } from '../src/validate.ts';

const TOL = 1e-12;

const at = (b: number | Float64Array, i: number): number => (typeof b === 'number' ? b : b[i]);

/** The previous projectL1 (ball.ts before issue 8's speed-up): bisection on the threshold, verbatim. */
function projectL1Bisection(x0: Float64Array, d: Float64Array, r: number, box?: Box): void {
  const n = d.length;
  const clip = (i: number, v: number): number => {
    if (!box) return v;
    const lo = at(box.lo, i) - x0[i];
    const hi = at(box.hi, i) - x0[i];
    return v < lo ? lo : v > hi ? hi : v;
  };
  const sizeAt = (lam: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(d[i]) - lam;
      if (a > 0) s += Math.abs(clip(i, Math.sign(d[i]) * a));
    }
    return s;
  };
  if (sizeAt(0) <= r) {
    for (let i = 0; i < n; i++) d[i] = clip(i, d[i]);
    return;
  }
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) hi = Math.max(hi, Math.abs(d[i]));
  for (let it = 0; it < 100 && hi - lo > 1e-15 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (sizeAt(mid) > r) lo = mid;
    else hi = mid;
  }
  for (let i = 0; i < n; i++) {
    const a = Math.abs(d[i]) - hi;
    d[i] = a > 0 ? clip(i, Math.sign(d[i]) * a) : 0;
  }
}

/** Box room of coordinate i on the side of sign(v) (Infinity without a box). */
function roomOf(x0: Float64Array, box: Box | undefined, i: number, v: number): number {
  if (!box) return Infinity;
  return Math.max(0, v > 0 ? at(box.hi, i) - x0[i] : x0[i] - at(box.lo, i));
}

/** Size of the clipped point, S(0). */
function clippedSize(x0: Float64Array, d0: Float64Array, box: Box | undefined): number {
  let s = 0;
  for (let i = 0; i < d0.length; i++) s += Math.min(Math.abs(d0[i]), roomOf(x0, box, i, d0[i]));
  return s;
}

function infNorm(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Exactly inside the box (no tolerance), entry by entry; returns the first offending index or -1. */
function outsideBox(x0: Float64Array, d: Float64Array, box: Box | undefined): number {
  if (!box) return -1;
  for (let i = 0; i < d.length; i++) {
    const x = x0[i] + d[i];
    if (!(x >= at(box.lo, i) && x <= at(box.hi, i))) return i;
  }
  return -1;
}

/**
 * KKT certificate for d = P(d0) onto {||d||_1 <= r} cap box: the interval [L, U] of multipliers lam
 * that every coordinate allows (zero: lam >= |d0_i|; interior: lam = |d0_i| - |d_i|; on the box face:
 * lam <= |d0_i| - u_i; lam >= 0; lam = 0 when ||d||_1 < r - slack), each to tol. Non-empty (L <= U + tol) and
 * signs kept means optimal (the problem is convex and these are its KKT conditions).
 */
function kkt(x0: Float64Array, d0: Float64Array, d: Float64Array, r: number, box: Box | undefined, tol: number): { ok: boolean; L: number; U: number; why: string } {
  let L = 0;
  let U = Infinity;
  for (let i = 0; i < d0.length; i++) {
    const a = Math.abs(d0[i]);
    const u = roomOf(x0, box, i, d0[i]);
    const di = Math.abs(d[i]);
    if (d[i] !== 0 && Math.sign(d[i]) !== Math.sign(d0[i])) return { ok: false, L, U, why: `sign flipped at ${i}` };
    if (di > u) return { ok: false, L, U, why: `beyond the box room at ${i}` };
    if (di === 0) {
      if (u > tol) L = Math.max(L, a);
    } else if (di >= u - tol) {
      U = Math.min(U, a - di);
    } else {
      L = Math.max(L, a - di);
      U = Math.min(U, a - di);
    }
  }
  // Slackness: each entry |d0_i| - lam carries ~eps ||d0||_inf of rounding (more than 1e-12 r when
  // lam is close to |d0_i|, i.e. r small against ||d0||), hence the D-dependent slack.
  const slack = 1e-12 * r + d.length * 4 * Number.EPSILON * infNorm(d0);
  if (normOf('l1', d) < r - slack) U = Math.min(U, 0);
  return { ok: L <= U + tol, L, U, why: `multiplier interval [${L}, ${U}]` };
}

type BoxKind = 'none' | 'unit' | 'arrays';
type EntryKind = 'gauss' | 'ties' | 'zeros' | 'onRoom' | 'ordered';

interface Case {
  x0: Float64Array;
  d0: Float64Array;
  box: Box | undefined;
  r: number;
}

/** A random case from the project's Rng (fast-check supplies the seed and the shape). */
function makeCase(seed: number, D: number, boxKind: BoxKind, entries: EntryKind, rFrac: number): Case {
  const rng = new Rng(seed);
  const x0 = new Float64Array(D);
  let box: Box | undefined;
  if (boxKind === 'none') {
    rng.fillNormal(x0);
  } else if (boxKind === 'unit') {
    // Pixels: a third on the faces 0 and 1 (zero room on one side), as MNIST's background is.
    for (let i = 0; i < D; i++) {
      const c = rng.int(3);
      x0[i] = c === 0 ? 0 : c === 1 ? 1 : rng.uniform();
    }
    box = { lo: 0, hi: 1 };
  } else {
    const lo = new Float64Array(D);
    const hi = new Float64Array(D);
    for (let i = 0; i < D; i++) {
      lo[i] = -3 * rng.uniform();
      hi[i] = rng.int(5) === 0 ? lo[i] : lo[i] + 4 * rng.uniform(); // some degenerate intervals
      const c = rng.int(4);
      x0[i] = c === 0 ? lo[i] : c === 1 ? hi[i] : lo[i] + (hi[i] - lo[i]) * rng.uniform();
    }
    box = { lo, hi };
  }
  const d0 = new Float64Array(D);
  const scale = 0.05 + 2 * rng.uniform();
  const levels = [scale, 0.5 * scale, 0.25 * scale];
  for (let i = 0; i < D; i++) {
    const sign = rng.uniform() < 0.5 ? -1 : 1;
    if (entries === 'gauss') d0[i] = scale * rng.normal();
    else if (entries === 'ties') d0[i] = sign * levels[rng.int(3)];
    else if (entries === 'zeros') d0[i] = rng.int(3) === 0 ? scale * rng.normal() : 0;
    else if (entries === 'ordered') {
      // Organ-pipe and alternating magnitudes: the orders that defeat fixed pivot positions.
      const mag = seed % 2 === 0 ? Math.min(i, D - i) + 1 : i % 2 ? i + 1 : D - i;
      d0[i] = (sign * scale * mag) / D;
    }
    else {
      // |d0_i| equal to the room, or room + one of the tie levels: breakpoints coincide.
      const u = roomOf(x0, box, i, sign);
      const base = Number.isFinite(u) ? u : levels[0];
      d0[i] = sign * (rng.int(2) === 0 ? base : base + levels[rng.int(3)]);
    }
  }
  const r = rFrac * clippedSize(x0, d0, box);
  return { x0, d0, box, r };
}

/** Random feasible points: random directions scaled into the l1 ball, then clamped into the box. */
function feasiblePoints(c: Case, rng: Rng, count: number): Float64Array[] {
  const D = c.d0.length;
  const out: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const z = new Float64Array(D);
    if (k % 2 === 0) {
      rng.fillNormal(z);
    } else {
      z[rng.int(D)] = rng.uniform() < 0.5 ? -1 : 1; // a vertex of the l1 ball
    }
    const n1 = normOf('l1', z);
    const s = n1 > 0 ? (c.r * (k < 2 ? 1 : rng.uniform())) / n1 : 0;
    for (let i = 0; i < D; i++) z[i] *= s;
    if (c.box) {
      // Clamping x0 + z into the box only shrinks |z_i| (x0 is inside), so z stays in the ball.
      for (let i = 0; i < D; i++) {
        const x = c.x0[i] + z[i];
        const lo = at(c.box.lo, i);
        const hi = at(c.box.hi, i);
        if (x < lo) z[i] = lo - c.x0[i];
        else if (x > hi) z[i] = hi - c.x0[i];
      }
    }
    out.push(z);
  }
  return out;
}

const caseArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  D: fc.oneof(fc.constantFrom(1, 2, 3, 784), fc.integer({ min: 1, max: 300 })),
  boxKind: fc.constantFrom<BoxKind>('none', 'unit', 'arrays'),
  entries: fc.constantFrom<EntryKind>('gauss', 'ties', 'zeros', 'onRoom', 'ordered'),
  // 0 (r = 0), inside (0, 1) (the l1 constraint binds), >= 1 (just clip).
  rFrac: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1, noNaN: true }), fc.double({ min: 1, max: 2, noNaN: true })),
});

describe('exact l1-ball-and-box projection', () => {
  ptest.prop([caseArb], { numRuns: 400, seed: 8_2024 })('feasible, equals the bisection, and is the projection (KKT + variational inequality)', (p) => {
    const c = makeCase(p.seed, p.D, p.boxKind, p.entries, p.rFrac);
    const d = Float64Array.from(c.d0);
    projectBall('l1', c.x0, d, c.r, c.box);
    const scale = infNorm(c.d0);
    // Feasible.
    expect(normOf('l1', d)).toBeLessThanOrEqual(c.r * (1 + 1e-12));
    expect(outsideBox(c.x0, d, c.box)).toBe(-1);
    // Equal to the bisection.
    const ref = Float64Array.from(c.d0);
    projectL1Bisection(c.x0, ref, c.r, c.box);
    let maxDiff = 0;
    for (let i = 0; i < d.length; i++) maxDiff = Math.max(maxDiff, Math.abs(d[i] - ref[i]));
    expect(maxDiff).toBeLessThanOrEqual(TOL * scale);
    // KKT certificate.
    const cert = kkt(c.x0, c.d0, d, c.r, c.box, TOL * scale);
    expect(cert.ok, cert.why).toBe(true);
    // Variational inequality at feasible points; with d within e = sqrt(D) TOL ||d0||_inf of the
    // projection p (l2), <d0 - d, z - d> <= e (||z - p|| + ||d0 - p||) + e^2.
    const e = Math.sqrt(d.length) * TOL * scale;
    let dist0 = 0;
    for (let i = 0; i < d.length; i++) dist0 += (c.d0[i] - d[i]) ** 2;
    dist0 = Math.sqrt(dist0);
    for (const z of feasiblePoints(c, new Rng(p.seed ^ 0x5bd1e995), 8)) {
      let dot = 0;
      let distZ = 0;
      for (let i = 0; i < d.length; i++) {
        dot += (c.d0[i] - d[i]) * (z[i] - d[i]);
        distZ += (z[i] - d[i]) ** 2;
      }
      expect(dot).toBeLessThanOrEqual(e * (Math.sqrt(distZ) + dist0 + 2 * e) + e * e);
    }
  });

  ptest.prop([fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<BoxKind>('none', 'unit', 'arrays')], { numRuns: 100, seed: 88 })(
    'r >= S(0) gives the clipped point exactly, r = 0 gives 0',
    (seed, boxKind) => {
      const c = makeCase(seed, 784, boxKind, 'gauss', 1);
      const d = Float64Array.from(c.d0);
      projectBall('l1', c.x0, d, c.r * (1 + 1e-9) + 1e-300, c.box);
      const bad: number[] = [];
      for (let i = 0; i < d.length; i++) {
        const lo = c.box ? at(c.box.lo, i) - c.x0[i] : -Infinity;
        const hi = c.box ? at(c.box.hi, i) - c.x0[i] : Infinity;
        // The clipped coordinate, with 0 for no room (x0 on the face), as the sweep writes it;
        // where x0 + (hi - x0) rounds past hi (general boxes) an ulp or two closer to 0, inside.
        const want = Math.min(hi, Math.max(lo, c.d0[i]));
        const x = c.x0[i] + want;
        const exact = !c.box || (x >= at(c.box.lo, i) && x <= at(c.box.hi, i));
        const ok = exact ? Object.is(d[i], want === 0 ? 0 : want) : Math.abs(d[i] - want) <= 4 * Number.EPSILON * Math.abs(want);
        if (!ok) bad.push(i);
      }
      expect(bad).toEqual([]);
      expect(outsideBox(c.x0, d, c.box)).toBe(-1);
      const z = Float64Array.from(c.d0);
      projectBall('l1', c.x0, z, 0, c.box);
      expect(Array.from(z).every((v) => v === 0)).toBe(true);
    },
  );

  it('known answers: soft-threshold, box faces, ties, zero entries, zero room', () => {
    const close = (got: Float64Array, want: number[]) => want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-15));
    // No box: S(lam) = (3 - lam) + (2 - lam) on [0.5, 2], = 3 at lam = 1.
    let d = Float64Array.of(3, -2, 0.5);
    projectBall('l1', new Float64Array(3), d, 3);
    close(d, [2, -1, 0]);
    // Box room 1.5 on the first coordinate: S = 1.5 + (2 - lam) on [0.5, 1.5], = 3 at lam = 0.5.
    d = Float64Array.of(3, -2, 0.5);
    projectBall('l1', new Float64Array(3), d, 3, { lo: Float64Array.of(-10, -10, -10), hi: Float64Array.of(1.5, 10, 10) });
    close(d, [1.5, -1.5, 0]);
    // All magnitudes tied: every coordinate gets r / D.
    d = Float64Array.from({ length: 8 }, (_, i) => (i % 2 ? -1 : 1));
    projectBall('l1', new Float64Array(8), d, 2);
    close(d, [0.25, -0.25, 0.25, -0.25, 0.25, -0.25, 0.25, -0.25]);
    // Zero entries stay 0; x0 on the face: no room on that side, the coordinate stays 0.
    d = Float64Array.of(0, 0.8, -0.8, 0.6);
    const x0 = Float64Array.of(0.5, 1, 0, 0.5);
    projectBall('l1', x0, d, 0.3, { lo: 0, hi: 1 });
    close(d, [0, 0, 0, 0.3]);
    expect(d[1]).toBe(0);
    expect(d[2]).toBe(0);
  });

  it('rejects a negative or NaN radius and infinite entries with a ConfigError; NaN entries give 0', () => {
    expect(() => projectBall('l1', new Float64Array(2), Float64Array.of(1, 1), -1)).toThrow(ConfigError);
    expect(() => projectBall('l1', new Float64Array(2), Float64Array.of(1, 1), NaN)).toThrow(ConfigError);
    expect(() => projectBall('l1', new Float64Array(2), Float64Array.of(Infinity, 1), 1)).toThrow(/delta\[0\]/);
    const d = Float64Array.of(NaN, 2, -1);
    projectBall('l1', new Float64Array(3), d, 1);
    expect(Array.from(d)).toEqual([0, 1, 0]);
  });

  it('negative control: the certificate rejects "l1 projection without the box, then clamp"', () => {
    // Projecting onto the ball first spends the budget on a coordinate the box then cuts: not optimal.
    const x0 = Float64Array.of(0.9, 0.5);
    const d0 = Float64Array.of(1, 0.6);
    const box: Box = { lo: 0, hi: 1 };
    const wrong = Float64Array.from(d0);
    projectBall('l1', x0, wrong, 0.4); // no box: lam = 0.6, d = (0.4, 0)
    for (let i = 0; i < 2; i++) wrong[i] = Math.min(1 - x0[i], wrong[i]); // clamp: (0.1, 0)
    expect(kkt(x0, d0, wrong, 0.4, box, TOL).ok).toBe(false);
    // Rooms (0.1, 0.5): S(lam) = 0.1 + (0.6 - lam) on [0.1, 0.6], = 0.4 at lam = 0.3.
    const right = Float64Array.from(d0);
    projectBall('l1', x0, right, 0.4, box);
    expect(kkt(x0, d0, right, 0.4, box, TOL).ok).toBe(true);
    expect(Math.abs(right[0] - 0.1)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(right[1] - 0.3)).toBeLessThanOrEqual(1e-15);
  });
});

describe('requireInBox', () => {
  it('refuses a NaN coordinate (neither below lo nor above hi) and accepts the box edges', async () => {
    const { requireInBox } = await import('../src/robustness/ball.ts');
    const box = { lo: 0, hi: 1 };
    expect(() => requireInBox(Float64Array.of(0, 1, 0.5), box)).not.toThrow();
    expect(() => requireInBox(Float64Array.of(0.5, NaN), box)).toThrow(/x0\[1\]/);
    expect(() => requireInBox(Float64Array.of(1 + 1e-12), box)).toThrow(/x0\[0\]/);
  });
});
