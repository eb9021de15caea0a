/**
 * Per-point brackets [certified lower, best attack upper] and robust-accuracy curves for any model
 * (issue 4, items (1)-(6); PAPER.md s.5, s.8).
 *
 * For each test point: the authors' zero-start l2 PGD run on the radius grid (their protocol), APGD-CE
 * run on the radius grid (the MNIST protocol), and the strong minimal-norm attack (targeted and random
 * starts, line searches, bisection on the radius). Attack radii are norms of actual flipping points;
 * earlier attacks' flipping points are handed to the strong attack as extra targets, so the best
 * upper bound is the minimum over all of them. An optional certifier gives the lower end.
 */
import { apgd, type ApgdOptions } from './apgd.ts';
import type { Box, NormKind } from './ball.ts';
import { robustCurves, type PointRadii, type RobustCurves } from './curves.ts';
import { gridRadius, strongMinNorm, type StrongAttackOptions } from './minnorm.ts';
import { binaryObjective, multiclassObjective, type AttackObjective, type ScalarModel, type VectorModel } from './model.ts';
import { pgdL2, type PgdOptions } from './pgd.ts';
import { Rng } from '../random/rng.ts';
import { ConfigError, requireInt, requireReal } from '../validate.ts';

export type Classifier = { kind: 'binary'; model: ScalarModel } | { kind: 'multiclass'; model: VectorModel };

/** Test points: X is n x D row-major; y is +-1 (binary) or a 0-based class (multi-class). */
export interface TestSet {
  n: number;
  D: number;
  X: Float64Array;
  y: Float64Array;
}

export interface EvaluateOptions {
  norm: NormKind;
  /** Radii of the curves (also the grid of the grid-protocol attacks). */
  radii: number[];
  /** Largest radius the strong attack and the certifier search. */
  rMax: number;
  /** The authors' PGD (l2, binary only); false to skip. */
  pgd: Partial<PgdOptions> | false;
  /** APGD-CE on the radius grid; false to skip. */
  apgd: Partial<ApgdOptions> | false;
  strong: Partial<StrongAttackOptions> | false;
  /** Target points for the targeted starts of point i. */
  targets?: (x: Float64Array, y: number, i: number) => Float64Array[];
  /** Certified radius of point i (null when the model is not covered). */
  certify?: (x: Float64Array, y: number, rMax: number, i: number) => number | null;
  box?: Box;
  /**
   * Multi-class models: the strong attack is also run with the targeted margin loss toward each of
   * this many runner-up classes (by clean logit), since CE can stop short when classes compete.
   */
  targetClasses: number;
  seed: number;
  progress?: (fraction: number) => void;
}

export const EVALUATE_DEFAULTS: Omit<EvaluateOptions, 'radii'> = {
  norm: 'l2', rMax: 4, pgd: {}, apgd: { steps: 100, restarts: 1 }, strong: {}, targetClasses: 3, seed: 1,
};

export interface PointBracket extends PointRadii {
  index: number;
  label: number;
  /** Clean margin (> 0 iff correct). */
  margin: number;
  evaluations: number;
}

export interface RobustnessReport {
  norm: NormKind;
  points: PointBracket[];
  curves: RobustCurves;
  /** Medians over correctly classified points (null if none). */
  medianLower: number | null;
  medianUpper: number | null;
  /** Points where the certified lower bound exceeds an attack's radius (must be 0). */
  violations: number;
}

function median(a: number[]): number | null {
  if (a.length === 0) return null;
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function objectiveFor(c: Classifier, y: number, loss: 'ce' | 'exp'): AttackObjective {
  return c.kind === 'binary' ? binaryObjective(c.model, y, loss) : multiclassObjective(c.model, y);
}

/** Brackets and curves for every test point (see the module comment). */
export function evaluateRobustness(classifier: Classifier, data: TestSet, options: Partial<EvaluateOptions> & { radii: number[] }): RobustnessReport {
  const o: EvaluateOptions = { ...EVALUATE_DEFAULTS, ...options };
  requireInt('n', data.n, 1);
  if (data.D !== classifier.model.dim) throw new ConfigError('D', data.D, `the model's input dimension ${classifier.model.dim}`);
  if (data.X.length !== data.n * data.D) throw new ConfigError('X', `length ${data.X.length}`, `n * D = ${data.n * data.D} entries`);
  requireReal('rMax', o.rMax, { min: 0, minExclusive: true });
  o.radii.forEach((r, i) => requireReal(`radii[${i}]`, r, { min: 0 }));
  const usePgd = o.pgd !== false && o.norm === 'l2' && classifier.kind === 'binary';
  const root = new Rng(o.seed);
  const points: PointBracket[] = [];
  let violations = 0;
  for (let i = 0; i < data.n; i++) {
    const rng = root.jump();
    const x0 = data.X.slice(i * data.D, (i + 1) * data.D);
    const y = data.y[i];
    const ce = objectiveFor(classifier, y, 'ce');
    ce.evaluate(x0);
    const margin = ce.margin;
    const correct = margin > 0;
    const attacks: Record<string, number> = {};
    let evaluations = 1;
    let lower: number | null = null;
    let upper = 0;
    if (correct) {
      const found: Float64Array[] = [];
      if (usePgd) {
        const exp = objectiveFor(classifier, y, 'exp');
        const res = gridRadius(exp, x0, o.radii, (r) => pgdL2(exp, x0, r, { ...(o.pgd as Partial<PgdOptions>), box: o.box }), 'l2');
        attacks.pgd = res.radius;
        evaluations += res.evaluations;
        if (res.delta) found.push(res.delta);
      }
      if (o.apgd !== false) {
        const a = o.apgd;
        const res = gridRadius(ce, x0, o.radii, (r) => apgd(ce, x0, r, rng, { ...a, norm: o.norm, box: o.box }), o.norm);
        attacks.apgd = res.radius;
        evaluations += res.evaluations;
        if (res.delta) found.push(res.delta);
      }
      if (o.strong !== false) {
        const given = o.targets ? o.targets(x0, y, i) : [];
        const fromAttacks = found.map((d) => Float64Array.from(d, (v, k) => x0[k] + v));
        const strongOpts = { ...o.strong, norm: o.norm, box: o.box, rMax: o.rMax, targets: [...given, ...fromAttacks] };
        const res = strongMinNorm(ce, x0, rng, strongOpts);
        attacks.strong = res.radius;
        evaluations += res.evaluations;
        if (classifier.kind === 'multiclass' && o.targetClasses > 0) {
          const logits = new Float64Array(classifier.model.classes);
          classifier.model.logits(x0, logits);
          const order = Array.from(logits.keys()).filter((c) => c !== y).sort((a, b) => logits[b] - logits[a]).slice(0, o.targetClasses);
          for (const t of order) {
            const tm = multiclassObjective(classifier.model, y, 'margin', t);
            const rt = strongMinNorm(tm, x0, rng, { ...strongOpts, rMax: Math.min(o.rMax, attacks.strong) });
            attacks.strong = Math.min(attacks.strong, rt.radius);
            evaluations += rt.evaluations;
          }
        }
      }
      upper = Math.min(Infinity, ...Object.values(attacks));
      if (o.certify) {
        const cap = Number.isFinite(upper) ? upper : o.rMax;
        lower = o.certify(x0, y, cap, i);
        if (lower !== null && Object.values(attacks).some((r) => lower! >= r)) violations++;
      }
    } else if (o.certify) {
      lower = 0;
    }
    points.push({ index: i, label: y, margin, correct, lower, upper, attacks, evaluations });
    o.progress?.((i + 1) / data.n);
  }
  const ok = points.filter((p) => p.correct);
  const lowers = ok.map((p) => p.lower).filter((v): v is number => v !== null);
  return {
    norm: o.norm,
    points,
    curves: robustCurves(points, o.radii),
    medianLower: median(lowers),
    medianUpper: median(ok.map((p) => p.upper)),
    violations,
  };
}
