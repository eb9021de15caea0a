/**
 * The proofs-checks `mnist-parity` and `mnist-10class` (PAPER.md s.8, Section 5.2.1, Table 1;
 * issue 8) share everything but the task: this builds either. Logic: experiment.ts runs,
 * verdict.ts decides; here only the report's tables, figures and evidence are assembled.
 */
import { writeSync } from 'node:fs';
import type { CheckResult, ProofCheck } from '../checks/types.ts';
import { curvesFigure } from '../report/plots.ts';
import { AUTHORS_STEPS, formatDuration, resolveSettings, runExperiment, type Task } from './experiment.ts';
import { summarise, verdictOf, type Stat } from './verdict.ts';

const fmt = (s: Stat): string => (Number.isFinite(s.sd) ? `${s.mean.toFixed(3)} ± ${s.sd.toFixed(3)}` : s.mean.toFixed(3));

export interface RealdataCheckSpec {
  task: Task;
  id: string;
  title: string;
  statement: string;
  source: string;
  quickCostSeconds: number;
  /** What the report says about how this run relates to the authors'. */
  label: string;
}

export function realdataCheck(spec: RealdataCheckSpec): ProofCheck {
  const { task, id, label } = spec;
  return {
    id, title: spec.title, statement: spec.statement, source: spec.source, quickCostSeconds: spec.quickCostSeconds,
    validateConfig(config) {
      // As other checks do: the non-quick reading (caching on, so `workers` > 1 is allowed).
      resolveSettings(task, '', false, config);
    },
    async run(ctx): Promise<CheckResult> {
      const { config: c, run, mode } = resolveSettings(task, '', ctx.quick, ctx.config);
      const e = await runExperiment(task, c, run, ctx.seed, {
        progress: (f, m) => ctx.progress(f, m),
        // fd 2 directly: a worker thread's process.stderr only flushes when its event loop runs,
        // which a unit computing for an hour does not let happen.
        log: (line) => writeSync(2, `[${id}] ${line}\n`),
      });
      const s = summarise(e, mode === 'quick');
      const verdict = verdictOf(s);
      const pLo = Math.min(...s.ps), pHi = Math.max(...s.ps);
      const A = s.criteria[0];
      const sizes = `h=${c.h}, ${c.epochs} epochs x batch ${c.batch} = ${e.steps} Adam steps (authors ${AUTHORS_STEPS}), ${c.seeds} seeds, ${c.attackPoints} attacked points`;
      return {
        verdict,
        keyFigure:
          `p=${pHi} - p=${pLo} robust accuracy gap (min over Table 1 radii) ${Math.min(...s.table.map((t) => t.gap)).toFixed(3)}; ` +
          `clean ${s.clean.map((x) => x.mean.toFixed(3)).join('/')}; criteria ${s.criteria.map((k) => `${k.id}:${k.status}`).join(' ')}; ` +
          (verdict === 'holds' ? A.detail : s.reasons[0]) + `; ${sizes}`,
        timing: {
          totalSeconds: e.seconds, cachedUnits: e.cachedUnits, cacheDir: run.cacheDir, workers: run.workers,
          estimate: e.estimate, estimateText: e.estimate ? formatDuration(e.estimate.total) : null,
          train: e.runs.map((r) => r.trainSeconds), attack: e.runs.map((r) => r.attackSeconds),
        },
        evidence: {
          task, mode,
          criteria: s.criteria, reasons: s.reasons, undertrained: s.undertrained,
          steps: e.steps, authorsSteps: AUTHORS_STEPS,
          split: e.split,
          clean: s.clean, featureStableRank: s.featureRank, weightStableRank: s.weightRank,
          table: s.table, curve: s.curve.map((r) => ({ radius: r.radius, mean: r.byP.map((x) => x.mean) })), rankHistory: s.rankHistory, sanity: s.sanity,
          runs: e.runs.map((r) => ({
            p: r.p, seed: r.seed, clean: r.cleanAccuracy, cleanAttacked: r.cleanAccuracyAttacked, cleanCurve: r.cleanAccuracyCurve,
            finalTrainLoss: r.history[r.history.length - 1].trainLoss,
            table: r.table.map((x) => x.robustAccuracy), featureRank: r.finalFeatureStableRank, weightRank: r.finalWeightStableRank,
          })),
          note: `${label}; ${mode} mode: ${sizes}`,
        },
        tables: [
          {
            title: `Table 1: APGD-CE robust accuracy (mean ± sd over ${c.seeds} seeds, ${c.attackPoints} test points; 95% Clopper-Pearson interval of the pooled fraction for p=${pLo} and p=${pHi}) vs the paper`,
            columns: ['norm', 'radius', ...s.ps.map((p) => `p=${p}`), `CI p=${pLo}`, `CI p=${pHi}`, 'paper p=1', 'paper p=4', `gap p${pHi}-p${pLo}`, 'spread', 'order (low -> high)'],
            rows: s.table.map((t) => {
              const ci = (p: number): string => {
                const q = t.pooled[s.ps.indexOf(p)];
                return `[${q.lower.toFixed(3)}, ${q.upper.toFixed(3)}]`;
              };
              return [t.norm, t.radius, ...t.byP.map(fmt), ci(pLo), ci(pHi), t.paperP1, t.paperP4, t.gap, t.spread, t.order.join('<')];
            }),
          },
          {
            title: 'Clean test accuracy, final training loss and final stable ranks (mean ± sd over seeds)',
            columns: ['p', 'clean accuracy', 'final train loss', 'hidden-feature stable rank', 'W stable rank'],
            rows: s.ps.map((p, i) => {
              const losses = e.runs.filter((r) => r.p === p).map((r) => r.history[r.history.length - 1].trainLoss);
              return [p, fmt(s.clean[i]), (losses.reduce((a, b) => a + b, 0) / losses.length).toFixed(4), fmt(s.featureRank[i]), fmt(s.weightRank[i])];
            }),
          },
          {
            title: `l_inf robust accuracy curve (mean over seeds, ${c.curvePoints} test points)`,
            columns: ['radius', ...s.ps.map((p) => `p=${p}`)],
            rows: s.curve.map((r) => [r.radius, ...r.byP.map((x) => x.mean)]),
          },
        ],
        figures: [
          curvesFigure({
            name: `${id}-linf-curve`, caption: `${label}: APGD-CE l_inf robust accuracy vs radius, mean over seeds, per p`,
            xTitle: 'l_inf radius', yTitle: 'robust accuracy',
            series: s.ps.map((p, i) => ({ name: `p=${p}`, points: s.curve.map((r) => ({ x: r.radius, y: r.byP[i].mean })) })),
          }),
          curvesFigure({
            name: `${id}-feature-rank`, caption: `${label}: stable rank of the hidden features (probe test images) over training, mean over seeds`,
            xTitle: 'epoch', yTitle: 'stable rank',
            series: s.ps.map((p) => ({ name: `p=${p}`, points: s.rankHistory.filter((r) => r.p === p).map((r) => ({ x: r.epoch, y: r.feature })) })),
          }),
          curvesFigure({
            name: `${id}-weight-rank`, caption: `${label}: stable rank of W over training, mean over seeds`,
            xTitle: 'epoch', yTitle: 'stable rank',
            series: s.ps.map((p) => ({ name: `p=${p}`, points: s.rankHistory.filter((r) => r.p === p).map((r) => ({ x: r.epoch, y: r.weight })) })),
          }),
        ],
        seed: ctx.seed,
        config: { ...c, mode },
      };
    },
  };
}
