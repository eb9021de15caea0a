import { describe, expect, it } from 'vitest';
import { integrate, controllerSettings } from '../src/dynamics/solver/index.ts';
import type { OdeTerm, SolverName } from '../src/dynamics/solver/index.ts';
import { ConfigError } from '../src/validate.ts';

/** Harmonic oscillator y'' = -y: exact solution (cos t, -sin t) from (1, 0). */
const oscillator: OdeTerm = {
  dim: 2,
  rhs(_t, y, d) {
    d[0] = y[1];
    d[1] = -y[0];
  },
};

describe('solvers on a problem with a known solution', () => {
  for (const solver of ['dopri5', 'cash-karp', 'gauss'] as SolverName[]) {
    it(`${solver}: oscillator to t = 10 within 1e-6, save points exact to 1e-6`, () => {
      const saveAt = [0, 0.5, 1, 2.5, 7, 10];
      const got: [number, number, number][] = [];
      const r = integrate({
        term: oscillator,
        solver,
        t0: 0,
        t1: 10,
        y0: Float64Array.of(1, 0),
        controller: { rtol: 1e-9, atol: 1e-12 },
        saveAt,
        onSave: (t, y) => got.push([t, y[0], y[1]]),
      });
      expect(r.reason).toBe('final-time');
      expect(r.t).toBe(10);
      expect(r.saved).toBe(saveAt.length);
      expect(got.map((g) => g[0])).toEqual(saveAt);
      for (const [t, a, b] of got) {
        expect(Math.abs(a - Math.cos(t))).toBeLessThan(1e-6);
        expect(Math.abs(b + Math.sin(t))).toBeLessThan(1e-6);
      }
      expect(r.evaluations).toBeGreaterThan(r.steps * 5);
    });
  }

  it('dopri5 dense output does not cut steps: same number of steps with and without 50 save points', () => {
    const run = (saveAt: number[]) =>
      integrate({ term: oscillator, solver: 'dopri5', t0: 0, t1: 20, y0: Float64Array.of(1, 0), controller: { rtol: 1e-8, atol: 1e-10 }, saveAt });
    const a = run([]);
    const b = run(Array.from({ length: 50 }, (_, i) => (i * 20) / 49));
    expect(b.steps).toBe(a.steps);
    expect(b.saved).toBe(50);
  });

  it('dopri5 dense output is 4th-order accurate inside steps (error shrinks ~x16 or more when rtol drops 1e3x)', () => {
    const errAt = (rtol: number): number => {
      let worst = 0;
      integrate({
        term: oscillator,
        solver: 'dopri5',
        t0: 0,
        t1: 6,
        y0: Float64Array.of(1, 0),
        controller: { rtol, atol: rtol * 1e-3 },
        saveAt: Array.from({ length: 97 }, (_, i) => i / 16),
        onSave: (t, y) => (worst = Math.max(worst, Math.abs(y[0] - Math.cos(t)))),
      });
      return worst;
    };
    const e1 = errAt(1e-4);
    const e2 = errAt(1e-7);
    expect(e1).toBeLessThan(1e-3);
    expect(e2).toBeLessThan(e1 / 16);
  });
});

describe('every stop reason is reachable', () => {
  const growth: OdeTerm = { dim: 1, rhs: (_t, y, d) => void (d[0] = y[0]) };
  for (const solver of ['dopri5', 'cash-karp', 'gauss'] as SolverName[]) {
    it(`${solver}: max-steps`, () => {
      const r = integrate({ term: growth, solver, t0: 0, t1: 100, y0: Float64Array.of(1), maxSteps: 3 });
      expect(r.reason).toBe('max-steps');
      expect(r.steps + r.rejected).toBe(3);
      expect(r.t).toBeLessThan(100);
    });
    it(`${solver}: stop-condition (threshold)`, () => {
      const r = integrate({ term: growth, solver, t0: 0, t1: 100, y0: Float64Array.of(1), stopWhen: (_t, y) => y[0] > 1e3 });
      expect(r.reason).toBe('stop-condition');
      expect(r.y[0]).toBeGreaterThan(1e3);
      expect(Math.abs(r.y[0] - Math.exp(r.t)) / r.y[0]).toBeLessThan(1e-4);
    });
    it(`${solver}: non-finite right-hand side`, () => {
      const bad: OdeTerm = { dim: 1, rhs: (t, _y, d) => void (d[0] = t > 0.5 ? NaN : 1) };
      const r = integrate({ term: bad, solver, t0: 0, t1: 1, y0: Float64Array.of(0), controller: { dt0: 0.1 } });
      expect(['non-finite', 'step-underflow']).toContain(r.reason);
      const nan: OdeTerm = { dim: 1, rhs: (_t, _y, d) => void (d[0] = NaN) };
      expect(integrate({ term: nan, solver, t0: 0, t1: 1, y0: Float64Array.of(0) }).reason).toBe('non-finite');
    });
    it(`${solver}: step-size underflow on a discontinuous field (sign switch)`, () => {
      // y' = -sign(y): trajectories hit 0 at t = 1 and chatter; error control cannot be met.
      const sw: OdeTerm = { dim: 1, rhs: (_t, y, d) => void (d[0] = y[0] > 0 ? -1 : 1) };
      const r = integrate({ term: sw, solver, t0: 0, t1: 3, y0: Float64Array.of(1), controller: { rtol: 1e-10, atol: 1e-14, dtMin: 1e-6 }, maxSteps: 100000 });
      expect(r.reason).toBe('step-underflow');
      expect(r.t).toBeGreaterThan(0.99);
      expect(r.t).toBeLessThan(1.01);
    });
  }
  it('wall-time', () => {
    const slow: OdeTerm = {
      dim: 1,
      rhs(_t, y, d) {
        const end = performance.now() + 2;
        while (performance.now() < end);
        d[0] = -y[0];
      },
    };
    const r = integrate({ term: slow, solver: 'dopri5', t0: 0, t1: 1e6, y0: Float64Array.of(1), wallTimeMs: 30 });
    expect(r.reason).toBe('wall-time');
    expect(r.wallMs).toBeLessThan(200);
  });
  it('validates settings with named errors', () => {
    expect(() => controllerSettings({ rtol: -1 })).toThrow(ConfigError);
    expect(() => controllerSettings({ rtol: -1 })).toThrow(/controller\.rtol/);
    expect(() => controllerSettings({ atol: 0 })).toThrow(/controller\.atol/);
    expect(() => integrate({ term: growth, solver: 'dopri5', t0: 0, t1: 1, y0: Float64Array.of(1), saveAt: [0.5, 0.2] })).toThrow(/saveAt\[1\]/);
    expect(() => integrate({ term: growth, solver: 'cash-karp', t0: 0, t1: 1, y0: Float64Array.of(1), controller: { norm: 'rms' } })).toThrow(/controller\.norm/);
    expect(() => integrate({ term: growth, solver: 'rk4' as SolverName, t0: 0, t1: 1, y0: Float64Array.of(1) })).toThrow(/"gauss"/);
  });
});
