/**
 * The MNIST-parity experiment of PAPER.md s.8 (Section 5.2.1, Table 1): for every p and seed,
 * train (train.ts), then measure clean test accuracy, APGD-CE robust accuracy (robust.ts) at the
 * Table 1 radii and on the l_inf curve linspace(0, 0.2, 15), and the stable ranks over training.
 *
 * Sizes: QUICK_CONFIG keeps the whole run short (small h, few epochs, a few dozen attacked
 * points), STANDARD_CONFIG (the non-quick default) runs the authors' 51 epochs at h = 64 on 150
 * attacked points, FULL_CONFIG is the authors' setting (h = 500, 51 epochs, 5 seeds; config
 * `full: true`), whose cost is measured by bench/realdata.bench.ts. Our data set is the
 * `mnist` package's 10,000 digits, split 8,000 / 2,000, so an epoch is 8 Adam steps of batch 1000,
 * against 60 on the authors' 60,000 training images: 51 epochs here are 408 steps, not ~3,060.
 * One split (from the run's seed) serves every p and seed; seed k initialises and orders batches
 * identically for every p, so the p's are compared on paired runs and on the same attacked points.
 */
import { Rng } from '../random/rng.ts';
import { requireInt, requireKnownKeys, requireReal, ConfigError } from '../validate.ts';
import { loadMnist } from './mnist.ts';
import { stratifiedSplit, subset, type DigitSet } from './split.ts';
import { trainParity, accuracy, featureStableRank, type EpochRecord } from './train.ts';
import { robustAccuracy, type RobustRow, type ThreatGrid } from './robust.ts';

export interface ParityConfig {
  h: number;
  epochs: number;
  seeds: number;
  ps: number[];
  batch: number;
  lr: number;
  testFraction: number;
  /** Test images attacked (a seeded random subset of the test set, the same for every run). */
  attackPoints: number;
  /** Test images whose hidden features' stable rank is tracked every epoch. */
  probePoints: number;
  apgdSteps: number;
  apgdRestarts: number;
}

export const QUICK_CONFIG: ParityConfig = {
  h: 16, epochs: 12, seeds: 2, ps: [1, 2, 3, 4], batch: 1000, lr: 1e-3, testFraction: 0.2,
  attackPoints: 24, probePoints: 300, apgdSteps: 40, apgdRestarts: 1,
};

/**
 * The non-quick default: the authors' recipe (51 epochs, APGD 100 steps) at a width and attack
 * subset that fit the report's per-check time budget on 2 cores; `full: true` selects FULL_CONFIG.
 */
export const STANDARD_CONFIG: ParityConfig = {
  h: 64, epochs: 51, seeds: 3, ps: [1, 2, 3, 4], batch: 1000, lr: 1e-3, testFraction: 0.2,
  attackPoints: 150, probePoints: 1000, apgdSteps: 100, apgdRestarts: 1,
};

export const FULL_CONFIG: ParityConfig = {
  h: 500, epochs: 51, seeds: 5, ps: [1, 2, 3, 4], batch: 1000, lr: 1e-3, testFraction: 0.2,
  attackPoints: 500, probePoints: 1000, apgdSteps: 100, apgdRestarts: 1,
};

/** Table 1 radii (PAPER.md s.8) and the l_inf curve linspace(0, 0.2, 15). */
export const TABLE_GRIDS: ThreatGrid[] = [
  { norm: 'linf', radii: [0.05, 0.1] },
  { norm: 'l2', radii: [1, 2] },
  { norm: 'l1', radii: [5, 10] },
];
export const CURVE_RADII: number[] = Array.from({ length: 15 }, (_, i) => (0.2 * i) / 14);

/** The authors' Table 1 (PAPER.md s.8): robust accuracy for p = 1 and p = 4. */
export const PAPER_TABLE1: { norm: string; radius: number; p1: number; p4: number }[] = [
  { norm: 'linf', radius: 0.05, p1: 0.512, p4: 0.913 },
  { norm: 'linf', radius: 0.1, p1: 0.04, p4: 0.637 },
  { norm: 'l2', radius: 1, p1: 0.301, p4: 0.775 },
  { norm: 'l2', radius: 2, p1: 0.007, p4: 0.239 },
  { norm: 'l1', radius: 5, p1: 0.5, p4: 0.807 },
  { norm: 'l1', radius: 10, p1: 0.098, p4: 0.402 },
];

const KEYS = ['h', 'epochs', 'seeds', 'ps', 'batch', 'lr', 'testFraction', 'attackPoints', 'probePoints', 'apgdSteps', 'apgdRestarts', 'full'];

/** Validate overrides; `full: true` starts from FULL_CONFIG instead of the mode's defaults. */
export function resolveConfig(quick: boolean, overrides: Record<string, unknown>): ParityConfig {
  const o = requireKnownKeys('mnist-parity', overrides, KEYS);
  const base = o.full === true ? FULL_CONFIG : quick ? QUICK_CONFIG : STANDARD_CONFIG;
  if (o.full !== undefined && typeof o.full !== 'boolean') throw new ConfigError('mnist-parity.full', o.full, 'true or false');
  const c: ParityConfig = { ...base, ...(o as Partial<ParityConfig>), ps: (o.ps as number[] | undefined) ?? base.ps };
  delete (c as unknown as Record<string, unknown>).full;
  requireInt('mnist-parity.h', c.h, 1);
  requireInt('mnist-parity.epochs', c.epochs, 0);
  requireInt('mnist-parity.seeds', c.seeds, 1);
  requireInt('mnist-parity.batch', c.batch, 1);
  requireReal('mnist-parity.lr', c.lr, { min: 0, minExclusive: true });
  requireReal('mnist-parity.testFraction', c.testFraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  requireInt('mnist-parity.attackPoints', c.attackPoints, 1);
  requireInt('mnist-parity.probePoints', c.probePoints, 1);
  requireInt('mnist-parity.apgdSteps', c.apgdSteps, 1);
  requireInt('mnist-parity.apgdRestarts', c.apgdRestarts, 1);
  if (!Array.isArray(c.ps) || c.ps.length < 2) throw new ConfigError('mnist-parity.ps', c.ps, 'an array of at least two p >= 1');
  c.ps.forEach((p, i) => requireReal(`mnist-parity.ps[${i}]`, p, { min: 1 }));
  return c;
}

/** One trained net's measurements. */
export interface RunResult {
  p: number;
  seed: number;
  cleanAccuracy: number;
  /** Clean accuracy on the attacked subset (what the radius-0 robust accuracy must equal). */
  cleanAccuracyAttacked: number;
  table: RobustRow[];
  curve: RobustRow[];
  history: EpochRecord[];
  finalFeatureStableRank: number;
  finalWeightStableRank: number;
  trainSeconds: number;
  attackSeconds: number;
}

export interface ParityExperiment {
  config: ParityConfig;
  split: { train: number; test: number; trainPerDigit: number[]; testPerDigit: number[] };
  runs: RunResult[];
  seconds: number;
}

function firstOf(set: DigitSet, k: number, rng: Rng): DigitSet {
  const idx = new Int32Array(set.n);
  for (let i = 0; i < set.n; i++) idx[i] = i;
  for (let i = set.n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return subset({ n: set.n, D: set.D, X: set.X, digit: set.digit }, idx.slice(0, Math.min(k, set.n)));
}

function perDigit(s: DigitSet): number[] {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < s.n; i++) c[s.digit[i]]++;
  return c;
}

/** Run every (p, seed); progress gets the fraction of (p, seed) runs done. */
export function runParityExperiment(c: ParityConfig, seed: number, progress?: (f: number, msg: string) => void): ParityExperiment {
  const t0 = performance.now();
  const root = new Rng(seed);
  const split = stratifiedSplit(loadMnist(), c.testFraction, root.jump());
  const pick = root.jump();
  const attackSet = firstOf(split.test, c.attackPoints, pick);
  const probe = firstOf(split.test, c.probePoints, pick);
  const seedRoots: Rng[] = [];
  for (let s = 0; s < c.seeds; s++) seedRoots.push(root.jump());
  const runs: RunResult[] = [];
  const total = c.ps.length * c.seeds;
  for (const p of c.ps) {
    for (let s = 0; s < c.seeds; s++) {
      const done = runs.length;
      const rng = Rng.fromState(seedRoots[s].state());
      const tr = trainParity(split.train, { h: c.h, p, epochs: c.epochs, batch: c.batch, lr: c.lr, probe }, rng.jump(), (r) =>
        progress?.((done + (0.5 * r.epoch) / Math.max(c.epochs, 1)) / total, `p=${p} seed ${s} epoch ${r.epoch}`));
      const ta = performance.now();
      const apgdOpts = { steps: c.apgdSteps, restarts: c.apgdRestarts };
      const attackSeed = rng.int(2 ** 31);
      const table = robustAccuracy(tr.net, attackSet, TABLE_GRIDS, { apgd: apgdOpts, seed: attackSeed });
      const curve = robustAccuracy(tr.net, attackSet, [{ norm: 'linf', radii: CURVE_RADII }], { apgd: apgdOpts, seed: attackSeed + 1 });
      const last = tr.history[tr.history.length - 1];
      runs.push({
        p, seed: s,
        cleanAccuracy: accuracy(tr.net, split.test),
        cleanAccuracyAttacked: accuracy(tr.net, attackSet),
        table, curve, history: tr.history,
        finalFeatureStableRank: last.featureStableRank ?? featureStableRank(tr.net, probe),
        finalWeightStableRank: last.weightStableRank,
        trainSeconds: tr.seconds,
        attackSeconds: (performance.now() - ta) / 1e3,
      });
      progress?.(runs.length / total, `p=${p} seed ${s} done`);
    }
  }
  return {
    config: c,
    split: { train: split.train.n, test: split.test.n, trainPerDigit: perDigit(split.train), testPerDigit: perDigit(split.test) },
    runs,
    seconds: (performance.now() - t0) / 1e3,
  };
}
