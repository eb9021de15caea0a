import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random/index.ts';
import { OrthonormalMixture } from '../src/data/index.ts';
import {
  DataObjective,
  classifySecondOrder,
  clusterObjective,
  clusterReferences,
  findExtremalVectors,
  perturbationReturn,
} from '../src/extremal/index.ts';

const K = 10;
const K1 = 6;
const N = 3;
const refs = clusterReferences(K, K1);
const positiveCentres = Array.from({ length: K1 }, (_, k) => `mu_${k + 1}`).sort();
const negativeCentres = Array.from({ length: K - K1 }, (_, k) => `mu_${K1 + k + 1}`).sort();

function unit(v: number[]): Float64Array {
  const n = Math.hypot(...v);
  return Float64Array.from(v, (x) => x / n);
}
const mubarPlus = unit(Array.from({ length: K }, (_, k) => (k < K1 ? 1 : 0)));
const mu1 = unit(Array.from({ length: K }, (_, k) => (k === 0 ? 1 : 0)));

describe('extremal-vector finder on noise-free clusters (PAPER.md s.4, K = 10, K1 = 6)', () => {
  for (const p of [1, 1.5]) {
    it(`p = ${p}: the attracting directions are exactly mubar_+ (ascent) and mubar_- (descent)`, () => {
      const obj = clusterObjective({ K, K1, p, N });
      const up = findExtremalVectors(obj, { sign: 1, rng: new Rng(1), starts: 32, references: refs });
      const down = findExtremalVectors(obj, { sign: -1, rng: new Rng(2), starts: 32, references: refs });
      expect(up.attractingNames).toEqual(['mubar_+']);
      expect(down.attractingNames).toEqual(['mubar_-']);
      // Every other end point is a saddle (partial class averages, single centres) or flat (inactive).
      for (const f of [...up.directions, ...down.directions]) {
        if (!f.attracting && f.secondOrder) expect(['saddle', 'degenerate']).toContain(f.secondOrder.kind);
      }
    });
  }

  for (const p of [3, 4]) {
    it(`p = ${p}: every centre mu_k attracts (positive ones under ascent, negative under descent)`, () => {
      const obj = clusterObjective({ K, K1, p, N });
      const up = findExtremalVectors(obj, { sign: 1, rng: new Rng(3), starts: 48, references: refs });
      const down = findExtremalVectors(obj, { sign: -1, rng: new Rng(4), starts: 48, references: refs });
      expect(up.attractingNames).toEqual(positiveCentres);
      expect(down.attractingNames).toEqual(negativeCentres);
      for (const f of up.directions.filter((d) => d.attracting)) expect(f.name.cosine).toBeGreaterThan(1 - 1e-9);
    });
  }

  it('p = 2: nothing attracts; every end point with G != 0 is degenerate and the ends are spread out', () => {
    const obj = clusterObjective({ K, K1, p: 2, N });
    for (const sign of [1, -1] as const) {
      const r = findExtremalVectors(obj, { sign, rng: new Rng(5 + sign), starts: 24, references: refs });
      expect(r.attractingNames).toEqual([]);
      const active = r.directions.filter((f) => !f.inactive);
      for (const f of active) expect(f.secondOrder?.kind).toBe('degenerate');
      // No selection: the 24 flows end at many distinct points of the flat set.
      expect(active.length).toBeGreaterThanOrEqual(12);
      for (const f of active) expect(Math.abs(f.value - sign * N)).toBeLessThanOrEqual(1e-6 * N);
    }
  });
});

describe('second-order test at known points', () => {
  it('p = 3: Hessian at mu_1 is -3N on the whole tangent space; mubar_+ is a saddle with +-3N/sqrt(K1)', () => {
    const obj = clusterObjective({ K, K1, p: 3, N });
    // h = 1e-6: the other coordinates sit at the C^2 kink of relu^3, where central differences
    // carry an O(p N h) error (1.5 N h).
    const at1 = classifySecondOrder(obj, mu1, { h: 1e-6 });
    expect(at1.kind).toBe('local max');
    for (const e of at1.eigenvalues) expect(Math.abs(e + 3 * N)).toBeLessThanOrEqual(1e-5 * N);
    const avg = classifySecondOrder(obj, mubarPlus, { h: 1e-6 });
    expect(avg.kind).toBe('saddle');
    const lam = (3 * N) / Math.sqrt(K1);
    // Smooth in the positive span: K1 - 1 eigenvalues +lam; the K2 negative directions sit at a
    // C^2 kink of relu^3 where the central Hessian is -lam.
    expect(avg.eigenvalues.filter((e) => Math.abs(e - lam) <= 1e-4 * lam).length).toBe(K1 - 1);
    expect(avg.eigenvalues.filter((e) => Math.abs(e + lam) <= 1e-4 * lam).length).toBe(K - K1);
  });

  it('p = 2 at mubar_+: K1 - 1 zero eigenvalues (flat span) -> degenerate; p = 1 at mubar_+: a kink maximum', () => {
    const two = classifySecondOrder(clusterObjective({ K, K1, p: 2, N }), mubarPlus);
    expect(two.kind).toBe('degenerate');
    expect(two.zero).toBe(K1 - 1);
    const one = classifySecondOrder(clusterObjective({ K, K1, p: 1, N }), mubarPlus);
    expect(one.kink).toBe(true);
    expect(one.kind).toBe('local max');
  });

  it('perturbation return: mubar_+ attracts at p = 1, not at p = 2 or p = 3', () => {
    const rng = new Rng(12);
    expect(perturbationReturn(clusterObjective({ K, K1, p: 1, N }), mubarPlus, { rng, sign: 1 }).attracting).toBe(true);
    const two = perturbationReturn(clusterObjective({ K, K1, p: 2, N }), mubarPlus, { rng, sign: 1 });
    expect(two.attracting).toBe(false);
    // Flat: the perturbed flow stays about where it was put (angle ~ radius, neither back nor away).
    expect(two.maxEndAngle).toBeLessThanOrEqual(two.radius + 1e-9);
    expect(two.maxEndAngle).toBeGreaterThan(0.25 * two.radius);
    const three = perturbationReturn(clusterObjective({ K, K1, p: 3, N }), mubarPlus, { rng, sign: 1 });
    expect(three.attracting).toBe(false);
    expect(three.maxEndAngle).toBeGreaterThan(0.5);
  });
});

describe('extremal finder on noisy data from src/data (alpha = 0.1, D = 12, K = 4, K1 = 2, n = 100)', () => {
  const D = 12;
  const rng = new Rng(5);
  const mix = new OrthonormalMixture({ D, K: 4, K1: 2, alpha: 0.1, frame: 'random', clusters: 'balanced' }, rng);
  const s = mix.sample(100, rng);
  const references = clusterReferences(4, 2, mix.centres, D);
  const opts = { starts: 6, references, nameCos: 0.95, flow: { maxSteps: 2000 } };
  it('p = 1: mubar_+ and mubar_- (cosine > 0.95) are the attracting directions', () => {
    const obj = new DataObjective(s.X, s.y, 1, D);
    expect(findExtremalVectors(obj, { ...opts, sign: 1, rng: new Rng(2) }).attractingNames).toEqual(['mubar_+']);
    expect(findExtremalVectors(obj, { ...opts, sign: -1, rng: new Rng(3) }).attractingNames).toEqual(['mubar_-']);
  });
  it('p = 3: every centre (cosine > 0.95) attracts', () => {
    const obj = new DataObjective(s.X, s.y, 3, D);
    expect(findExtremalVectors(obj, { ...opts, sign: 1, rng: new Rng(2) }).attractingNames).toEqual(['mu_1', 'mu_2']);
    expect(findExtremalVectors(obj, { ...opts, sign: -1, rng: new Rng(3) }).attractingNames).toEqual(['mu_3', 'mu_4']);
  });
});

describe('check helpers', () => {
  it('predicted attracting sets and their description', async () => {
    const { expectedAttracting, describeAttracting, extremalConfig } = await import('../src/extremal/checks.ts');
    expect(expectedAttracting(1.5, 1, 4, 2)).toEqual(['mubar_+']);
    expect(expectedAttracting(2, -1, 4, 2)).toEqual([]);
    expect(expectedAttracting(3, -1, 4, 2)).toEqual(['mu_3', 'mu_4']);
    expect(describeAttracting(['mu_1', 'mu_2'], 1, 4, 2)).toBe('centres');
    expect(describeAttracting(['mu_1'], 1, 4, 2)).toBe('other');
    expect(describeAttracting([], 1, 4, 2)).toBe('none');
    const ctx = { seed: 1, quick: true, config: { K: 4, K1: 2 }, progress() {} };
    expect(extremalConfig(ctx).starts).toBe(32);
    expect(() => extremalConfig({ ...ctx, config: { Kx: 3 } })).toThrow(/Kx/);
    expect(() => extremalConfig({ ...ctx, config: { pValues: [0.5] } })).toThrow(/pValues\[0\]/);
  });
});
