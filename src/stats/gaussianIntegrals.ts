/**
 * The one-dimensional Gaussian integrals behind the exact T1 and T2 probabilities (PAPER.md s.6,
 * "Exact T2 probability" and "Likewise T1's failure probability").
 *
 * J(lo, A, B) = int_{lo}^{inf} phi(u) Q(A + B u) du, computed as a log. phi(u) Q(A + Bu) is
 * log-concave (both factors are), so logIntegrateLogConcave applies; the upper limit is cut where
 * phi(u) < e^-800 relative, far below any double. Over the whole line J = Q(A / sqrt(1 + B^2))
 * (the tests use this identity).
 */
import { logNormalSf, logPhiDensity } from './normalTail.ts';
import { logIntegrateLogConcave } from './quadrature.ts';

export function logGaussTailIntegral(lo: number, A: number, B: number): number {
  const a = Math.max(lo, -45);
  const b = 45;
  if (!(b > a)) return -Infinity;
  return logIntegrateLogConcave((u) => logPhiDensity(u) + logNormalSf(A + B * u), a, b);
}
