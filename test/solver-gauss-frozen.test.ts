/**
 * Frozen activation patterns (network/gradient.ts, pattern 'record' / 'frozen') and the Gauss
 * stepper with frozen modes (dynamics/solver/gauss.ts, "Frozen modes"): each step integrates the
 * smooth piece of p = 1 gradient flow selected by its start point's ReLU pattern, which passes the
 * Filippov sliding modes where plain Gauss stops, and keeps the balances v_j^2 - ||w_j||^2 exact.
 *
 * Tolerances: recording and freezing at the recorded point must reproduce the live call bit for
 * bit (same products, same order). The identity v_j dL/dv_j = <w_j, dL/dw_j> for a random mask is
 * checked against 1e-12 of B_j = |v_j| sum_i |rho_i| m_ij sum_k (|x_ik| + |c_k|) |w_jk|, the sum of
 * |terms| of the larger side: both sides round at most ~(n + D) 2^-53 B_j (< 4e-14 B_j here).
 */
import { describe, expect, it } from 'vitest';
import { balanceResidual, gfProblem, meanExp } from './gf.helpers.ts';
import { test as ptest, fc } from '@fast-check/vitest';
import { GaussLegendre, controllerSettings, gaussOptions, integrate } from '../src/dynamics/solver/index.ts';
import type { OdeTerm } from '../src/dynamics/solver/index.ts';
import { GradientFlowTerm, GradientPool, trainGradientFlow } from '../src/dynamics/index.ts';
import { Rng } from '../src/random/index.ts';
import { createGrad } from '../src/network/create.ts';
import { lossAndGrad } from '../src/network/gradient.ts';
import { lossWeight } from '../src/network/loss.ts';
import { createWorkspace } from '../src/network/workspace.ts';
import { wasmKernelsAvailable, type KernelBackend } from '../src/network/kernels.ts';
import type { ActivationPattern, LossOptions, NetGrad } from '../src/network/types.ts';
import { ConfigError } from '../src/validate.ts';
import { randomCase, type Case } from './network.helpers.ts';

const kernels: KernelBackend[] = wasmKernelsAvailable() ? ['js', 'wasm-simd'] : ['js'];
const logisticSum: LossOptions = { loss: 'logistic', reduction: 'sum' };

interface Call {
  L: number;
  g: NetGrad;
  margins: Float64Array;
  f: Float64Array;
}

function call(c: Case, kb: KernelBackend, pattern: ActivationPattern, mask: Uint8Array | null, opts: LossOptions = logisticSum): Call & { mask: Uint8Array | null } {
  const ws = createWorkspace(c.net, c.n, { kernels: kb });
  if (mask !== null) ws.mask = mask;
  const g = createGrad(c.net);
  const L = lossAndGrad(c.net, c.X, c.y, c.n, opts, g, ws, pattern);
  return { L, g, margins: ws.margins.slice(0, c.n), f: ws.f.slice(0, c.n), mask: ws.mask };
}

function expectSameBits(a: Call, b: Call): void {
  expect(Object.is(a.L, b.L)).toBe(true);
  expect(Object.is(a.g.b, b.g.b)).toBe(true);
  expect(Array.from(a.g.W)).toEqual(Array.from(b.g.W));
  expect(Array.from(a.g.v)).toEqual(Array.from(b.g.v));
  expect(Array.from(a.margins)).toEqual(Array.from(b.margins));
  expect(Array.from(a.f)).toEqual(Array.from(b.f));
}

/** (u_ij > 0) by a plain loop (rows kept 1e-9 away from the kinks, so the sign is unambiguous). */
function signPattern(c: Case): Uint8Array {
  const { D, h, W, centre } = c.net;
  const m = new Uint8Array(c.n * h);
  for (let i = 0; i < c.n; i++) {
    for (let j = 0; j < h; j++) {
      let u = 0;
      for (let k = 0; k < D; k++) u += (c.X[i * D + k] - (centre ? centre[k] : 0)) * W[j * D + k];
      m[i * h + j] = u > 0 ? 1 : 0;
    }
  }
  return m;
}

const shapes = [
  { D: 37, h: 23, n: 301, bias: true, centre: true, normalise: false },
  { D: 8, h: 5, n: 7, bias: false, centre: false, normalise: true },
  { D: 130, h: 64, n: 129, bias: true, centre: false, normalise: false },
];

describe('lossAndGrad: recorded and frozen activation patterns', () => {
  for (const kb of kernels) {
    it(`${kb}: 'record' gives the live numbers and the sign pattern; 'frozen' at that pattern gives them again, bit for bit`, () => {
      for (const [s, shape] of shapes.entries()) {
        const c = randomCase({ ...shape, p: 1, seed: 300 + s, kinkGap: 1e-9 });
        const live = call(c, kb, 'live', null);
        const rec = call(c, kb, 'record', null);
        expectSameBits(rec, live);
        expect(Array.from(rec.mask!.subarray(0, c.n * c.net.h))).toEqual(Array.from(signPattern(c)));
        const frozen = call(c, kb, 'frozen', rec.mask);
        expectSameBits(frozen, live);
        // The mask decides, not the sign: flipping one entry changes the result.
        const flipped = rec.mask!.slice();
        flipped[3] ^= 1;
        expect(call(c, kb, 'frozen', flipped).L).not.toBe(live.L);
      }
    });

    it(`${kb}: with an all-active mask the p = 1 net is linear: f(x) = sum_j v_j <x~, w_j> + b`, () => {
      const c = randomCase({ D: 9, h: 6, n: 11, p: 1, bias: true, centre: true, normalise: false, seed: 5 });
      const r = call(c, kb, 'frozen', new Uint8Array(c.n * c.net.h).fill(1));
      const { D, h, W, v, centre, b } = c.net;
      for (let i = 0; i < c.n; i++) {
        let f = b, sc = Math.abs(b);
        for (let j = 0; j < h; j++) {
          for (let k = 0; k < D; k++) {
            const t = v[j] * (c.X[i * D + k] - centre![k]) * W[j * D + k];
            f += t;
            sc += Math.abs(t);
          }
        }
        expect(Math.abs(r.f[i] - f)).toBeLessThanOrEqual(1e-13 * sc);
      }
    });

    ptest.prop([fc.integer({ min: 0, max: 1e6 }), fc.boolean(), fc.constantFrom<'exp' | 'logistic'>('exp', 'logistic')], { numRuns: 12, seed: 4242 })(
      `${kb}: v_j dL/dv_j = <w_j, dL/dw_j> for a random mask (1e-12 of the sum of |terms|)`,
      (seed, centred, loss) => {
        const c = randomCase({ D: 17, h: 9, n: 53, p: 1, bias: true, centre: centred, normalise: false, seed });
        const rng = new Rng(seed + 1);
        const mask = Uint8Array.from({ length: c.n * c.net.h }, () => (rng.uniform() < 0.5 ? 1 : 0));
        const opts: LossOptions = { loss, reduction: 'mean' };
        const r = call(c, kb, 'frozen', mask, opts);
        const { D, h, W, v, centre } = c.net;
        for (let j = 0; j < h; j++) {
          let wg = 0, B = 0;
          for (let k = 0; k < D; k++) wg += W[j * D + k] * r.g.W[j * D + k];
          for (let i = 0; i < c.n; i++) {
            if (mask[i * h + j] === 0) continue;
            const rho = lossWeight(loss, r.margins[i]) / c.n;
            let s = 0;
            for (let k = 0; k < D; k++) s += (Math.abs(c.X[i * D + k]) + (centre ? Math.abs(centre[k]) : 0)) * Math.abs(W[j * D + k]);
            B += Math.abs(v[j]) * rho * s;
          }
          expect(Math.abs(v[j] * r.g.v[j] - wg)).toBeLessThanOrEqual(1e-12 * B);
        }
      },
    );
  }

  it('JS and wasm record the same pattern and agree frozen (1e-12, as test/network.kernels.test.ts)', () => {
    if (kernels.length < 2) return;
    const c = randomCase({ D: 37, h: 23, n: 301, p: 1, bias: true, centre: true, normalise: false, seed: 77, kinkGap: 1e-9 });
    const a = call(c, 'js', 'record', null), b = call(c, 'wasm-simd', 'record', null);
    expect(Array.from(a.mask!)).toEqual(Array.from(b.mask!));
    const rng = new Rng(78);
    const mask = Uint8Array.from({ length: c.n * c.net.h }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const fa = call(c, 'js', 'frozen', mask), fb = call(c, 'wasm-simd', 'frozen', mask.slice());
    expect(Math.abs(fa.L - fb.L)).toBeLessThanOrEqual(1e-12 * Math.abs(fa.L));
    const sc = Math.max(...fa.g.W.map(Math.abs), ...fa.g.v.map(Math.abs));
    for (let k = 0; k < fa.g.W.length; k++) expect(Math.abs(fa.g.W[k] - fb.g.W[k])).toBeLessThanOrEqual(1e-12 * sc);
    for (let j = 0; j < fa.g.v.length; j++) expect(Math.abs(fa.g.v[j] - fb.g.v[j])).toBeLessThanOrEqual(1e-12 * sc);
  });

  it('refuses a frozen pattern for p != 1, without a recorded mask, without a workspace, and unknown patterns', () => {
    for (const p of [2, 3, 1.5]) {
      const c = randomCase({ D: 6, h: 4, n: 5, p, bias: false, centre: false, normalise: false, seed: 9 });
      const ws = createWorkspace(c.net, c.n);
      ws.mask = new Uint8Array(c.n * c.net.h).fill(1);
      expect(() => lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, createGrad(c.net), ws, 'frozen')).toThrow(ConfigError);
      expect(() => lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, createGrad(c.net), ws, 'frozen')).toThrow(/invalid p: got [\d.]+, allowed: 1 with pattern 'frozen'/);
      // Recording is allowed for every p (and changes nothing).
      expect(lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, null, ws, 'record')).toBe(lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, null, ws));
    }
    const c = randomCase({ D: 6, h: 4, n: 5, p: 1, bias: false, centre: false, normalise: false, seed: 9 });
    const ws = createWorkspace(c.net, c.n);
    expect(() => lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, null, ws, 'frozen')).toThrow(/workspace\.mask/);
    ws.mask = new Uint8Array(3);
    expect(() => lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, null, ws, 'frozen')).toThrow(/workspace\.mask/);
    expect(() => lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, null, undefined, 'record')).toThrow(/invalid workspace/);
    expect(() => lossAndGrad(c.net, c.X, c.y, c.n, logisticSum, null, ws, 'sticky' as ActivationPattern)).toThrow(/invalid pattern/);
  });
});



const maxRel = (a: Float64Array, b: Float64Array): number => {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
};

describe('GradientFlowTerm.freezeModes', () => {
  it('frozen at y, the field at y is the live field bit for bit; freezing at the last evaluated state costs nothing', () => {
    const { data, net } = gfProblem(1, 3, 0.1);
    for (const formulation of ['plain', 'polar'] as const) {
      const term = new GradientFlowTerm(net, data, meanExp, formulation);
      const y = term.encode(net);
      const live = new Float64Array(term.dim), frozen = new Float64Array(term.dim), other = new Float64Array(term.dim);
      term.rhs(0, y, live);
      expect(term.freezeModes(0, y)).toBe(1); // first freeze: nothing recorded yet
      term.rhs(0, y, frozen);
      expect(Array.from(frozen)).toEqual(Array.from(live));
      term.releaseModes();
      // Elsewhere, released: a live evaluation (recorded), then freezing there is free.
      const y2 = y.map((x, i) => x + 0.05 * live[i]);
      term.rhs(0, y2, other);
      expect(term.freezeModes(0, y2)).toBe(0);
      // Back to y (the frozen pattern of y was replaced): one recording evaluation.
      term.releaseModes();
      expect(term.freezeModes(0, y)).toBe(1);
      expect(term.freezeModes(0, y)).toBe(0);
      term.rhs(0, y, frozen);
      expect(Array.from(frozen)).toEqual(Array.from(live));
      term.releaseModes();
    }
  });

  it('refuses p != 1 with a named error', () => {
    const { data, net } = gfProblem(3, 3, 0.1);
    const term = new GradientFlowTerm(net, data, meanExp, 'plain');
    expect(() => term.freezeModes(0, term.encode(net))).toThrow(ConfigError);
    expect(() => term.freezeModes(0, term.encode(net))).toThrow(/invalid p: got 3/);
    const y0 = term.encode(net);
    expect(() => integrate({ term, solver: 'gauss', t0: 0, t1: 1, y0, gauss: { frozenModes: true } })).toThrow(/invalid p: got 3/);
  });
});

describe('gauss with frozen modes (p = 1 gradient flow past Filippov sliding modes)', () => {
  it('where plain Gauss stops with step-underflow at a sliding mode, frozen modes reach t = 100 with the balances to 1e-12', () => {
    // The problem of solver-gauss.test.ts "p = 1 sliding mode": plain Gauss stops at t ~ 0.6.
    const { data, net } = gfProblem(1, 3, 0.1);
    const plain = trainGradientFlow({ net, data, loss: meanExp, tEnd: 100, solver: 'gauss', rtol: 1e-6, atol: 1e-6, saveFirst: 0.1, saveCount: 10 });
    expect(plain.reason).toBe('step-underflow');
    expect(plain.t).toBeLessThan(1);
    const run = () => trainGradientFlow({ net, data, loss: meanExp, tEnd: 100, solver: 'gauss', gauss: { frozenModes: true }, rtol: 1e-6, atol: 1e-6, saveFirst: 0.1, saveCount: 10 });
    const a = run();
    expect(a.reason).toBe('final-time');
    expect(a.t).toBe(100);
    expect(a.solverDiagnostics!.stageFailures).toBe(0);
    expect(Math.max(...a.trajectory.map((s) => s.conservationRelative))).toBeLessThan(1e-12);
    // A real trajectory: the loss fell by two orders and the largest neuron grew several-fold (measured 5x).
    expect(a.finalLoss).toBeLessThan(0.01 * a.trajectory[0].loss);
    expect(a.trajectory.at(-1)!.maxNorm).toBeGreaterThan(3 * a.trajectory[0].maxNorm);
    // Same seed, same bytes.
    const b = run();
    expect(Buffer.from(b.net.W.buffer).equals(Buffer.from(a.net.W.buffer))).toBe(true);
    expect(Buffer.from(b.net.v.buffer).equals(Buffer.from(a.net.v.buffer))).toBe(true);
    expect([b.steps, b.rejected, b.evaluations, b.solverDiagnostics]).toEqual([a.steps, a.rejected, a.evaluations, a.solverDiagnostics]);
  });

  it('the trajectory converges to dopri5 (rtol 1e-11) as the tolerance is tightened (first order at kinks), balances exact at every tolerance', () => {
    const { data, net } = gfProblem(1, 7, 0.3);
    const term = new GradientFlowTerm(net, data, meanExp, 'plain');
    const y0 = term.encode(net);
    const ref = integrate({ term, solver: 'dopri5', t0: 0, t1: 4, y0, controller: { rtol: 1e-11, atol: term.toleranceFor(1e-11, y0) } });
    expect(ref.reason).toBe('final-time');
    const dist = [1e-6, 1e-10].map((rtol) => {
      const r = integrate({ term, solver: 'gauss', t0: 0, t1: 4, y0, controller: { rtol, atol: term.toleranceFor(rtol, y0) }, gauss: { frozenModes: true } });
      expect(r.reason).toBe('final-time');
      expect(balanceResidual(y0, r.y, net.D, net.h)).toBeLessThan(1e-12);
      return maxRel(r.y, ref.y);
    });
    // Measured 3.0e-3 and 3.8e-4: neither is held to rtol, but the error shrinks with the step.
    expect(dist[1]).toBeLessThan(dist[0] / 3);
    expect(dist[1]).toBeLessThan(1e-3);
  });

  it('NEGATIVE CONTROL: with dL/dv scaled by 1.01 the frozen-mode run shows a residual > 1e-4', () => {
    const { data, net } = gfProblem(1, 3, 0.1);
    const gf = new GradientFlowTerm(net, data, meanExp, 'plain');
    const { D, h } = net;
    const perturbed: OdeTerm = {
      dim: gf.dim,
      rhs(t, y, d) {
        gf.rhs(t, y, d);
        for (let j = 0; j < h; j++) d[h * D + j] *= 1.01;
      },
      freezeModes: (t, y) => gf.freezeModes(t, y),
      releaseModes: () => gf.releaseModes(),
    };
    const y0 = gf.encode(net);
    const r = integrate({ term: perturbed, solver: 'gauss', t0: 0, t1: 100, y0, controller: { rtol: 1e-6, atol: gf.toleranceFor(1e-6, y0) }, gauss: { frozenModes: true } });
    expect(r.reason).toBe('final-time');
    expect(balanceResidual(y0, r.y, D, h)).toBeGreaterThan(1e-4);
  });

  it('on the JS kernels too, and through the worker pool (trajectories agree to 1e-9, balances to 1e-12)', async () => {
    const { data, net } = gfProblem(1, 3, 0.1);
    const opts = { net, data, loss: meanExp, tEnd: 100, solver: 'gauss' as const, gauss: { frozenModes: true }, rtol: 1e-6, atol: 1e-6, saveTimes: [100] };
    const single = trainGradientFlow(opts);
    const pool = await GradientPool.create(net, data, meanExp, 2, 20_000, 'js');
    try {
      const pooled = trainGradientFlow({ ...opts, pool });
      expect(pooled.reason).toBe('final-time');
      expect(pooled.trajectory.at(-1)!.conservationRelative).toBeLessThan(1e-12);
      expect(Math.abs(pooled.finalLoss - single.finalLoss)).toBeLessThan(1e-9 * single.finalLoss);
      const g = createGrad(net);
      expect(() => pool.lossAndGrad(net, g, 'frozen')).not.toThrow(); // a pattern is frozen in the workers by now
    } finally {
      await pool.close();
    }
    const fresh = await GradientPool.create(net, data, meanExp, 2, 20_000, 'js');
    try {
      expect(() => fresh.lossAndGrad(net, createGrad(net), 'frozen')).toThrow(/invalid pattern/);
    } finally {
      await fresh.close();
    }
  });

  it('validates: frozenModes must be boolean and needs a term with modes', () => {
    expect(() => gaussOptions({ frozenModes: 1 as unknown as boolean })).toThrow(/gauss\.frozenModes/);
    const growth: OdeTerm = { dim: 1, rhs: (_t, y, d) => void (d[0] = y[0]) };
    expect(() => new GaussLegendre(growth, 0, Float64Array.of(1), controllerSettings(), { frozenModes: true })).toThrow(ConfigError);
    expect(() => integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0: Float64Array.of(1), gauss: { frozenModes: true } })).toThrow(/gauss\.frozenModes/);
    // Default off: the same smooth problem runs as before.
    expect(integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0: Float64Array.of(1), gauss: { frozenModes: false } }).reason).toBe('final-time');
  });
});
