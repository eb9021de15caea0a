/**
 * The computations behind the proofs-checks extremal-vectors, alignment-p2-degenerate and
 * extremal-p-sweep (PAPER.md s.4): which directions attract the alignment flow, on noise-free clusters
 * (reduced K-dim coordinates, exact by objective.ts) and on noisy samples of src/data.
 */
import type { CheckContext, CheckResult, EvidenceTable } from '../checks/types.ts';
import { OrthonormalMixture } from '../data/mixture.ts';
import { Rng } from '../random/rng.ts';
import { ConfigError, requireInt, requireKnownKeys, requireReal } from '../validate.ts';
import { findExtremalVectors, type FinderResult } from './finder.ts';
import { clusterReferences, type ReferenceDirection } from './naming.ts';
import { DataObjective, clusterObjective, type SphereObjective } from './objective.ts';

/** What the paper predicts as the attracting set for the flow of a given sign (PAPER.md s.4). */
export function expectedAttracting(p: number, sign: 1 | -1, K: number, K1: number): string[] {
  if (p === 2) return [];
  if (p < 2) return [sign === 1 ? 'mubar_+' : 'mubar_-'];
  const ks = sign === 1 ? Array.from({ length: K1 }, (_, k) => k) : Array.from({ length: K - K1 }, (_, k) => K1 + k);
  return ks.map((k) => `mu_${k + 1}`).sort();
}

/** 'averages', 'centres', 'none' or 'other' for an attracting set. */
export function describeAttracting(names: string[], sign: 1 | -1, K: number, K1: number): string {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (names.length === 0) return 'none';
  if (same(names, expectedAttracting(1, sign, K, K1))) return 'averages';
  if (same(names, expectedAttracting(3, sign, K, K1))) return 'centres';
  return 'other';
}

export interface CaseSummary {
  setting: string;
  p: number;
  sign: 1 | -1;
  expected: string[];
  found: string[];
  /** The attracting directions also reached from random starts (not only by probing the references). */
  foundFromStarts: string[];
  match: boolean;
  /**
   * Fraction of the random starts whose flow ended at an attracting direction. At p = 1 on noise-free
   * clusters it is small: a start with <u, mu_k> < 0 for some k of its class never activates cluster k
   * (flow.ts), and ends at a partial class average (a kink saddle with a basin of positive measure).
   */
  startsAtAttracting: number;
  directions: number;
  saddles: number;
  degenerate: number;
  /** Largest curvature (closest to 0 from the strict side) among the attracting directions. */
  weakestCurvature: number | null;
  /** Largest end angle of the perturbed restarts among the attracting directions (radians). */
  maxReturnAngle: number | null;
  /** Smallest cosine between an attracting direction and its name. */
  minNameCosine: number | null;
}

export function summarise(setting: string, p: number, r: FinderResult, expected: string[]): CaseSummary {
  const att = r.directions.filter((f) => f.attracting);
  const curv = att.map((f) => {
    const so = f.secondOrder!;
    const oneSided = r.sign === 1 ? so.oneSided.max : -so.oneSided.min;
    const ev = so.kink ? -Infinity : r.sign === 1 ? so.eigenvalues[so.eigenvalues.length - 1] : -so.eigenvalues[0];
    return Math.max(oneSided, ev ?? -Infinity) * r.sign;
  });
  return {
    setting,
    p,
    sign: r.sign,
    expected,
    found: r.attractingNames,
    foundFromStarts: r.attractingFromStarts,
    startsAtAttracting: att.reduce((a, f) => a + f.count, 0) / r.starts,
    match: expected.length === r.attractingNames.length && expected.every((x, i) => x === r.attractingNames[i]),
    directions: r.directions.length,
    saddles: r.directions.filter((f) => f.secondOrder?.kind === 'saddle').length,
    degenerate: r.directions.filter((f) => f.secondOrder?.kind === 'degenerate').length,
    weakestCurvature: curv.length ? curv.reduce((a, b) => (Math.abs(a) < Math.abs(b) ? a : b)) : null,
    maxReturnAngle: att.length ? Math.max(...att.map((f) => f.perturbation!.maxEndAngle)) : null,
    minNameCosine: att.length ? Math.min(...att.map((f) => f.name.cosine)) : null,
  };
}

export function caseTable(title: string, rows: CaseSummary[]): EvidenceTable {
  return {
    title,
    columns: ['setting', 'p', 'sign', 'expected attracting', 'found attracting', 'of which from random starts', 'share of starts ending there', 'match', 'directions', 'saddles', 'degenerate', 'weakest curvature', 'max return angle', 'min name cosine'],
    rows: rows.map((c) => [
      c.setting,
      c.p,
      c.sign,
      c.expected.join(' ') || '(none)',
      c.found.join(' ') || '(none)',
      c.foundFromStarts.join(' ') || '(none)',
      c.startsAtAttracting,
      c.match ? 'yes' : 'NO',
      c.directions,
      c.saddles,
      c.degenerate,
      c.weakestCurvature,
      c.maxReturnAngle,
      c.minNameCosine,
    ]),
  };
}

export interface NoisySetting {
  D: number;
  K: number;
  K1: number;
  n: number;
  alpha: number;
}

/** A noisy sample of the mixture (random frame, balanced clusters) as a G_p objective factory. */
export function noisyProblem(s: NoisySetting, rng: Rng): { objective(p: number): SphereObjective; references: ReferenceDirection[] } {
  const mix = new OrthonormalMixture({ D: s.D, K: s.K, K1: s.K1, alpha: s.alpha, frame: 'random', clusters: 'balanced' }, rng);
  const data = mix.sample(s.n, rng);
  return {
    objective: (p) => new DataObjective(data.X, data.y, p, s.D),
    references: clusterReferences(s.K, s.K1, mix.centres, s.D),
  };
}

export interface ExtremalCheckConfig {
  K: number;
  K1: number;
  N: number;
  starts: number;
  pValues: number[];
  noisy: NoisySetting & { starts: number; pValues: number[] };
}

export function extremalConfig(ctx: CheckContext): ExtremalCheckConfig {
  const o = requireKnownKeys('config', ctx.config, ['K', 'K1', 'N', 'starts', 'pValues', 'noisy']);
  const K = requireInt('K', o.K ?? 10, 2, 60);
  const K1 = requireInt('K1', o.K1 ?? 6, 1, K - 1);
  const noisyIn = requireKnownKeys('noisy', o.noisy ?? {}, ['D', 'K', 'K1', 'n', 'alpha', 'starts', 'pValues']);
  const nK = requireInt('noisy.K', noisyIn.K ?? 4, 2, 20);
  const pList = (field: string, v: unknown, dflt: number[]) => {
    const arr = v ?? dflt;
    if (!Array.isArray(arr) || arr.length === 0) throw new ConfigError(field, arr, 'a non-empty array of p in [1, 20]');
    return arr.map((p, i) => requireReal(`${field}[${i}]`, p, { min: 1, max: 20 }));
  };
  return {
    K,
    K1,
    N: requireReal('N', o.N ?? 1, { min: 0, minExclusive: true }),
    starts: requireInt('starts', o.starts ?? (ctx.quick ? 32 : 128), 1, 100000),
    pValues: pList('pValues', o.pValues, [1, 1.5, 3, 4]),
    noisy: {
      D: requireInt('noisy.D', noisyIn.D ?? (ctx.quick ? 12 : 40), nK, 2000),
      K: nK,
      K1: requireInt('noisy.K1', noisyIn.K1 ?? 2, 1, nK - 1),
      n: requireInt('noisy.n', noisyIn.n ?? (ctx.quick ? 100 : 400), 2, 1e6),
      alpha: requireReal('noisy.alpha', noisyIn.alpha ?? 0.1, { min: 0, max: 10 }),
      starts: requireInt('noisy.starts', noisyIn.starts ?? (ctx.quick ? 6 : 16), 1, 100000),
      pValues: pList('noisy.pValues', noisyIn.pValues, [1, 3]),
    },
  };
}

/** The extremal-vectors check: noise-free clusters over pValues, then noisy data. */
export function runExtremalVectors(ctx: CheckContext): CheckResult {
  const cfg = extremalConfig(ctx);
  const rng = new Rng(ctx.seed);
  const refs = clusterReferences(cfg.K, cfg.K1);
  const cases: CaseSummary[] = [];
  const total = 2 * (cfg.pValues.length + cfg.noisy.pValues.length);
  let done = 0;
  for (const p of cfg.pValues) {
    const obj = clusterObjective({ K: cfg.K, K1: cfg.K1, p, N: cfg.N });
    for (const sign of [1, -1] as const) {
      const r = findExtremalVectors(obj, { sign, rng: rng.jump(), starts: cfg.starts, references: refs, probeReferences: true });
      cases.push(summarise(`noise-free K=${cfg.K} K1=${cfg.K1}`, p, r, expectedAttracting(p, sign, cfg.K, cfg.K1)));
      ctx.progress(++done / total, `noise-free p = ${p}, sign ${sign}`);
    }
  }
  const nz = cfg.noisy;
  const problem = noisyProblem(nz, rng.jump());
  for (const p of nz.pValues) {
    const obj = problem.objective(p);
    for (const sign of [1, -1] as const) {
      const r = findExtremalVectors(obj, { sign, rng: rng.jump(), starts: nz.starts, references: problem.references, nameCos: 0.95, probeReferences: true, flow: { maxSteps: 2000 } });
      cases.push(summarise(`noisy D=${nz.D} K=${nz.K} n=${nz.n} alpha=${nz.alpha}`, p, r, expectedAttracting(p, sign, nz.K, nz.K1)));
      ctx.progress(++done / total, `noisy p = ${p}, sign ${sign}`);
    }
  }
  const matched = cases.filter((c) => c.match).length;
  const bad = cases.filter((c) => !c.match).map((c) => `${c.setting} p=${c.p} sign=${c.sign}: found [${c.found.join(' ')}]`);
  return {
    verdict: matched === cases.length ? 'holds' : 'violated',
    keyFigure: `${matched}/${cases.length} (p, sign, data) cases attract exactly the predicted set (mubar_+- for p < 2, every mu_k for p > 2)`,
    evidence: { cases, mismatches: bad, config: cfg },
    tables: [caseTable('Attracting extremal vectors (finder: flow from random starts + Hessian/one-sided test + perturbation return)', cases)],
    seed: ctx.seed,
    config: ctx.config,
  };
}
