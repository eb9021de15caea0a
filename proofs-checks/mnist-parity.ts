/**
 * PAPER.md s.8, Section 5.2.1 (issue 8): pReLU nets trained on real MNIST parity are more robust
 * for larger p at equal clean accuracy, with hidden features of higher stable rank. Our Table 1
 * next to the authors'. Logic: src/realdata/ (experiment.ts runs, verdict.ts decides).
 * Config keys (all optional): full (true = the authors' sizes), h, epochs, seeds, ps, batch, lr,
 * testFraction, attackPoints, probePoints, apgdSteps, apgdRestarts.
 */
import type { ProofCheck } from '../src/checks/types.ts';
import { curvesFigure } from '../src/report/plots.ts';
import { resolveConfig, runParityExperiment } from '../src/realdata/experiment.ts';
import { summarise, verdictOf, type Stat } from '../src/realdata/verdict.ts';

const fmt = (s: Stat): string => (Number.isFinite(s.sd) ? `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}` : s.mean.toFixed(3));

export const check: ProofCheck = {
  id: 'mnist-parity',
  title: 'MNIST parity: robust accuracy grows with p at equal clean accuracy (Table 1)',
  statement:
    'Two-layer pReLU nets (784 -> h -> 2, centred and normalised inputs, Adam, cross-entropy) trained on MNIST parity reach ' +
    'about the same clean accuracy for p = 1..4, but APGD-CE robust accuracy at l_inf 0.05/0.1, l2 1/2, l1 5/10 grows with p ' +
    '(p = 4 above p = 1 by more than the seed spread), and the hidden features\' stable rank grows with p.',
  source: '[paper] Min & Vidal ICML 2024, Section 5.2.1, Table 1; PAPER.md s.8',
  quickCostSeconds: 70,
  validateConfig(config) {
    resolveConfig(true, config);
  },
  async run(ctx) {
    const c = resolveConfig(ctx.quick, ctx.config);
    const e = runParityExperiment(c, ctx.seed, (f, m) => ctx.progress(f, m));
    const s = summarise(e, ctx.quick && ctx.config.full !== true);
    const verdict = verdictOf(s);
    const pLo = Math.min(...s.ps), pHi = Math.max(...s.ps);
    const A = s.criteria[0];
    return {
      verdict,
      keyFigure:
        `p=${pHi} - p=${pLo} robust accuracy gap (min over Table 1 radii) ${Math.min(...s.table.map((t) => t.gap)).toFixed(3)}; ` +
        `criteria ${s.criteria.map((k) => `${k.id}:${k.status}`).join(' ')}; ${A.detail}; h=${c.h}, ${c.epochs} epochs, ${c.seeds} seeds, ${c.attackPoints} attacked points`,
      timing: { totalSeconds: e.seconds, train: e.runs.map((r) => r.trainSeconds), attack: e.runs.map((r) => r.attackSeconds) },
      evidence: {
        criteria: s.criteria,
        split: e.split,
        clean: s.clean, featureStableRank: s.featureRank, weightStableRank: s.weightRank,
        table: s.table, curve: s.curve.map((r) => ({ radius: r.radius, mean: r.byP.map((x) => x.mean) })), rankHistory: s.rankHistory, sanity: s.sanity,
        runs: e.runs.map((r) => ({ p: r.p, seed: r.seed, clean: r.cleanAccuracy, table: r.table.map((x) => x.robustAccuracy), featureRank: r.finalFeatureStableRank, weightRank: r.finalWeightStableRank })),
        note: ctx.quick && ctx.config.full !== true
          ? 'quick run: small h and few Adam steps, far from the authors\' recipe; failures of A-C count as inconclusive'
          : 'full run',
      },
      tables: [
        {
          title: `Table 1: APGD-CE robust accuracy (mean ± sd over ${c.seeds} seeds, ${c.attackPoints} test points) vs the paper`,
          columns: ['norm', 'radius', ...s.ps.map((p) => `p=${p}`), 'paper p=1', 'paper p=4', `gap p${pHi}-p${pLo}`, 'spread', 'order (low -> high)'],
          rows: s.table.map((t) => [t.norm, t.radius, ...t.byP.map(fmt), t.paperP1, t.paperP4, t.gap, t.spread, t.order.join('<')]),
        },
        {
          title: 'Clean test accuracy and final stable ranks (mean ± sd over seeds)',
          columns: ['p', 'clean accuracy', 'hidden-feature stable rank', 'W stable rank'],
          rows: s.ps.map((p, i) => [p, fmt(s.clean[i]), fmt(s.featureRank[i]), fmt(s.weightRank[i])]),
        },
        {
          title: 'l_inf robust accuracy curve (mean over seeds)',
          columns: ['radius', ...s.ps.map((p) => `p=${p}`)],
          rows: s.curve.map((r) => [r.radius, ...r.byP.map((x) => x.mean)]),
        },
      ],
      figures: [
        curvesFigure({
          name: 'mnist-parity-linf-curve', caption: 'MNIST parity: APGD-CE l_inf robust accuracy vs radius, mean over seeds, per p',
          xTitle: 'l_inf radius', yTitle: 'robust accuracy',
          series: s.ps.map((p, i) => ({ name: `p=${p}`, points: s.curve.map((r) => ({ x: r.radius, y: r.byP[i].mean })) })),
        }),
        curvesFigure({
          name: 'mnist-parity-feature-rank', caption: 'MNIST parity: stable rank of the hidden features (probe test images) over training, mean over seeds',
          xTitle: 'epoch', yTitle: 'stable rank',
          series: s.ps.map((p) => ({ name: `p=${p}`, points: s.rankHistory.filter((r) => r.p === p).map((r) => ({ x: r.epoch, y: r.feature })) })),
        }),
        curvesFigure({
          name: 'mnist-parity-weight-rank', caption: 'MNIST parity: stable rank of W over training, mean over seeds',
          xTitle: 'epoch', yTitle: 'stable rank',
          series: s.ps.map((p) => ({ name: `p=${p}`, points: s.rankHistory.filter((r) => r.p === p).map((r) => ({ x: r.epoch, y: r.weight })) })),
        }),
      ],
      seed: ctx.seed,
      config: { ...c },
    };
  },
};
