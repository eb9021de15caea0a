/**
 * Certified lower bound (src/robustness/lowerbound.ts), robust-accuracy curves, the row-span
 * reduction and the model file format (PAPER.md s.5, s.8; issue 4).
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { attackNet } from '../src/robustness/attacknet.ts';
import { robustCurves } from '../src/robustness/curves.ts';
import { certifiedRadius, lambdaMaxUpper } from '../src/robustness/lowerbound.ts';
import { strongMinNorm } from '../src/robustness/minnorm.ts';
import { binaryObjective } from '../src/robustness/model.ts';
import { netModel, reduceToRowSpan } from '../src/robustness/netmodel.ts';
import { parseTestSet, parseWeights, testSetToJson, weightsToJson } from '../src/robustness/modelio.ts';
import { netTargets } from '../src/robustness/targets.ts';
import { parseRadii } from '../src/cli/attack.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import { Rng } from '../src/random/rng.ts';
import { inputGrad } from '../src/network/forward.ts';
import type { PReluNet } from '../src/network/types.ts';
import { ConfigError } from '../src/validate.ts';

const f = (net: PReluNet, x: Float64Array): number => inputGrad(net, x, new Float64Array(net.D));

function randomNet(rng: Rng, D: number, h: number, p: number, bias: boolean): PReluNet {
  return {
    D, h, p,
    W: rng.fillNormal(new Float64Array(h * D)),
    v: rng.fillNormal(new Float64Array(h)),
    b: bias ? 0.3 * rng.normal() : 0,
    hasBias: bias,
    centre: null,
    normalise: false,
  };
}

/** F^(p) with the centres of `mix` as neurons (PAPER.md s.5). */
function fpNet(mix: OrthonormalMixture, p: number): PReluNet {
  const v = Float64Array.from({ length: mix.K }, (_, k) => (k < mix.K1 ? 1 : -1));
  return { D: mix.D, h: mix.K, p, W: Float64Array.from(mix.centres), v, b: 0, hasBias: false, centre: null, normalise: false };
}

describe('certified lower bound', () => {
  it('is never above an attack and no sampled perturbation inside it flips the point (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(1, 1.5, 2, 3, 4),
        fc.boolean(),
        fc.constantFrom(0, 0.1, 0.5),
        fc.integer({ min: 0, max: 1_000_000 }),
        (D, h, p, bias, tol, seed) => {
          const rng = new Rng(seed);
          const net = randomNet(rng, D, h, p, bias);
          const x = rng.fillNormal(new Float64Array(D));
          const fx = f(net, x);
          const y = fx > 0 ? 1 : -1;
          const lb = certifiedRadius(net, x, y, 3, { groupTolerance: tol, cells: 128, bisections: 20 })!;
          expect(lb.radius).toBeGreaterThanOrEqual(0);
          if (!(y * fx > 0)) {
            expect(lb.radius).toBe(0);
            return;
          }
          // Dense random search on the sphere of radius lb and inside the ball.
          const d = new Float64Array(D);
          const xd = new Float64Array(D);
          for (let s = 0; s < 400; s++) {
            rng.fillNormal(d);
            const n = Math.hypot(...d);
            const r = s % 2 === 0 ? lb.radius : lb.radius * rng.uniform();
            for (let i = 0; i < D; i++) xd[i] = x[i] + (r / n) * d[i];
            expect(y * f(net, xd)).toBeGreaterThan(0);
          }
          const obj = binaryObjective(netModel(net), y, 'ce');
          const atk = strongMinNorm(obj, x, rng, { targets: netTargets(net, x, y), rMax: 3, bisections: 6, apgd: { steps: 40, restarts: 1 } });
          if (Number.isFinite(atk.radius)) expect(lb.radius).toBeLessThan(atk.radius);
        },
      ),
      { numRuns: 60, seed: 20240524 },
    );
  });

  it('F (p = 1) at noisy points: lower bound within 2% of the strong attack; F^(3) centre: in [0.6, sqrt(2)/2]', () => {
    const mix = new OrthonormalMixture({ D: 30, K: 10, K1: 6, alpha: 0.05 });
    const s = mix.sample(6, new Rng(5));
    const F: PReluNet = { D: 30, h: 2, p: 1, W: new Float64Array([...mix.classSum(1), ...mix.classSum(-1)]), v: new Float64Array([1, -1]), b: 0, hasBias: false, centre: null, normalise: false };
    for (let i = 0; i < s.n; i++) {
      const x = s.X.slice(i * 30, (i + 1) * 30);
      const lb = certifiedRadius(F, x, s.y[i], 2)!.radius;
      const atk = strongMinNorm(binaryObjective(netModel(F), s.y[i], 'ce'), x, new Rng(i), { bisections: 8, targets: netTargets(F, x, s.y[i]) }).radius;
      expect(lb).toBeLessThan(atk);
      expect(lb / atk).toBeGreaterThan(0.98);
    }
    const F3 = fpNet(mix, 3);
    const lb3 = certifiedRadius(F3, mix.centre(0), 1, 2)!;
    expect(lb3.radius).toBeGreaterThan(0.6);
    expect(lb3.radius).toBeLessThan(Math.SQRT1_2);
  });

  it('lambdaMaxUpper bounds the top eigenvalue from above and is close to it', () => {
    const rng = new Rng(2);
    const m = 6;
    const A = rng.fillNormal(new Float64Array(m * m));
    const G = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) G[i * m + j] += A[i * m + k] * A[j * m + k];
    // Power iteration gives a lower estimate of the top eigenvalue.
    let v = new Float64Array(m).fill(1);
    let lam = 0;
    for (let it = 0; it < 500; it++) {
      const w = new Float64Array(m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) w[i] += G[i * m + j] * v[j];
      lam = Math.hypot(...w);
      v = w.map((t) => t / lam);
    }
    const ub = lambdaMaxUpper(G, m, 10);
    expect(ub).toBeGreaterThanOrEqual(lam * (1 - 1e-12));
    expect(ub / lam).toBeLessThan(1.01);
  });
});

describe('robust-accuracy curves', () => {
  it('attackNet on F^(3) with noisy points: curves non-increasing, clean at r = 0, certified <= best <= each', () => {
    const mix = new OrthonormalMixture({ D: 20, K: 10, K1: 6, alpha: 2.5 });
    const data = mix.sample(12, new Rng(8));
    const net = fpNet(mix, 3);
    const radii = [0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0];
    const rep = attackNet(net, data, { radii, seed: 3, rMax: 3, pgd: { steps: 100 }, apgd: { steps: 20 }, strong: { bisections: 4, apgd: { steps: 30 } } });
    const c = rep.curves;
    expect(c.clean).toBeGreaterThan(0);
    expect(c.clean).toBeLessThan(1); // alpha = 2.5 in D = 20 misclassifies some points
    expect(rep.violations).toBe(0);
    const all = [c.certified!, c.bestAttack, ...Object.values(c.perAttack)];
    expect(Object.keys(c.perAttack).sort()).toEqual(['apgd', 'pgd', 'strong']);
    for (const curve of all) {
      expect(curve[0]).toBe(c.clean);
      for (let t = 1; t < curve.length; t++) expect(curve[t]).toBeLessThanOrEqual(curve[t - 1]);
    }
    for (let t = 0; t < radii.length; t++) {
      expect(c.certified![t]).toBeLessThanOrEqual(c.bestAttack[t]);
      for (const a of Object.values(c.perAttack)) expect(c.bestAttack[t]).toBeLessThanOrEqual(a[t]);
    }
    for (const p of rep.points) {
      if (!p.correct) continue;
      expect(p.lower!).toBeLessThan(p.upper);
    }
  });

  it('robustCurves on hand-made radii', () => {
    const c = robustCurves(
      [
        { correct: true, lower: 0.3, upper: 0.5, attacks: { a: 0.5, b: 0.9 } },
        { correct: false, lower: 0, upper: 0, attacks: {} },
      ],
      [0, 0.3, 0.5, 1],
    );
    expect(c.clean).toBe(0.5);
    expect(c.certified).toEqual([0.5, 0.5, 0, 0]);
    expect(c.bestAttack).toEqual([0.5, 0.5, 0, 0]);
    expect(c.perAttack.b).toEqual([0.5, 0.5, 0.5, 0]);
  });
});

describe('row-span reduction and model files', () => {
  it('f(x + d) equals the reduced net at a + Q d (PAPER.md s.5 Reduction)', () => {
    const rng = new Rng(12);
    const net = randomNet(rng, 9, 3, 3, true);
    net.centre = rng.fillNormal(new Float64Array(9));
    const X = rng.fillNormal(new Float64Array(2 * 9));
    const red = reduceToRowSpan(net, X, 2);
    expect(red.m).toBe(3);
    for (let t = 0; t < 20; t++) {
      const k = t % 2;
      const d = rng.fillNormal(new Float64Array(9));
      const z = new Float64Array(3);
      for (let l = 0; l < 3; l++) for (let i = 0; i < 9; i++) z[l] += red.Q[l * 9 + i] * d[i];
      const xd = Float64Array.from({ length: 9 }, (_, i) => X[k * 9 + i] + d[i]);
      const az = Float64Array.from({ length: 3 }, (_, l) => red.points[k * 3 + l] + z[l]);
      const a = f(net, xd);
      expect(Math.abs(f(red.net, az) - a)).toBeLessThan(1e-10 * (1 + Math.abs(a)));
    }
  });

  it('weights.json / data.json round-trip and name bad fields', () => {
    const rng = new Rng(1);
    const net = randomNet(rng, 3, 2, 2, true);
    const back = parseWeights(JSON.parse(JSON.stringify(weightsToJson(net))));
    expect(Array.from(back.W)).toEqual(Array.from(net.W));
    expect(back.b).toBe(net.b);
    expect(back.hasBias).toBe(true);
    const data = { n: 2, D: 3, X: new Float64Array(6), y: new Float64Array([1, -1]) };
    expect(parseTestSet(testSetToJson(data), 3).y).toEqual(data.y);
    expect(() => parseWeights({ ...weightsToJson(net), W: [1, 2] })).toThrow(/invalid W/);
    expect(() => parseWeights({ ...weightsToJson(net), bogus: 1 })).toThrow(ConfigError);
    expect(() => parseTestSet({ n: 1, D: 3, X: [0, 0, 0], y: [0] })).toThrow(/y\[0\]/);
    expect(() => parseTestSet(testSetToJson(data), 4)).toThrow(/invalid D/);
  });

  it('parseRadii reads lists and linspace, rejects negatives', () => {
    expect(parseRadii('0,0.5,1')).toEqual([0, 0.5, 1]);
    expect(parseRadii('linspace:0,1.5,4')).toEqual([0, 0.5, 1, 1.5]);
    expect(() => parseRadii('0,-1')).toThrow(/radii\[1\]/);
    expect(() => parseRadii('a')).toThrow(ConfigError);
  });
});
