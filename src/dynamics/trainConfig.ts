/**
 * The JSON config of `prelu-verify train` and the run it describes. Every field is validated with
 * its dotted name in the error. Shape:
 * {
 *   "seed": 1,
 *   "data": { "model": "mixture", "D": 200, "K": 10, "K1": 6, "alpha": 0.05, "n": 2000, "frame"?, "clusters"? }
 *        |  { "csv": "file.csv" }  |  { "npyX": "X.npy", "npyY": "y.npy" },
 *   "network": { "p": 3, "h": 200, "init": "gaussian", "scale": 1e-7, "bias": false },
 *   "loss": "exp" | "logistic", "reduction": "mean" | "sum",
 *   "method": "gf" | "gd" | "sgd",
 *   "gf":  { "tEnd": 1e6, "rtol": 1e-4, "atol": 1e-4, "solver": "dopri5" | "cash-karp" | "gauss", "formulation": "polar" | "plain",
 *            "saveFirst": 0.1, "saveCount": 40 },   (formulation defaults to "plain" for gauss, "polar" otherwise)
 *   "gd":  { "lr": 0.1, "steps": 1000 },
 *   "sgd": { "lr": 0.2, "batch": 100, "epochs": 401 },
 *   "stop": { "lossThreshold": 1e-3, "maxSteps": 1000000, "wallTimeSeconds": 3600 }
 * }
 */
import { resolve } from 'node:path';
import { OrthonormalMixture, validateMixtureParams } from '../data/mixture.ts';
import { Rng } from '../random/rng.ts';
import { createNet } from '../network/create.ts';
import type { PReluNet } from '../network/types.ts';
import { mixtureReferences } from '../diagnostics/neurons.ts';
import type { References } from '../diagnostics/neurons.ts';
import { trainGradientFlow } from './gradientFlow.ts';
import { trainGradientDescent, trainSgd } from './descent.ts';
import { loadCsv, loadNpy } from './trainingData.ts';
import type { LoadedData } from './trainingData.ts';
import { ConfigError, requireChoice, requireInt, requireKnownKeys, requireReal } from '../validate.ts';
import type { SavePoint } from '../diagnostics/savepoint.ts';
import { SOLVER_NAMES } from './solver/types.ts';
import type { SolverName } from './solver/types.ts';

type Obj = Record<string, unknown>;

function section(parent: Obj, key: string, known: readonly string[]): Obj {
  return parent[key] === undefined ? {} : requireKnownKeys(key, parent[key], known);
}
function optReal(o: Obj, prefix: string, key: string, dflt: number, r: Parameters<typeof requireReal>[2]): number {
  return o[key] === undefined ? dflt : requireReal(`${prefix}.${key}`, o[key], r);
}
function optInt(o: Obj, prefix: string, key: string, dflt: number, min: number, max?: number): number {
  return o[key] === undefined ? dflt : requireInt(`${prefix}.${key}`, o[key], min, max);
}
function optPath(o: Obj, prefix: string, key: string, base: string): string {
  if (typeof o[key] !== 'string' || o[key] === '') throw new ConfigError(`${prefix}.${key}`, o[key], 'a file path (relative to the config file)');
  return resolve(base, o[key] as string);
}

export interface TrainSpec {
  seed: number;
  data: { kind: 'mixture'; params: ReturnType<typeof validateMixtureParams>; n: number } | { kind: 'csv'; path: string } | { kind: 'npy'; x: string; y: string };
  network: { p: number; h: number; init: 'balanced' | 'gaussian' | 'kaiming'; scale?: number; bias: boolean };
  loss: 'exp' | 'logistic';
  reduction: 'mean' | 'sum';
  method: 'gf' | 'gd' | 'sgd';
  gf: { tEnd: number; rtol: number; atol: number; solver: SolverName; formulation: 'polar' | 'plain'; saveFirst: number; saveCount: number };
  gd: { lr: number; steps: number };
  sgd: { lr: number; batch: number; epochs: number };
  stop: { lossThreshold?: number; maxSteps: number; wallTimeSeconds?: number };
}

/** Validate a parsed config; relative data paths are resolved against `configDir`. */
export function validateTrainConfig(raw: unknown, configDir: string): TrainSpec {
  const o = requireKnownKeys('', raw, ['seed', 'data', 'network', 'loss', 'reduction', 'method', 'gf', 'gd', 'sgd', 'stop']);
  const seed = optInt(o, 'config', 'seed', 1, 0, Number.MAX_SAFE_INTEGER);
  if (o.data === undefined) throw new ConfigError('data', undefined, 'an object: {model: "mixture", ...}, {csv: FILE} or {npyX: FILE, npyY: FILE}');
  const d = requireKnownKeys('data', o.data, ['model', 'D', 'K', 'K1', 'alpha', 'n', 'frame', 'clusters', 'csv', 'npyX', 'npyY']);
  let data: TrainSpec['data'];
  if (d.csv !== undefined) data = { kind: 'csv', path: optPath(d, 'data', 'csv', configDir) };
  else if (d.npyX !== undefined || d.npyY !== undefined) data = { kind: 'npy', x: optPath(d, 'data', 'npyX', configDir), y: optPath(d, 'data', 'npyY', configDir) };
  else {
    requireChoice('data.model', d.model, ['mixture'] as const);
    const { model: _m, n, ...mp } = d;
    let params;
    try {
      params = validateMixtureParams(mp);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`data.${e.field.replace(/^mixture\.?/, '')}`, e.value, e.allowed);
      throw e;
    }
    data = { kind: 'mixture', params, n: requireInt('data.n', n, 1, 10_000_000) };
  }
  const nw = section(o, 'network', ['p', 'h', 'init', 'scale', 'bias']);
  const network = {
    p: requireReal('network.p', nw.p ?? 1, { min: 1 }),
    h: requireInt('network.h', nw.h ?? 100, 1, 1_000_000),
    init: nw.init === undefined ? ('gaussian' as const) : requireChoice('network.init', nw.init, ['balanced', 'gaussian', 'kaiming'] as const),
    scale: nw.scale === undefined ? undefined : requireReal('network.scale', nw.scale, { min: 0, minExclusive: true }),
    bias: nw.bias === undefined ? false : nw.bias === true ? true : nw.bias === false ? false : (() => { throw new ConfigError('network.bias', nw.bias, 'true or false'); })(),
  };
  const loss = o.loss === undefined ? 'exp' : requireChoice('loss', o.loss, ['exp', 'logistic'] as const);
  const reduction = o.reduction === undefined ? 'mean' : requireChoice('reduction', o.reduction, ['mean', 'sum'] as const);
  const method = o.method === undefined ? 'gf' : requireChoice('method', o.method, ['gf', 'gd', 'sgd'] as const);
  const g = section(o, 'gf', ['tEnd', 'rtol', 'atol', 'solver', 'formulation', 'saveFirst', 'saveCount']);
  const solver = g.solver === undefined ? ('dopri5' as const) : requireChoice('gf.solver', g.solver, SOLVER_NAMES);
  const gf = {
    tEnd: optReal(g, 'gf', 'tEnd', 1e6, { min: 0, minExclusive: true }),
    rtol: optReal(g, 'gf', 'rtol', 1e-4, { min: 1e-14, max: 0.1 }),
    atol: optReal(g, 'gf', 'atol', 1e-4, { min: 0, minExclusive: true }),
    solver,
    // Gauss conserves the balances exactly only where they are quadratic in the state (solver/gauss.ts).
    formulation: g.formulation === undefined ? (solver === 'gauss' ? ('plain' as const) : ('polar' as const)) : requireChoice('gf.formulation', g.formulation, ['polar', 'plain'] as const),
    saveFirst: optReal(g, 'gf', 'saveFirst', 0.1, { min: 0, minExclusive: true }),
    saveCount: optInt(g, 'gf', 'saveCount', 40, 1, 100000),
  };
  const gdS = section(o, 'gd', ['lr', 'steps']);
  const gd = { lr: optReal(gdS, 'gd', 'lr', 0.1, { min: 0, minExclusive: true }), steps: optInt(gdS, 'gd', 'steps', 1000, 1) };
  const s = section(o, 'sgd', ['lr', 'batch', 'epochs']);
  const sgd = { lr: optReal(s, 'sgd', 'lr', 0.2, { min: 0, minExclusive: true }), batch: optInt(s, 'sgd', 'batch', 100, 1), epochs: optInt(s, 'sgd', 'epochs', 401, 1) };
  const st = section(o, 'stop', ['lossThreshold', 'maxSteps', 'wallTimeSeconds']);
  const stop = {
    lossThreshold: st.lossThreshold === undefined ? undefined : requireReal('stop.lossThreshold', st.lossThreshold, { min: 0 }),
    maxSteps: optInt(st, 'stop', 'maxSteps', 1_000_000, 1),
    wallTimeSeconds: st.wallTimeSeconds === undefined ? undefined : requireReal('stop.wallTimeSeconds', st.wallTimeSeconds, { min: 0, minExclusive: true }),
  };
  return { seed, data, network, loss, reduction, method, gf, gd, sgd, stop };
}

export interface TrainOutput {
  summary: Record<string, unknown>;
  trajectory: SavePoint[];
  net: PReluNet;
}

export function loadTrainingData(spec: TrainSpec, rng: Rng): { data: LoadedData; refs: References | null } {
  if (spec.data.kind === 'csv') return { data: loadCsv(spec.data.path), refs: null };
  if (spec.data.kind === 'npy') return { data: loadNpy(spec.data.x, spec.data.y), refs: null };
  const mix = new OrthonormalMixture(spec.data.params, rng);
  const s = mix.sample(spec.data.n, rng);
  return { data: { X: s.X, y: s.y, n: s.n, D: s.D }, refs: mixtureReferences(mix) };
}

/** Run the configured training; `progress(fraction, message)` for the display. */
export function runTraining(spec: TrainSpec, progress: (fraction: number, message: string) => void): TrainOutput {
  const rng = new Rng(spec.seed);
  const { data, refs } = loadTrainingData(spec, rng);
  if (spec.method === 'sgd' && spec.sgd.batch > data.n) throw new ConfigError('sgd.batch', spec.sgd.batch, `an integer in 1..n (n = ${data.n})`);
  const net = createNet({ D: data.D, h: spec.network.h, p: spec.network.p, init: spec.network.init, scale: spec.network.scale, bias: spec.network.bias }, rng);
  const loss = { loss: spec.loss, reduction: spec.reduction };
  const wallTimeMs = spec.stop.wallTimeSeconds === undefined ? undefined : spec.stop.wallTimeSeconds * 1000;
  const base = { seed: spec.seed, method: spec.method, n: data.n, D: data.D, h: spec.network.h, p: spec.network.p };
  if (spec.method === 'gf') {
    const logEnd = Math.log1p(spec.gf.tEnd);
    const r = trainGradientFlow({
      net, data, loss, refs, tEnd: spec.gf.tEnd, rtol: spec.gf.rtol, atol: spec.gf.atol, solver: spec.gf.solver, formulation: spec.gf.formulation,
      saveFirst: spec.gf.saveFirst, saveCount: spec.gf.saveCount, lossThreshold: spec.stop.lossThreshold, maxSteps: spec.stop.maxSteps, wallTimeMs,
      onProgress: (t, st) => progress(Math.log1p(t) / logEnd, `t=${t.toExponential(2)} steps=${st.steps} rejected=${st.rejected} evals=${st.evaluations}`),
    });
    const { net: final, trajectory, ...rest } = r;
    return { summary: { ...base, ...rest, gf: spec.gf }, trajectory, net: final };
  }
  if (spec.method === 'gd') {
    const r = trainGradientDescent({ net, data, loss, refs, lr: spec.gd.lr, steps: Math.min(spec.gd.steps, spec.stop.maxSteps), lossThreshold: spec.stop.lossThreshold, wallTimeMs, onProgress: (k, tot) => progress(k / tot, `step ${k}/${tot}`) });
    const { net: final, trajectory, ...rest } = r;
    return { summary: { ...base, ...rest, gd: spec.gd }, trajectory, net: final };
  }
  const r = trainSgd({ net, data, loss, refs, lr: spec.sgd.lr, batch: spec.sgd.batch, epochs: spec.sgd.epochs, rng, lossThreshold: spec.stop.lossThreshold, wallTimeMs, onProgress: (e, tot) => progress(e / tot, `epoch ${e}/${tot}`) });
  const { net: final, trajectory, ...rest } = r;
  return { summary: { ...base, ...rest, sgd: spec.sgd }, trajectory, net: final };
}

/** weights.json contents: {D, h, p, W, v, b?, centre?, normalise?}. */
export function weightsJson(net: PReluNet): Record<string, unknown> {
  const out: Record<string, unknown> = { D: net.D, h: net.h, p: net.p, W: Array.from(net.W), v: Array.from(net.v) };
  if (net.hasBias) out.b = net.b;
  if (net.centre) out.centre = Array.from(net.centre);
  if (net.normalise) out.normalise = true;
  return out;
}
