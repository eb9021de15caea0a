/**
 * `prelu-verify radius`: exact minimal l2 attack radii of the limiting classifiers (PAPER.md s.5)
 * at noise-free centres or at sampled points, printed as JSON with certified brackets.
 *   F:  closed form min(a/sqrt(K1), (a-b)/sqrt(K)) (exact; lower = upper);
 *   Fp: certified bracket [lower, upper] of width < 1e-6 with a verified flipping witness.
 */
import type { Command } from 'commander';
import { OrthonormalMixture } from '../data/index.ts';
import { Rng } from '../random/index.ts';
import { requireChoice, requireInt, requireReal } from '../validate.ts';
import { radiusF } from '../robustness/exactF.ts';
import { radiusFp } from '../robustness/exactFp.ts';
import { centreRadiusF, centreRadiusFp } from '../robustness/exactCentre.ts';

export interface RadiusOptions {
  classifier: 'F' | 'Fp';
  p: number;
  K: number;
  K1: number;
  D: number;
  alpha: number;
  point: 'center' | 'sample';
  n: number;
  seed: number;
}

/** Parse a numeric CLI option, naming the option in the error. */
function num(name: string, v: unknown): number {
  if (typeof v === 'number') return v;
  const t = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(t) ? t : (requireReal(name, v as number), NaN);
}

/** Validate raw commander options (strings) into RadiusOptions; every error names the option. */
export function parseRadiusOptions(raw: Record<string, unknown>): RadiusOptions {
  const classifier = requireChoice('--classifier', raw.classifier ?? 'Fp', ['F', 'Fp'] as const);
  const p = requireReal('--p', num('--p', raw.p ?? 3), { min: 1 });
  const K = requireInt('--K', num('--K', raw.K ?? 10), 2, 10000);
  const K1 = requireInt('--K1', num('--K1', raw.K1 ?? Math.ceil(K / 2)), 1, K - 1);
  const D = requireInt('--D', num('--D', raw.D ?? Math.max(K, 1000)), K);
  const alpha = requireReal('--alpha', num('--alpha', raw.alpha ?? 0.3), { min: 0 });
  const point = requireChoice('--point', raw.point ?? 'center', ['center', 'sample'] as const);
  const n = requireInt('--n', num('--n', raw.n ?? 5), 1, 100000);
  const seed = requireInt('--seed', num('--seed', raw.seed ?? 1), 0);
  return { classifier, p, K, K1, D, alpha, point, n, seed };
}

export interface RadiusRow {
  cluster: number;
  y: 1 | -1;
  lower: number;
  upper: number;
  closedForm?: number;
  nodes?: number;
}

/** Compute the radii the command prints (pure; the CLI only formats). */
export function computeRadii(o: RadiusOptions): { options: RadiusOptions; rows: RadiusRow[]; summary: Record<string, number> } {
  const rows: RadiusRow[] = [];
  const one = (s: Float64Array, cluster: number): void => {
    const y: 1 | -1 = cluster < o.K1 ? 1 : -1;
    if (o.classifier === 'F') {
      const r = radiusF(s, y, o.K1);
      rows.push({ cluster, y, lower: r, upper: r, ...(o.point === 'center' ? { closedForm: centreRadiusF(o.K) } : {}) });
    } else {
      const b = radiusFp(s, y, o.K1, o.p);
      const m = y === 1 ? o.K - o.K1 : o.K1;
      rows.push({ cluster, y, lower: b.lower, upper: b.upper, nodes: b.nodes, ...(o.point === 'center' ? { closedForm: centreRadiusFp(o.p, m) } : {}) });
    }
  };
  if (o.point === 'center') {
    // One centre per class (all centres of a class are equivalent by symmetry).
    for (const k of [0, o.K1]) {
      const s = new Float64Array(o.K);
      s[k] = 1;
      one(s, k);
    }
  } else {
    const rng = new Rng(o.seed);
    const mix = new OrthonormalMixture({ D: o.D, K: o.K, K1: o.K1, alpha: o.alpha });
    const smp = mix.sampleProjections(o.n, rng);
    for (let i = 0; i < o.n; i++) one(smp.S.slice(i * o.K, (i + 1) * o.K), smp.z[i]);
  }
  const lows = rows.map((r) => r.lower).sort((a, b) => a - b);
  const ups = rows.map((r) => r.upper).sort((a, b) => a - b);
  const med = (a: number[]): number => (a.length % 2 ? a[a.length >> 1] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]));
  return {
    options: o,
    rows,
    summary: {
      minLower: lows[0],
      medianLower: med(lows),
      medianUpper: med(ups),
      maxUpper: ups[ups.length - 1],
      maxWidth: Math.max(...rows.map((r) => r.upper - r.lower)),
    },
  };
}

export function registerRadius(program: Command): void {
  program
    .command('radius')
    .description('exact minimal l2 attack radii of F or F^(p) (certified brackets), at centres or sampled points, as JSON')
    .option('--classifier <name>', 'F (ReLU limit) or Fp (pReLU limit)', 'Fp')
    .option('--p <p>', 'pReLU exponent p >= 1 (Fp only)', '3')
    .option('--K <K>', 'number of clusters', '10')
    .option('--K1 <K1>', 'number of positive clusters (1..K-1); default ceil(K/2)')
    .option('--D <D>', 'input dimension (>= K); default max(K, 1000)')
    .option('--alpha <alpha>', 'noise level (noise N(0, alpha^2/D I))', '0.3')
    .option('--point <kind>', 'center (noise-free centres) or sample (points from the mixture)', 'center')
    .option('--n <n>', 'number of sampled points (--point sample)', '5')
    .option('--seed <seed>', 'random seed (--point sample)', '1')
    .action((raw: Record<string, unknown>) => {
      const o = parseRadiusOptions(raw);
      process.stdout.write(`${JSON.stringify(computeRadii(o), null, 1)}\n`);
    });
}
