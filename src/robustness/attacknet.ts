/**
 * The full robustness evaluation of a trained two-layer pReLU net on labelled test points
 * (issue 4: brackets and curves for nets from the dynamics issue; PAPER.md s.5, s.8).
 *
 * For l2 without a box and without input normalisation the net and the points are first reduced to
 * the row span of W (PAPER.md s.5 Reduction, netmodel.ts): attacks then search only the directions
 * that matter, and the radii are unchanged. Targeted starts aim at the learned other-class
 * directions (targets.ts); the certified lower bound comes from lowerbound.ts (l2 only).
 */
import type { Box, NormKind } from './ball.ts';
import { evaluateRobustness, type EvaluateOptions, type RobustnessReport, type TestSet } from './evaluate.ts';
import { certifiedRadius, type LowerBoundOptions } from './lowerbound.ts';
import { netModel, reduceToRowSpan } from './netmodel.ts';
import { netTargets, type NetTargetOptions } from './targets.ts';
import type { PReluNet } from '../network/types.ts';

export interface AttackNetOptions extends Omit<EvaluateOptions, 'targets' | 'certify'> {
  /** Reduce to the row span when possible and when rank(W) < D. */
  reduce: boolean;
  certify: boolean;
  targets: Partial<NetTargetOptions> | false;
  lowerBound: Partial<LowerBoundOptions>;
}

export interface AttackNetReport extends RobustnessReport {
  /** Input dimension the attacks ran in (rank of W after reduction, else D). */
  attackDim: number;
  reduced: boolean;
}

/** Brackets and curves for `net` on `data` (see the module comment). */
export function attackNet(net: PReluNet, data: TestSet, options: Partial<AttackNetOptions> & { radii: number[] }): AttackNetReport {
  const { reduce = true, certify = true, targets = {}, lowerBound = {}, ...rest } = options;
  const norm: NormKind = rest.norm ?? 'l2';
  const box: Box | undefined = rest.box;
  let model = net;
  let points = data;
  let reduced = false;
  if (reduce && norm === 'l2' && !box && !net.normalise) {
    const r = reduceToRowSpan(net, data.X, data.n);
    if (r.m > 0 && r.m < net.D) {
      model = r.net;
      points = { n: data.n, D: r.m, X: r.points, y: data.y };
      reduced = true;
    }
  }
  const report = evaluateRobustness({ kind: 'binary', model: netModel(model) }, points, {
    ...rest,
    targets: targets === false ? undefined : (x, y) => netTargets(model, x, y, targets),
    // A certificate over the whole ball also holds for the ball intersected with a box.
    certify: certify && norm === 'l2' ? (x, y, rMax) => certifiedRadius(model, x, y, rMax, lowerBound)?.radius ?? null : undefined,
  });
  return { ...report, attackDim: model.D, reduced };
}
