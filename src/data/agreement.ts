/**
 * Agreement in distribution of the two samplers of the mixture (PAPER.md s.1, [derived]): the
 * K projections s_k = <x, mu_k> of a D-dim sample and the direct K-dim sampler. Tested with
 * two-sample Kolmogorov-Smirnov tests per coordinate and on a nonlinear statistic (the signed max).
 */
import type { OrthonormalMixture } from './mixture.ts';
import type { Rng } from '../random/rng.ts';

/** Two-sample Kolmogorov-Smirnov statistic with its asymptotic p-value (Stephens' correction). */
export function ksTwoSample(a: Float64Array, b: Float64Array): { stat: number; pValue: number } {
  const x = Float64Array.from(a).sort(), y = Float64Array.from(b).sort();
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const t = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= t) i++;
    while (j < y.length && y[j] <= t) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const lam = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lam * lam);
  return { stat: d, pValue: Math.min(1, Math.max(0, p)) };
}

export interface SamplerAgreement {
  n: number;
  /** One p-value per coordinate k, then one for the signed max y * max_k s_k. */
  statistics: { name: string; ks: number; pValue: number }[];
  minPValue: number;
}

/** Draw n points each way with independent streams and compare. */
export function compareSamplers(m: OrthonormalMixture, n: number, rngFull: Rng, rngProj: Rng): SamplerAgreement {
  const full = m.sample(n, rngFull);
  const S1 = m.project(full.X, n);
  const proj = m.sampleProjections(n, rngProj);
  const K = m.K;
  const statistics: SamplerAgreement['statistics'] = [];
  const a = new Float64Array(n), b = new Float64Array(n);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) { a[i] = S1[i * K + k]; b[i] = proj.S[i * K + k]; }
    const r = ksTwoSample(a, b);
    statistics.push({ name: `s_${k + 1}`, ks: r.stat, pValue: r.pValue });
  }
  for (let i = 0; i < n; i++) {
    let ma = -Infinity, mb = -Infinity;
    for (let k = 0; k < K; k++) { ma = Math.max(ma, S1[i * K + k]); mb = Math.max(mb, proj.S[i * K + k]); }
    a[i] = ma * full.y[i]; b[i] = mb * proj.y[i];
  }
  const r = ksTwoSample(a, b);
  statistics.push({ name: 'y*max_k s_k', ks: r.stat, pValue: r.pValue });
  return { n, statistics, minPValue: Math.min(...statistics.map((s) => s.pValue)) };
}
