/**
 * p = 2 degeneracy (PAPER.md s.4: "G_2 is flat on the span of a class's centres, nothing is
 * selected") and the sweep over p in [1, 5] locating the switch from class averages to centres.
 *
 * Precisely [derived here]: in reduced coordinates G_2(c) = N (||relu(c_+)||^2 - ||relu(c_-)||^2), so
 * on the unit sphere of the positive span G_2 = N exactly on its closed nonnegative orthant (all
 * c_k >= 0), and G_2 = N ||relu(c_+)||^2 < N elsewhere on that sphere. "Flat on the span" therefore
 * means flat on the orthant, the only part the ascent flow can reach from the positive class's side.
 */
import type { CheckContext, CheckResult } from '../checks/types.ts';
import { Rng } from '../random/rng.ts';
import { ConfigError, requireInt, requireKnownKeys, requireReal } from '../validate.ts';
import { classifySecondOrder } from './classify.ts';
import { caseTable, describeAttracting, expectedAttracting, noisyProblem, summarise, type CaseSummary } from './checks.ts';
import { findExtremalVectors } from './finder.ts';
import { clusterReferences } from './naming.ts';
import { clusterObjective } from './objective.ts';

interface P2Config {
  K: number;
  K1: number;
  N: number;
  starts: number;
  flatSamples: number;
  neighbours: number[];
}

export function p2Config(ctx: CheckContext): P2Config {
  const o = requireKnownKeys('config', ctx.config, ['K', 'K1', 'N', 'starts', 'flatSamples', 'neighbourOffset']);
  const K = requireInt('K', o.K ?? 10, 3, 60);
  const off = requireReal('neighbourOffset', o.neighbourOffset ?? 0.1, { min: 0, minExclusive: true, max: 0.9 });
  return {
    K,
    K1: requireInt('K1', o.K1 ?? 6, 2, K - 1),
    N: requireReal('N', o.N ?? 1, { min: 0, minExclusive: true }),
    starts: requireInt('starts', o.starts ?? (ctx.quick ? 32 : 128), 1, 100000),
    flatSamples: requireInt('flatSamples', o.flatSamples ?? (ctx.quick ? 2000 : 20000), 1, 1e7),
    neighbours: [2 - off, 2 + off],
  };
}

/** Max |G_2 - s N| over random unit c in the nonnegative orthant of one class's span. */
function flatnessDeviation(K: number, K1: number, N: number, sign: 1 | -1, samples: number, rng: Rng): number {
  const obj = clusterObjective({ K, K1, p: 2, N });
  const c = new Float64Array(K);
  const g = new Float64Array(K);
  const [lo, hi] = sign === 1 ? [0, K1] : [K1, K];
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    c.fill(0);
    let nn = 0;
    for (let k = lo; k < hi; k++) {
      c[k] = Math.abs(rng.normal());
      nn += c[k] * c[k];
    }
    const n = Math.sqrt(nn);
    for (let k = lo; k < hi; k++) c[k] /= n;
    worst = Math.max(worst, Math.abs(obj.valueAndGrad(c, g) - sign * N));
  }
  return worst;
}

export function runP2Degenerate(ctx: CheckContext): CheckResult {
  const cfg = p2Config(ctx);
  const { K, K1, N } = cfg;
  const rng = new Rng(ctx.seed);
  const refs = clusterReferences(K, K1);
  const flatPlus = flatnessDeviation(K, K1, N, 1, cfg.flatSamples, rng.jump());
  const flatMinus = flatnessDeviation(K, K1, N, -1, cfg.flatSamples, rng.jump());
  ctx.progress(0.1, 'flatness');
  // Second order at mubar_+ and mubar_-: K1 - 1 (resp. K2 - 1) zero eigenvalues.
  const obj2 = clusterObjective({ K, K1, p: 2, N });
  const avg = (lo: number, hi: number) => Float64Array.from({ length: K }, (_, k) => (k >= lo && k < hi ? 1 / Math.sqrt(hi - lo) : 0));
  const atPlus = classifySecondOrder(obj2, avg(0, K1));
  const atMinus = classifySecondOrder(obj2, avg(K1, K));
  ctx.progress(0.2, 'Hessians');
  const cases: CaseSummary[] = [];
  const finderRuns: { sign: number; activeEnds: number; degenerateActive: number; saddleActive: number; strictActive: number; minPairCos: number; valueSpread: number }[] = [];
  for (const sign of [1, -1] as const) {
    const r = findExtremalVectors(obj2, { sign, rng: rng.jump(), starts: cfg.starts, references: refs, probeReferences: true });
    cases.push(summarise(`noise-free K=${K} K1=${K1}`, 2, r, []));
    const active = r.directions.filter((f) => !f.inactive);
    let minPairCos = 1;
    for (let a = 0; a < active.length; a++) {
      for (let b = a + 1; b < active.length; b++) {
        let c = 0;
        for (let k = 0; k < K; k++) c += active[a].u[k] * active[b].u[k];
        minPairCos = Math.min(minPairCos, c);
      }
    }
    const vals = active.map((f) => f.value);
    finderRuns.push({
      sign,
      activeEnds: active.length,
      degenerateActive: active.filter((f) => f.secondOrder?.kind === 'degenerate').length,
      saddleActive: active.filter((f) => f.secondOrder?.kind === 'saddle').length,
      strictActive: active.filter((f) => f.secondOrder?.kind === 'local max' || f.secondOrder?.kind === 'local min').length,
      minPairCos,
      valueSpread: vals.length ? Math.max(...vals) - Math.min(...vals) : 0,
    });
  }
  ctx.progress(0.6, 'p = 2 finder');
  // Neighbours 2 -+ offset: selection does happen on both sides (averages below, centres above).
  for (const p of cfg.neighbours) {
    const obj = clusterObjective({ K, K1, p, N });
    for (const sign of [1, -1] as const) {
      const r = findExtremalVectors(obj, { sign, rng: rng.jump(), starts: cfg.starts, references: refs, probeReferences: true });
      cases.push(summarise(`noise-free K=${K} K1=${K1}`, p, r, expectedAttracting(p, sign, K, K1)));
    }
  }
  ctx.progress(0.85, 'neighbours of p = 2');
  // Noisy data at p = 2 (reported, not part of the verdict: noise breaks the flatness).
  const noisy = noisyProblem({ D: 12, K: 4, K1: 2, n: 100, alpha: 0.1 }, rng.jump());
  const noisyRuns = ([1, -1] as const).map((sign) => {
    const r = findExtremalVectors(noisy.objective(2), { sign, rng: rng.jump(), starts: 6, references: noisy.references, nameCos: 0.9, flow: { maxSteps: 3000 } });
    return { sign, attracting: r.directions.filter((f) => f.attracting).map((f) => ({ name: f.name.name, nearest: f.name.nearest, cosine: f.name.cosine })) };
  });
  ctx.progress(1, 'done');

  const tol = 1e-12 * N;
  const zeroPlusOk = atPlus.kind === 'degenerate' && atPlus.zero === K1 - 1;
  const zeroMinusOk = atMinus.kind === 'degenerate' && atMinus.zero === K - K1 - 1;
  const p2NoneAttract = cases.filter((c) => c.p === 2).every((c) => c.found.length === 0);
  // "Nothing is selected": no end point is a strict extremum. A flow can stop near a saddle after
  // finitely many steps at any p, so saddle end points are counted and reported, not failed.
  const p2AllDegenerate = finderRuns.every((f) => f.strictActive === 0 && f.degenerateActive > 1);
  const neighboursOk = cases.filter((c) => c.p !== 2).every((c) => c.match);
  const holds = flatPlus <= tol && flatMinus <= tol && zeroPlusOk && zeroMinusOk && p2NoneAttract && p2AllDegenerate && neighboursOk;
  return {
    verdict: holds ? 'holds' : 'violated',
    keyFigure:
      `p = 2: max |G_2 - N| on the class orthants ${Math.max(flatPlus, flatMinus).toExponential(1)} (N = ${N}); ` +
      `${finderRuns.map((f) => `${f.degenerateActive}/${f.activeEnds}`).join(' and ')} end points degenerate ` +
      `(${finderRuns.map((f) => f.saddleActive).join(' and ')} saddles, ${finderRuns.map((f) => f.strictActive).join(' and ')} strict extrema), none attracting; ` +
      `p = ${cfg.neighbours[0]} selects ${describeAttracting(cases.find((c) => c.p === cfg.neighbours[0])!.found, 1, K, K1)}, ` +
      `p = ${cfg.neighbours[1]} selects ${describeAttracting(cases.find((c) => c.p === cfg.neighbours[1])!.found, 1, K, K1)}`,
    evidence: {
      flatness: { plus: flatPlus, minus: flatMinus, samples: cfg.flatSamples, tolerance: tol },
      hessianAtMubarPlus: { kind: atPlus.kind, zero: atPlus.zero, expectedZero: K1 - 1, eigenvalues: atPlus.eigenvalues, oneSided: atPlus.oneSided },
      hessianAtMubarMinus: { kind: atMinus.kind, zero: atMinus.zero, expectedZero: K - K1 - 1, eigenvalues: atMinus.eigenvalues },
      finderRuns,
      cases,
      noisyP2: noisyRuns,
      note: 'G_2 is flat on the closed nonnegative orthant of each class span; elsewhere on the span sphere G_2 = N ||relu(c_+)||^2 < N.',
    },
    tables: [caseTable('p = 2 and its neighbours: attracting sets', cases)],
    seed: ctx.seed,
    config: ctx.config,
  };
}

interface SweepConfig {
  K: number;
  K1: number;
  starts: number;
  pValues: number[];
}

export function sweepConfig(ctx: CheckContext): SweepConfig {
  const o = requireKnownKeys('config', ctx.config, ['K', 'K1', 'starts', 'pValues']);
  const K = requireInt('K', o.K ?? 10, 2, 60);
  const dflt = ctx.quick ? [1, 1.25, 1.5, 1.75, 1.9, 2, 2.1, 2.25, 2.5, 3, 4, 5] : Array.from({ length: 17 }, (_, i) => 1 + i * 0.25).concat([1.9, 1.95, 2.05, 2.1]).sort((a, b) => a - b);
  const pv = o.pValues ?? dflt;
  if (!Array.isArray(pv) || pv.length === 0) throw new ConfigError('pValues', pv, 'a non-empty array of p in [1, 20]');
  return {
    K,
    K1: requireInt('K1', o.K1 ?? 6, 1, K - 1),
    starts: requireInt('starts', o.starts ?? (ctx.quick ? 24 : 96), 1, 100000),
    pValues: pv.map((p, i) => requireReal(`pValues[${i}]`, p, { min: 1, max: 20 })),
  };
}

export function runPSweep(ctx: CheckContext): CheckResult {
  const cfg = sweepConfig(ctx);
  const { K, K1 } = cfg;
  const rng = new Rng(ctx.seed);
  const refs = clusterReferences(K, K1);
  const rows: { p: number; ascent: string; descent: string; predicted: string; match: boolean }[] = [];
  cfg.pValues.forEach((p, i) => {
    const obj = clusterObjective({ K, K1, p, N: 1 });
    const kinds = ([1, -1] as const).map((sign) => describeAttracting(findExtremalVectors(obj, { sign, rng: rng.jump(), starts: cfg.starts, references: refs, probeReferences: true }).attractingNames, sign, K, K1));
    const predicted = p < 2 ? 'averages' : p === 2 ? 'none' : 'centres';
    rows.push({ p, ascent: kinds[0], descent: kinds[1], predicted, match: kinds[0] === predicted && kinds[1] === predicted });
    ctx.progress((i + 1) / cfg.pValues.length, `p = ${p}`);
  });
  const lastAvg = Math.max(-Infinity, ...rows.filter((r) => r.ascent === 'averages' && r.descent === 'averages').map((r) => r.p));
  const firstCentres = Math.min(Infinity, ...rows.filter((r) => r.ascent === 'centres' && r.descent === 'centres').map((r) => r.p));
  const matched = rows.filter((r) => r.match).length;
  return {
    verdict: matched === rows.length ? 'holds' : 'violated',
    keyFigure: `${matched}/${rows.length} p values match; averages attract up to p = ${lastAvg}, centres from p = ${firstCentres} (PAPER.md: switch at p = 2)`,
    evidence: { rows, lastAverages: lastAvg, firstCentres, config: cfg },
    tables: [{ title: 'Attracting set against p (noise-free clusters)', columns: ['p', 'ascent (positive neurons)', 'descent (negative neurons)', 'predicted', 'match'], rows: rows.map((r) => [r.p, r.ascent, r.descent, r.predicted, r.match ? 'yes' : 'NO']) }],
    seed: ctx.seed,
    config: ctx.config,
  };
}
