import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configKey, trainedNet, TRAINED_DEFAULTS, type TrainedConfig } from '../src/experiments/trained.ts';
import { attackNet } from '../src/robustness/attacknet.ts';
import { binaryObjective } from '../src/robustness/model.ts';
import { netModel } from '../src/robustness/netmodel.ts';
import { minNormAlong } from '../src/robustness/linesearch.ts';
import { firstPoints } from '../src/experiments/trainedRadius.ts';
import { Rng } from '../src/random/rng.ts';
import { uniformSphere } from '../src/random/sampling.ts';
import { mixtureProblem } from '../src/dynamics/experiments/problem.ts';
import { ConfigError } from '../src/validate.ts';

/** A tiny mixture net: trains in well under a second. */
function tiny(p: number, alpha = 0.05): TrainedConfig {
  return { ...TRAINED_DEFAULTS, spec: { D: 12, K: 4, K1: 2, n: 80, h: 16, init: 1e-4, p, alpha }, seed: 7, lossThreshold: 0.05, saveCount: 8, nTest: 20, wallTimeMs: 60_000 };
}

describe('trained-net cache', () => {
  test('a cached and a fresh run give bit-identical nets and runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prelu-trained-'));
    try {
      const c = tiny(3);
      const a = trainedNet(c, { cacheDir: dir });
      expect(a.fromCache).toBe(false);
      expect(a.run.reason).toBe('loss-threshold');
      expect(readdirSync(dir)).toEqual([`${configKey(c)}.json`]); // no temp or lock file left behind
      const b = trainedNet(c, { cacheDir: dir });
      expect(b.fromCache).toBe(true);
      const fresh = trainedNet(c, { cacheDir: null });
      for (const other of [b, fresh]) {
        expect(Array.from(other.net.W)).toEqual(Array.from(a.net.W));
        expect(Array.from(other.net.v)).toEqual(Array.from(a.net.v));
        expect(other.run.t).toBe(a.run.t);
        expect(other.saved.map((s) => s.t)).toEqual(a.saved.map((s) => s.t));
        expect(Array.from(other.test.X)).toEqual(Array.from(a.test.X));
      }
      // The key covers the whole config: any change trains a different net.
      expect(configKey({ ...c, lossThreshold: 0.04 })).not.toBe(configKey(c));
      expect(configKey({ ...c, spec: { ...c.spec, alpha: 0.06 } })).not.toBe(configKey(c));
      expect(configKey({ ...c, seed: 8 })).not.toBe(configKey(c));
      // A lock left by a dead trainer does not block: the net is trained and the lock removed.
      const c2 = { ...c, seed: 9 };
      writeFileSync(join(dir, `${configKey(c2)}.lock`), '2147483646');
      const t0 = Date.now();
      expect(trainedNet(c2, { cacheDir: dir }).fromCache).toBe(false);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(readdirSync(dir).sort()).toEqual([`${configKey(c)}.json`, `${configKey(c2)}.json`].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('trained nets on exactly balanced clusters (the conjecture-dist explanation test)', () => {
  test('exact counts per cluster (K divides n: n/K each; otherwise within one), same seed -> same data; centres and test points as the iid run', () => {
    const c = { ...tiny(3), balanced: true };
    const a = trainedNet(c, { cacheDir: null });
    expect(a.run.reason).toBe('loss-threshold');
    const counts = (tr: typeof a): number[] => {
      const k = new Array(tr.mix.K).fill(0);
      for (const z of tr.trainClusters!) k[z]++;
      return k;
    };
    expect(counts(a)).toEqual([20, 20, 20, 20]);
    const odd = trainedNet({ ...c, spec: { ...c.spec, n: 82 }, lossThreshold: 0.5 }, { cacheDir: null });
    const ko = counts(odd);
    expect(ko.reduce((x, y) => x + y, 0)).toBe(82);
    expect(Math.max(...ko) - Math.min(...ko)).toBe(1);
    const b = trainedNet(c, { cacheDir: null });
    expect(Array.from(b.train.X)).toEqual(Array.from(a.train.X));
    expect(Array.from(b.net.W)).toEqual(Array.from(a.net.W));
    // Labels follow the cluster ids; the data differ from the iid run, the centres and test points do not.
    a.trainClusters!.forEach((z, i) => expect(a.train.y[i]).toBe(a.mix.label(z)));
    const iid = trainedNet(tiny(3), { cacheDir: null });
    expect(Array.from(iid.train.X)).not.toEqual(Array.from(a.train.X));
    expect(Array.from(iid.mix.centres)).toEqual(Array.from(a.mix.centres));
    expect(Array.from(iid.test.X)).toEqual(Array.from(a.test.X));
    expect(counts(iid)).not.toEqual([20, 20, 20, 20]);
  });

  test('held-out test points share no row with the training set (they once re-used its stream)', () => {
    const tr = trainedNet({ ...tiny(1), lossThreshold: 0.5 }, { cacheDir: null });
    const D = tr.train.D as number;
    const rows = new Set<string>();
    for (let i = 0; i < tr.train.n; i++) rows.add(Array.from(tr.train.X.subarray(i * D, (i + 1) * D)).join(','));
    let shared = 0, sharedValues = 0;
    const values = new Set(Array.from(tr.train.X));
    for (let i = 0; i < tr.test.n; i++) if (rows.has(Array.from(tr.test.X.subarray(i * D, (i + 1) * D)).join(','))) shared++;
    for (const v of tr.test.X) if (values.has(v)) sharedValues++;
    expect(shared).toBe(0);
    // Centre coordinates (0 or 1 in the canonical frame) plus noise: an exact float match with any
    // training value is a sign of a shared stream (it was 95% before the fix).
    expect(sharedValues / tr.test.X.length).toBeLessThan(0.01);
  });

  test('default path unchanged: balanced absent or false gives the same key and the same data as mixtureProblem; true changes the key', () => {
    const c = tiny(1);
    expect(configKey({ ...c, balanced: false })).toBe(configKey(c));
    expect(configKey({ ...c, balanced: true })).not.toBe(configKey(c));
    const tr = trainedNet({ ...c, lossThreshold: 0.5 }, { cacheDir: null });
    const prob = mixtureProblem(c.spec, c.seed);
    expect(Array.from(tr.train.X)).toEqual(Array.from(prob.data.X));
    expect(Array.from(tr.train.y)).toEqual(Array.from(prob.data.y));
    const off = trainedNet({ ...c, lossThreshold: 0.5, balanced: false }, { cacheDir: null });
    expect(Array.from(off.net.W)).toEqual(Array.from(tr.net.W));
  });

  test('a non-boolean balanced is a ConfigError naming the field', () => {
    let err: unknown;
    try {
      trainedNet({ ...tiny(1), balanced: 'yes' as unknown as boolean }, { cacheDir: null });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('balanced');
  });
});

describe('trained-net bracket end to end', () => {
  test('certified lower <= attack upper, and no line search in the row span beats the certificate', () => {
    const tr = trainedNet(tiny(1, 0.01), { cacheDir: null });
    const pts = firstPoints(tr.test, 5);
    const rep = attackNet(tr.net, pts, { radii: [0, 0.25, 0.5, 1], rMax: 2, pgd: false, apgd: { steps: 30, restarts: 1 }, strong: { bisections: 4 }, seed: 3 });
    expect(rep.violations).toBe(0);
    const rng = new Rng(11);
    const model = netModel(tr.net);
    const D = tr.net.D;
    let checked = 0;
    for (const q of rep.points) {
      if (!q.correct) continue;
      expect(q.lower).not.toBeNull();
      expect(q.lower!).toBeGreaterThan(0);
      expect(q.lower!).toBeLessThanOrEqual(q.upper);
      expect(Number.isFinite(q.upper)).toBe(true);
      // Independent check: flipping radius along random directions (input space) is never below the certificate.
      const x0 = pts.X.slice(q.index * D, (q.index + 1) * D);
      const obj = binaryObjective(model, q.label, 'margin');
      for (let k = 0; k < 40; k++) {
        const u = uniformSphere(rng, D);
        const s = minNormAlong(obj, x0, u, 4);
        expect(s).toBeGreaterThanOrEqual(q.lower! * (1 - 1e-9));
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
