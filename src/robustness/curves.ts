/**
 * Robust accuracy versus radius (PAPER.md s.8; issue 4): from per-point brackets
 * [certified lower, attack upper] and each attack's own radius.
 *
 * - certified robust at r: correct and r <= lower (lower is a certified radius of the closed ball);
 * - not broken at r by an attack with radius R: correct and R > r (the attack's flipping point of
 *   norm R is feasible for every radius >= R).
 * Every curve is therefore non-increasing in r and equals the clean accuracy at r = 0, and
 * certified <= best attack <= each attack pointwise, because lower < upper <= each attack's radius.
 */

/** One point's radii (Infinity = never broken up to the search cap; lower null = no certificate). */
export interface PointRadii {
  correct: boolean;
  lower: number | null;
  upper: number;
  attacks: Record<string, number>;
}

export interface RobustCurves {
  radii: number[];
  clean: number;
  /** null when no point had a certificate method. */
  certified: number[] | null;
  bestAttack: number[];
  perAttack: Record<string, number[]>;
}

/** Curves over the given radii (any order; returned in the order given). */
export function robustCurves(points: readonly PointRadii[], radii: readonly number[]): RobustCurves {
  const n = points.length;
  const frac = (pred: (p: PointRadii) => boolean): number => (n === 0 ? NaN : points.filter(pred).length / n);
  const names = new Set<string>();
  for (const p of points) for (const k of Object.keys(p.attacks)) names.add(k);
  const hasLower = points.some((p) => p.lower !== null);
  const perAttack: Record<string, number[]> = {};
  for (const name of names) perAttack[name] = radii.map((r) => frac((p) => p.correct && (p.attacks[name] ?? Infinity) > r));
  return {
    radii: [...radii],
    clean: frac((p) => p.correct),
    certified: hasLower ? radii.map((r) => frac((p) => p.correct && p.lower !== null && r <= p.lower)) : null,
    bestAttack: radii.map((r) => frac((p) => p.correct && p.upper > r)),
    perAttack,
  };
}
