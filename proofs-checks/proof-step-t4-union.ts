/**
 * Proof step of PAPER.md s.6 (T4 skeleton), probabilistic end: non-robustness <= failure of the
 * sufficient condition |z_k| + sum_l |z_l| < delta/sqrt2 <= union of <= K Gaussian tails <= 2K exp(...)
 * <= 2(K+1) exp(-D delta^2/(4 alpha^2 K^2)). Logic in src/bounds/proofStepsT4.ts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { t4StepCases, t4UnionSteps } from '../src/bounds/proofStepsT4.ts';
import { requireInt, requireKnownKeys } from '../src/validate.ts';

function settings(config: Record<string, unknown>, quick: boolean): { points: number; n: number } {
  const cfg = requireKnownKeys('', config, ['points', 'n']);
  const points = cfg.points === undefined ? (quick ? 6 : 30) : requireInt('points', cfg.points, 1, 1000);
  const n = cfg.n === undefined ? (quick ? 20000 : 200000) : requireInt('n', cfg.n, 100, 1e8);
  return { points, n };
}

export const check: ProofCheck = {
  id: 'proof-step-t4-union',
  title: 'Proof step: T4 sufficient condition, union and Chernoff bounds',
  statement:
    'For x in cluster k, F^(p) is robust at radius (sqrt2 - delta)/2 whenever |z_k| + sum_{l other class} |z_l| < delta/sqrt2; ' +
    'the failure of that condition has probability <= sum over <= K projections of P(|z_j| >= delta/(sqrt2 K)) <= 2K exp(-D delta^2/(4 alpha^2 K^2)) ' +
    '<= 2(K+1) exp(...). Measured with exact robustness decisions and exact CP intervals at random points where the union bound is in [0.01, 0.5].',
  source: '[derived] PAPER.md s.6, T4 proof skeleton',
  quickCostSeconds: 5,
  validateConfig: (config) => void settings(config, false),
  async run(ctx) {
    const { points, n } = settings(ctx.config, ctx.quick);
    ctx.progress(0, 'running');
    const r = t4UnionSteps(ctx.seed, t4StepCases(ctx.seed, points), n);
    ctx.progress(1, 'done');
    const ev = r.evidence as { columns: string[]; rows: (number | string)[][] };
    return { ...r, tables: [{ title: 'T4 proof-skeleton chain per point', columns: ev.columns, rows: ev.rows }], seed: ctx.seed, config: { points, n } };
  },
};
