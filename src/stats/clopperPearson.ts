/**
 * Exact (Clopper-Pearson) binomial confidence intervals.
 *
 * Why exact: the theorem checks of PAPER.md s.6 compare Monte-Carlo estimates of probabilities as
 * small as 1e-4 with bounds; normal-approximation intervals undercover badly there. The interval is
 * the set of p for which neither one-sided binomial test rejects at level (1 - level)/2; its ends
 * are beta quantiles (computed with @stdlib, which matched jstat and @stdlib/stats-binomial-test,
 * PACKAGES.md). Coverage is >= level for every p (conservative).
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { ConfigError, requireInt, requireReal } from '../validate.ts';

export interface BinomialInterval {
  k: number;
  n: number;
  /** Two-sided confidence level, e.g. 0.95. */
  level: number;
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Two-sided Clopper-Pearson interval for k successes in n trials at confidence `level`.
 * k = 0 gives lower = 0 and upper = 1 - (a/2)^(1/n); k = n gives upper = 1 (a = 1 - level).
 */
export function clopperPearson(k: number, n: number, level = 0.95): BinomialInterval {
  requireInt('n', n, 1);
  requireInt('k', k, 0, n);
  requireReal('level', level, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const a = 1 - level;
  // k = 0 and k = n are the closed forms of the same beta quantiles (Beta(0, .) is degenerate).
  const lower = k === 0 ? 0 : betaQuantile(a / 2, k, n - k + 1);
  const upper = k === n ? 1 : k === 0 ? -Math.expm1(Math.log(a / 2) / n) : betaQuantile(1 - a / 2, k + 1, n - k);
  if (!(lower >= 0 && upper <= 1 && lower <= upper)) {
    throw new ConfigError('clopperPearson', { k, n, level }, 'parameters giving a finite beta quantile');
  }
  return { k, n, level, estimate: k / n, lower, upper };
}

/** Where an interval lies relative to a threshold b: decides a comparison only if b is outside it. */
export type Side = 'above' | 'below' | 'straddles';

export function sideOf(ci: { lower: number; upper: number }, b: number): Side {
  if (ci.lower > b) return 'above';
  if (ci.upper < b) return 'below';
  return 'straddles';
}
