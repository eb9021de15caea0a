import { describe, expect, it } from 'vitest';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/index.ts';
import { createNet } from '../src/network/create.ts';
import type { PReluNet } from '../src/network/types.ts';
import { trainGradientFlow, trainGradientDescent, trainSgd, GradientFlowTerm, geometricTimes } from '../src/dynamics/index.ts';
import { validateTrainConfig } from '../src/dynamics/trainConfig.ts';
import { mixtureReferences } from '../src/diagnostics/index.ts';

/** A small mixture problem: D = 12, K = 4 (K1 = 2), n = 80, h = 10, Gaussian init 1e-7. */
function problem(p: number, seed = 3, scale = 1e-7) {
  const rng = new Rng(seed);
  const mix = new OrthonormalMixture({ D: 12, K: 4, K1: 2, alpha: 0.1 });
  const data = mix.sample(80, rng);
  const net = createNet({ D: 12, h: 10, p, init: 'gaussian', scale }, rng);
  return { mix, data, net };
}
const meanExp = { loss: 'exp', reduction: 'mean' } as const;

function maxRelDiff(a: PReluNet, b: PReluNet): number {
  let scale = 0, d = 0;
  for (let i = 0; i < a.W.length; i++) {
    scale = Math.max(scale, Math.abs(a.W[i]));
    d = Math.max(d, Math.abs(a.W[i] - b.W[i]));
  }
  for (let j = 0; j < a.v.length; j++) {
    scale = Math.max(scale, Math.abs(a.v[j]));
    d = Math.max(d, Math.abs(a.v[j] - b.v[j]));
  }
  return d / scale;
}

describe('gradient flow formulations (PAPER.md s.9: small init must not break error control)', () => {
  it('encode/decode round-trips for both formulations', () => {
    const { data, net } = problem(3);
    for (const f of ['plain', 'polar'] as const) {
      const term = new GradientFlowTerm(net, data, meanExp, f);
      const th = term.decode(term.encode(net), new Float64Array(term.theta.length));
      for (let i = 0; i < net.W.length; i++) expect(Math.abs(th[i] - net.W[i])).toBeLessThanOrEqual(1e-15 * Math.abs(net.W[i]) + 1e-30);
    }
  });

  it('p = 3: plain (atol scaled to the init) and polar (log-norm + direction) give the same trajectory to 1e-5', () => {
    const { data, net } = problem(3);
    const saveTimes = geometricTimes(1, 400, 8);
    const runs = (['plain', 'polar'] as const).map((formulation) =>
      trainGradientFlow({ net, data, loss: meanExp, tEnd: 400, formulation, rtol: 1e-9, atol: 1e-9, saveTimes, maxSteps: 20000 }),
    );
    for (const r of runs) expect(r.reason).toBe('final-time');
    // The run must leave the small-init regime, otherwise agreement would prove little.
    expect(runs[1].trajectory.at(-1)!.maxNorm).toBeGreaterThan(0.3);
    expect(runs[1].finalLoss).toBeLessThan(0.5);
    expect(maxRelDiff(runs[0].net, runs[1].net)).toBeLessThan(1e-5);
    for (let k = 0; k < saveTimes.length; k++) {
      const a = runs[0].trajectory[k].loss, b = runs[1].trajectory[k].loss;
      expect(Math.abs(a - b)).toBeLessThan(1e-6 * a);
    }
  });

  it('p = 1 (discontinuous field): the formulations agree to the tolerance (rtol 1e-4), polar with far fewer steps', () => {
    // Measured on this problem: plain 2048 steps / 354 rejected, polar 122 / 10; at rtol 1e-6 plain
    // exhausts 50,000 attempts while polar needs ~4,000 steps (shrinking neurons sit below a
    // scaled atol in the plain variables and the kinks of relu keep rejecting their steps).
    const { data, net } = problem(1);
    const saveTimes = geometricTimes(1, 400, 8);
    const [plain, polar] = (['plain', 'polar'] as const).map((formulation) =>
      trainGradientFlow({ net, data, loss: meanExp, tEnd: 400, formulation, rtol: 1e-4, atol: 1e-4, saveTimes, maxSteps: 20000 }),
    );
    expect(plain.reason).toBe('final-time');
    expect(polar.reason).toBe('final-time');
    expect(polar.finalLoss).toBeLessThan(0.01);
    expect(Math.abs(plain.finalLoss - polar.finalLoss) / polar.finalLoss).toBeLessThan(1e-3);
    expect(maxRelDiff(plain.net, polar.net)).toBeLessThan(5e-2);
    expect(polar.steps + polar.rejected).toBeLessThan((plain.steps + plain.rejected) / 4);
  });

  it('a 1e-7 initialisation and a 1e-9 one follow the same direction flow early on (scale-free error control)', () => {
    // f is 2-homogeneous, so while f ~ 0 the direction dynamics do not depend on the scale; the
    // cosine matrices at t = 5 should agree closely.
    const a = problem(3, 5, 1e-7), b = problem(3, 5, 1e-9);
    for (let i = 0; i < b.net.W.length; i++) expect(b.net.W[i]).toBeCloseTo(a.net.W[i] * 1e-2, 20);
    const refs = mixtureReferences(a.mix);
    const ra = trainGradientFlow({ net: a.net, data: a.data, loss: meanExp, tEnd: 5, refs, saveTimes: [5], rtol: 1e-8, atol: 1e-8 });
    const rb = trainGradientFlow({ net: b.net, data: b.data, loss: meanExp, tEnd: 5, refs, saveTimes: [5], rtol: 1e-8, atol: 1e-8 });
    const ca = ra.trajectory[0].cosines!, cb = rb.trajectory[0].cosines!;
    let d = 0;
    for (let i = 0; i < ca.length; i++) d = Math.max(d, Math.abs(ca[i] - cb[i]));
    expect(d).toBeLessThan(1e-6);
  });
});

describe('conservation law (PAPER.md s.3)', () => {
  it('GF (p = 3, rtol 1e-11): residual < 1e-8 of the largest neuron norm squared at every save point', () => {
    const { data, net } = problem(3);
    const r = trainGradientFlow({ net, data, loss: meanExp, tEnd: 300, rtol: 1e-11, atol: 1e-11, saveCount: 12, saveFirst: 1 });
    expect(r.reason).toBe('final-time');
    expect(r.trajectory.at(-1)!.maxNorm).toBeGreaterThan(0.3);
    const worst = Math.max(...r.trajectory.map((s) => s.conservationRelative));
    expect(worst).toBeLessThan(1e-8);
  });

  it('GF with the Gauss integrator (plain state by default): p = 3 residual < 1e-13 at rtol 1e-6, same trajectory as dopri5', () => {
    // Gauss conserves quadratic invariants exactly (solver/gauss.ts), so the residual no longer
    // tracks the tolerance; the trajectory must still be the one dopri5 computes at a tight rtol.
    const { data, net } = problem(3);
    const saveTimes = geometricTimes(1, 300, 10);
    const g = trainGradientFlow({ net, data, loss: meanExp, tEnd: 300, solver: 'gauss', rtol: 1e-6, atol: 1e-6, saveTimes });
    const d = trainGradientFlow({ net, data, loss: meanExp, tEnd: 300, rtol: 1e-9, atol: 1e-9, saveTimes });
    expect(g.formulation).toBe('plain');
    expect(g.reason).toBe('final-time');
    expect(g.solverDiagnostics!.iterations).toBeGreaterThan(g.steps);
    expect(g.trajectory.at(-1)!.maxNorm).toBeGreaterThan(0.3);
    expect(Math.max(...g.trajectory.map((s) => s.conservationRelative))).toBeLessThan(1e-13);
    expect(maxRelDiff(g.net, d.net)).toBeLessThan(1e-5);
    expect(Math.abs(g.finalLoss - d.finalLoss) / d.finalLoss).toBeLessThan(1e-5);
  });

  it('GD: the drift at a fixed training time is O(lr) (fitted exponent in [0.8, 1.2]); per step O(lr^2)', () => {
    const { data, net } = problem(3, 7, 0.3);
    const lrs = [0.2, 0.1, 0.05];
    const T = 20;
    const drift = lrs.map((lr) => {
      const r = trainGradientDescent({ net, data, loss: meanExp, lr, steps: Math.round(T / lr), saveSteps: [Math.round(T / lr)] });
      return r.trajectory.at(-1)!.conservation;
    });
    const slope = (Math.log(drift[0]) - Math.log(drift[2])) / (Math.log(lrs[0]) - Math.log(lrs[2]));
    expect(slope).toBeGreaterThan(0.8);
    expect(slope).toBeLessThan(1.2);
    expect(drift[2]).toBeGreaterThan(0);
  });
});

describe('stop reasons of the gradient-flow result', () => {
  it('loss-threshold, max-steps, final-time, non-finite and wall-time are all reachable', () => {
    const { data, net } = problem(3);
    const thr = trainGradientFlow({ net, data, loss: meanExp, tEnd: 1e5, lossThreshold: 0.2, rtol: 1e-5, atol: 1e-5 });
    expect(thr.reason).toBe('loss-threshold');
    expect(thr.finalLoss).toBeLessThan(0.2);
    expect(thr.trajectory.at(-1)!.t).toBe(thr.t);
    const ms = trainGradientFlow({ net, data, loss: meanExp, tEnd: 1e5, maxSteps: 4 });
    expect(ms.reason).toBe('max-steps');
    expect(ms.steps + ms.rejected).toBe(4);
    const ft = trainGradientFlow({ net, data, loss: meanExp, tEnd: 3 });
    expect(ft.reason).toBe('final-time');
    expect(ft.t).toBe(3);
    const bad = { ...data, X: data.X.slice() };
    bad.X[5] = Infinity;
    expect(trainGradientFlow({ net, data: bad, loss: meanExp, tEnd: 10 }).reason).toBe('non-finite');
    expect(trainGradientFlow({ net, data, loss: meanExp, tEnd: 1e5, wallTimeMs: 0 }).reason).toBe('wall-time');
  });

  it('train config: gf.solver "gauss" is accepted (plain formulation by default), an unknown solver is named', () => {
    const base = { data: { model: 'mixture', D: 12, K: 4, K1: 2, alpha: 0.1, n: 20 } };
    const spec = validateTrainConfig({ ...base, gf: { solver: 'gauss' } }, '.');
    expect(spec.gf.solver).toBe('gauss');
    expect(spec.gf.formulation).toBe('plain');
    expect(validateTrainConfig({ ...base, gf: { solver: 'gauss', formulation: 'polar' } }, '.').gf.formulation).toBe('polar');
    expect(validateTrainConfig(base, '.').gf.formulation).toBe('polar');
    expect(() => validateTrainConfig({ ...base, gf: { solver: 'rk4' } }, '.')).toThrow(/gf\.solver/);
    expect(() => trainGradientFlow({ ...problem(3), loss: meanExp, tEnd: 1, solver: 'rk4' as never })).toThrow(/solver/);
  });

  it('rejects bad options with named errors', () => {
    const { data, net } = problem(3);
    expect(() => trainGradientFlow({ net, data, loss: meanExp, tEnd: -1 })).toThrow(/tEnd/);
    expect(() => trainGradientFlow({ net, data, loss: meanExp, tEnd: 1, formulation: 'cartesian' as never })).toThrow(/formulation/);
    expect(() => trainGradientDescent({ net, data, loss: meanExp, lr: 0, steps: 3 })).toThrow(/lr/);
    expect(() => trainSgd({ net, data, epochs: 1, batch: 1000, rng: new Rng(1) })).toThrow(/batch/);
  });
});

describe('discrete methods against gradient flow', () => {
  it('GD with a small lr tracks GF: loss at t = 50 within 2%', () => {
    const { data, net } = problem(3, 11, 0.05);
    const gf = trainGradientFlow({ net, data, loss: meanExp, tEnd: 50, saveTimes: [50], rtol: 1e-8, atol: 1e-8 });
    const gd = trainGradientDescent({ net, data, loss: meanExp, lr: 0.01, steps: 5000, saveSteps: [5000] });
    const a = gf.trajectory.at(-1)!.loss, b = gd.trajectory.at(-1)!.loss;
    expect(a).toBeLessThan(0.95);
    expect(Math.abs(a - b) / a).toBeLessThan(0.02);
  });

  it('SGD recipe: deterministic under a seed, records time = lr x steps, lowers the loss', () => {
    const { data, net } = problem(3, 13, 0.05);
    const run = () => trainSgd({ net, data, epochs: 20, batch: 16, lr: 0.2, rng: new Rng(9) });
    const a = run(), b = run();
    expect(a.steps).toBe(20 * 5);
    expect(a.t).toBeCloseTo(0.2 * 100, 12);
    expect(Array.from(a.net.W)).toEqual(Array.from(b.net.W));
    expect(a.finalLoss).toBeLessThan(a.trajectory[0].loss);
  });
});
