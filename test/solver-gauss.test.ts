/**
 * The 2-stage Gauss-Legendre stepper (src/dynamics/solver/gauss.ts): order 4, exact conservation
 * of quadratic invariants (including the gradient-flow balances v_j^2 - ||w_j||^2 at p = 1, where
 * the field is discontinuous), a negative control that must show a residual, stop reasons and
 * determinism.
 */
import { describe, expect, it } from 'vitest';
import { balanceResidual, gfProblem, meanExp } from './gf.helpers.ts';
import { GaussLegendre, controllerSettings, integrate } from '../src/dynamics/solver/index.ts';
import type { OdeTerm } from '../src/dynamics/solver/index.ts';
import { GradientFlowTerm, trainGradientFlow } from '../src/dynamics/index.ts';
import { ConfigError } from '../src/validate.ts';

/**
 * Nonlinear limit cycle with a known solution: in polar coordinates r' = r (1 - r^2), phi' = 1, so
 * r(t)^2 = 1 / (1 + (1/r0^2 - 1) e^(-2t)), phi = phi0 + t.
 */
const limitCycle: OdeTerm = {
  dim: 2,
  rhs(_t, y, d) {
    const s = 1 - y[0] * y[0] - y[1] * y[1];
    d[0] = -y[1] + y[0] * s;
    d[1] = y[0] + y[1] * s;
  },
};
function limitCycleExact(t: number, r0: number): [number, number] {
  const r = 1 / Math.sqrt(1 + (1 / (r0 * r0) - 1) * Math.exp(-2 * t));
  return [r * Math.cos(t), r * Math.sin(t)];
}

/** Euler's rigid body (Hairer, Lubich & Wanner I.2.4): |y|^2 and sum y_k^2 / I_k are conserved. */
const I1 = 2, I2 = 1, I3 = 2 / 3;
const rigidBody: OdeTerm = {
  dim: 3,
  rhs(_t, y, d) {
    d[0] = (1 / I3 - 1 / I2) * y[1] * y[2];
    d[1] = (1 / I1 - 1 / I3) * y[2] * y[0];
    d[2] = (1 / I2 - 1 / I1) * y[0] * y[1];
  },
};
const rbY0 = Float64Array.of(Math.cos(1.1), 0, Math.sin(1.1));
const casimir = (y: Float64Array): number => y[0] * y[0] + y[1] * y[1] + y[2] * y[2];
const energy = (y: Float64Array): number => y[0] * y[0] / I1 + y[1] * y[1] / I2 + y[2] * y[2] / I3;



describe('gauss: order and accuracy', () => {
  it('fixed steps on a nonlinear problem with a known solution: fitted order 4 (+-0.2)', () => {
    const T = 2, r0 = 0.4;
    const Ns = [8, 16, 32, 64, 128];
    const errs = Ns.map((N) => {
      const st = new GaussLegendre(limitCycle, 0, Float64Array.of(r0, 0), controllerSettings({ rtol: 1e-6, atol: 1e-9 }));
      for (let k = 0; k < N; k++) expect(st.fixedStep(T / N)).toBe('accepted');
      const [a, b] = limitCycleExact(T, r0);
      return Math.hypot(st.y[0] - a, st.y[1] - b);
    });
    // Least-squares slope of log err against log h.
    const lx = Ns.map((N) => Math.log(T / N)), ly = errs.map(Math.log);
    const mx = lx.reduce((s, x) => s + x, 0) / lx.length, my = ly.reduce((s, x) => s + x, 0) / ly.length;
    let sxy = 0, sxx = 0;
    for (let k = 0; k < lx.length; k++) {
      sxy += (lx[k] - mx) * (ly[k] - my);
      sxx += (lx[k] - mx) ** 2;
    }
    const slope = sxy / sxx;
    expect(slope).toBeGreaterThan(3.8);
    expect(slope).toBeLessThan(4.2);
    expect(errs.at(-1)!).toBeLessThan(1e-8);
  });

  it('adaptive: error follows the tolerance, also on a linear problem (where Gauss-only error estimates vanish)', () => {
    const osc: OdeTerm = { dim: 2, rhs: (_t, y, d) => void ((d[0] = y[1]), (d[1] = -y[0])) };
    for (const rtol of [1e-5, 1e-8]) {
      const r = integrate({ term: osc, solver: 'gauss', t0: 0, t1: 10, y0: Float64Array.of(1, 0), controller: { rtol, atol: rtol * 1e-3 } });
      expect(r.reason).toBe('final-time');
      expect(r.t).toBe(10);
      expect(Math.abs(r.y[0] - Math.cos(10))).toBeLessThan(10 * rtol);
      expect(Math.abs(r.y[1] + Math.sin(10))).toBeLessThan(10 * rtol);
    }
    const r = integrate({ term: limitCycle, solver: 'gauss', t0: 0, t1: 5, y0: Float64Array.of(0.4, 0), controller: { rtol: 1e-9, atol: 1e-12 } });
    const [a, b] = limitCycleExact(5, 0.4);
    expect(Math.hypot(r.y[0] - a, r.y[1] - b)).toBeLessThan(1e-8);
  });

  it('save points are hit exactly (no dense output: steps stop at them) and carry the solution', () => {
    const saveAt = [0, 0.3, 1, 2.5, 4];
    const got: [number, number, number][] = [];
    const r = integrate({
      term: limitCycle, solver: 'gauss', t0: 0, t1: 4, y0: Float64Array.of(0.4, 0), controller: { rtol: 1e-9, atol: 1e-12 },
      saveAt, onSave: (t, y) => got.push([t, y[0], y[1]]),
    });
    expect(r.saved).toBe(saveAt.length);
    expect(got.map((g) => g[0])).toEqual(saveAt);
    for (const [t, x, y] of got) {
      const [a, b] = limitCycleExact(t, 0.4);
      expect(Math.hypot(x - a, y - b)).toBeLessThan(1e-8);
    }
  });
});

describe('gauss: exact conservation of quadratic invariants (Hairer-Lubich-Wanner Thm IV.2.2)', () => {
  it('rigid body to t = 200 at rtol 1e-4: both invariants to 1e-13 relative; dopri5 at the same rtol drifts (control)', () => {
    const saveAt = Array.from({ length: 41 }, (_, k) => 5 * k);
    const drift = (solver: 'gauss' | 'dopri5'): number => {
      let worst = 0;
      const r = integrate({
        term: rigidBody, solver, t0: 0, t1: 200, y0: rbY0, controller: { rtol: 1e-4, atol: 1e-7 }, saveAt,
        onSave: (_t, y) => (worst = Math.max(worst, Math.abs(casimir(y) - casimir(rbY0)) / casimir(rbY0), Math.abs(energy(y) - energy(rbY0)) / energy(rbY0))),
      });
      expect(r.reason).toBe('final-time');
      return worst;
    };
    expect(drift('gauss')).toBeLessThan(1e-13);
    expect(drift('dopri5')).toBeGreaterThan(1e-6);
  });

  it('gradient flow p = 1 (discontinuous field), plain state: balances conserved to 1e-12 while neurons cross ReLU kinks', () => {
    const { data, net } = gfProblem(1, 7, 0.3);
    const term = new GradientFlowTerm(net, data, meanExp, 'plain');
    const y0 = term.encode(net);
    const r = integrate({ term, solver: 'gauss', t0: 0, t1: 4, y0, controller: { rtol: 1e-6, atol: term.toleranceFor(1e-6, y0) } });
    expect(r.reason).toBe('final-time');
    expect(balanceResidual(y0, r.y, net.D, net.h)).toBeLessThan(1e-12);
    // The run must cross kinks: some unit's activation on some sample changed sign.
    const { D, h } = net;
    let flips = 0;
    for (let i = 0; i < data.n; i++) {
      for (let j = 0; j < h; j++) {
        let u0 = 0, u1 = 0;
        for (let k = 0; k < D; k++) {
          u0 += data.X[i * D + k] * y0[j * D + k];
          u1 += data.X[i * D + k] * r.y[j * D + k];
        }
        if (u0 > 0 !== u1 > 0) flips++;
      }
    }
    expect(flips).toBeGreaterThan(0);
    // And the loss must have moved, so the balances were tested on a real trajectory.
    expect(term.lossAt(r.y)).toBeLessThan(0.9 * term.lossAt(y0));
  });

  it('NEGATIVE CONTROL: the same flow with dL/dv scaled by 1.01 breaks the identity and shows a residual > 1e-4', () => {
    const { data, net } = gfProblem(1, 7, 0.3);
    const gf = new GradientFlowTerm(net, data, meanExp, 'plain');
    const { D, h } = net;
    const perturbed: OdeTerm = {
      dim: gf.dim,
      rhs(t, y, d) {
        gf.rhs(t, y, d);
        for (let j = 0; j < h; j++) d[h * D + j] *= 1.01;
      },
    };
    const y0 = gf.encode(net);
    const r = integrate({ term: perturbed, solver: 'gauss', t0: 0, t1: 4, y0, controller: { rtol: 1e-6, atol: gf.toleranceFor(1e-6, y0) } });
    expect(r.reason).toBe('final-time');
    expect(balanceResidual(y0, r.y, D, h)).toBeGreaterThan(1e-4);
  });

  it('the conservation comes from the stage solve: loosening its tolerance to 1e-6 shows a residual', () => {
    const run = (stageRtol: number): number => {
      const r = integrate({ term: rigidBody, solver: 'gauss', t0: 0, t1: 50, y0: rbY0, controller: { rtol: 1e-4, atol: 1e-7 }, gauss: { stageRtol } });
      return Math.abs(energy(r.y) - energy(rbY0)) / energy(rbY0);
    };
    expect(run(1e-14)).toBeLessThan(1e-13);
    expect(run(1e-6)).toBeGreaterThan(1e-11);
  });

  it('p = 1 sliding mode (documented limit): the run ends with step-underflow, never hangs, balances still conserved', () => {
    // From this start a ReLU kink with the field pointing into it from both sides is reached at
    // t ~ 0.6 (measured): the collocation equations have no solution for steps across it.
    const { data, net } = gfProblem(1, 3, 0.1);
    const r = trainGradientFlow({ net, data, loss: meanExp, tEnd: 100, solver: 'gauss', rtol: 1e-6, atol: 1e-6, saveFirst: 0.1, saveCount: 10 });
    expect(r.formulation).toBe('plain');
    expect(r.reason).toBe('step-underflow');
    expect(r.t).toBeGreaterThan(0.1);
    expect(r.solverDiagnostics!.stageFailures).toBeGreaterThan(10);
    expect(Math.max(...r.trajectory.map((s) => s.conservationRelative))).toBeLessThan(1e-12);
  });
});

describe('gauss: stop reasons, limits, determinism', () => {
  const growth: OdeTerm = { dim: 1, rhs: (_t, y, d) => void (d[0] = y[0]) };
  it('final-time lands exactly on t1; max-steps counts attempts', () => {
    const ft = integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0: Float64Array.of(1) });
    expect(ft.reason).toBe('final-time');
    expect(ft.t).toBe(1);
    expect(Math.abs(ft.y[0] - Math.E)).toBeLessThan(1e-5);
    const ms = integrate({ term: growth, solver: 'gauss', t0: 0, t1: 100, y0: Float64Array.of(1), maxSteps: 3 });
    expect(ms.reason).toBe('max-steps');
    expect(ms.steps + ms.rejected).toBe(3);
    expect(ms.evaluations).toBeGreaterThan(ms.steps * 5);
    expect(ms.diagnostics!.iterations).toBeGreaterThan(0);
  });

  it('non-finite: at the start and during the run', () => {
    const nan: OdeTerm = { dim: 1, rhs: (_t, _y, d) => void (d[0] = NaN) };
    expect(integrate({ term: nan, solver: 'gauss', t0: 0, t1: 1, y0: Float64Array.of(0) }).reason).toBe('non-finite');
    const later: OdeTerm = { dim: 1, rhs: (t, _y, d) => void (d[0] = t > 0.5 ? NaN : 1) };
    const r = integrate({ term: later, solver: 'gauss', t0: 0, t1: 1, y0: Float64Array.of(0), controller: { dt0: 0.1 } });
    expect(['non-finite', 'step-underflow']).toContain(r.reason);
    expect(r.t).toBeLessThanOrEqual(0.5);
  });

  it('step-underflow on y\' = -sign(y): the stage iteration cycles at the switch, steps collapse to the floor', () => {
    const sw: OdeTerm = { dim: 1, rhs: (_t, y, d) => void (d[0] = y[0] > 0 ? -1 : 1) };
    const r = integrate({ term: sw, solver: 'gauss', t0: 0, t1: 3, y0: Float64Array.of(1), controller: { rtol: 1e-8, atol: 1e-12, dtMin: 1e-9 }, maxSteps: 100000 });
    expect(r.reason).toBe('step-underflow');
    expect(r.t).toBeGreaterThan(0.99);
    expect(r.t).toBeLessThan(1.01);
    expect(r.diagnostics!.stageFailures).toBeGreaterThan(0);
  });

  it('stop-condition and wall-time', () => {
    const sc = integrate({ term: growth, solver: 'gauss', t0: 0, t1: 100, y0: Float64Array.of(1), stopWhen: (_t, y) => y[0] > 1e3 });
    expect(sc.reason).toBe('stop-condition');
    expect(Math.abs(sc.y[0] - Math.exp(sc.t)) / sc.y[0]).toBeLessThan(1e-4);
    const slow: OdeTerm = {
      dim: 1,
      rhs(_t, y, d) {
        const end = performance.now() + 1;
        while (performance.now() < end);
        d[0] = -y[0];
      },
    };
    const wt = integrate({ term: slow, solver: 'gauss', t0: 0, t1: 1e6, y0: Float64Array.of(1), wallTimeMs: 30 });
    expect(wt.reason).toBe('wall-time');
  });

  it('deterministic: two runs give identical states and counters', () => {
    const run = () => integrate({ term: rigidBody, solver: 'gauss', t0: 0, t1: 30, y0: rbY0, controller: { rtol: 1e-6, atol: 1e-9 }, saveAt: [10, 20] });
    const a = run(), b = run();
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect([a.steps, a.rejected, a.evaluations, a.diagnostics]).toEqual([b.steps, b.rejected, b.evaluations, b.diagnostics]);
  });

  it('validates its settings with named errors', () => {
    const y0 = Float64Array.of(1);
    expect(() => integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0, gauss: { stageRtol: 0 } })).toThrow(ConfigError);
    expect(() => integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0, gauss: { stageRtol: 0 } })).toThrow(/gauss\.stageRtol/);
    expect(() => integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0, gauss: { maxIterations: 1 } })).toThrow(/gauss\.maxIterations/);
    expect(() => integrate({ term: growth, solver: 'gauss', t0: 0, t1: 1, y0, gauss: { thetaTarget: 2 } })).toThrow(/gauss\.thetaTarget/);
    const st = new GaussLegendre(growth, 0, y0, controllerSettings());
    expect(() => st.fixedStep(-1)).toThrow(/\bh\b/);
    expect(() => st.interpolate()).toThrow(/dense output/);
  });
});
