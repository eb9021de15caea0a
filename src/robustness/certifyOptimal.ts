/**
 * The computation behind proofs-check optimal-radius: ICML 2025 Prop. 1 (PAPER.md s.5) says no
 * classifier defends radius sqrt(2)/2 with accuracy above 1 - min(K1, K2)/K.
 *
 * Midpoint argument. Distinct centres are sqrt(2) apart. Couple a positive point x = mu_k + eps
 * with the negative point x' = mu_j + eps (same noise): ||x - x'|| = sqrt(2) and their midpoint
 * m = x + (sqrt(2)/2) (mu_j - mu_k)/sqrt(2) lies at distance sqrt(2)/2 from both. Any classifier
 * labels m one way, so at most one of x, x' is robust at radius sqrt(2)/2 (a flip at distance
 * exactly r counts: robust means exact radius > r). Pairing min(K1, K2) positive clusters with as
 * many negative ones, at least min(K1, K2) of the K equally likely clusters lose their robust
 * mass in expectation, hence robust accuracy <= 1 - min(K1, K2)/K.
 *
 * What is computed (and could come out violated):
 * - on coupled pairs, the exact radii of F and the certified decisions for F^(p) must never call
 *   both points robust at sqrt(2)/2 (a radius solver that overestimated would);
 * - robust accuracy at sqrt(2)/2 on the data (noise-free centres and noisy samples), exact for F
 *   and F^(p) and an attack-based upper estimate for the Bayes rule (midpoint attacks), compared
 *   with the bound through Clopper-Pearson intervals.
 */
import { Rng } from '../random/rng.ts';
import { OrthonormalMixture } from '../data/index.ts';
import { evalBayesLogRatio } from '../classifiers/bayes.ts';
import { clopperPearson } from '../stats/index.ts';
import { radiusF, type Label } from './exactF.ts';
import { decideRobustFp } from './certifyFp.ts';

export const R_OPT = Math.SQRT1_2;

export interface OptimalConfig {
  K: number;
  K1: number;
  /** Noise standard deviation per projection, alpha/sqrt(D) (0: noise-free centres). */
  sigma: number;
}

type ClassifierId = 'F' | 'Fp1.5' | 'Fp3' | 'Bayes';
const CLASSIFIERS: ClassifierId[] = ['F', 'Fp1.5', 'Fp3', 'Bayes'];

/** Robust at radius r? 'robust' | 'not' | 'undecided' (F^(p) only: |radius - r| < 1e-6). */
function robustAt(id: ClassifierId, s: Float64Array, y: Label, z: number, K1: number, beta: number, r: number): 'robust' | 'not' | 'undecided' {
  if (id === 'F') return radiusF(s, y, K1) > r ? 'robust' : 'not';
  if (id === 'Fp1.5' || id === 'Fp3') {
    const d = decideRobustFp(s, y, K1, id === 'Fp3' ? 3 : 1.5, r);
    return d === 'robust' ? 'robust' : d === 'flippable' ? 'not' : 'undecided';
  }
  // Bayes: attack-based (upper estimate of robustness): the own point, and the move of length r
  // toward each other-class centre along (mu_j - mu_z)/sqrt(2), which reaches the midpoint at r = sqrt(2)/2.
  const K = s.length;
  if (!(y * evalBayesLogRatio(s, K1, beta) > 0)) return 'not';
  const x = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    if ((j < K1) === (y === 1)) continue;
    x.set(s);
    x[j] += r / Math.SQRT2;
    x[z] -= r / Math.SQRT2;
    if (!(y * evalBayesLogRatio(x, K1, beta) > 0)) return 'not';
  }
  return 'robust';
}

export interface OptimalRow {
  K: number;
  K1: number;
  sigma: number;
  bound: number;
  classifier: ClassifierId;
  n: number;
  robust: number;
  undecided: number;
  /** Pessimistic robust accuracy (undecided counted robust) and its 99% CP interval. */
  accuracy: number;
  ciLower: number;
  ciUpper: number;
  /** Robust accuracy at sqrt(2)/2 - 0.05, for contrast. */
  accuracyBelow: number;
  pairsBothRobust: number;
  pairs: number;
}

export function runOptimalCheck(seed: number, quick: boolean, configs: OptimalConfig[], progress: (f: number) => void): OptimalRow[] {
  const rng = new Rng(seed);
  const n = quick ? 300 : 3000;
  const nPairs = quick ? 150 : 1500;
  const rows: OptimalRow[] = [];
  let done = 0;
  for (const cfg of configs) {
    const { K, K1, sigma } = cfg;
    const bound = 1 - Math.min(K1, K - K1) / K;
    const beta = sigma > 0 ? 1 / (sigma * sigma) : 50;
    // Points: noise-free -> each centre once (exact robust accuracy over uniform clusters).
    const pts: { s: Float64Array; y: Label; z: number }[] = [];
    if (sigma === 0) {
      for (let k = 0; k < K; k++) {
        const s = new Float64Array(K);
        s[k] = 1;
        pts.push({ s, y: k < K1 ? 1 : -1, z: k });
      }
    } else {
      const mix = new OrthonormalMixture({ D: K, K, K1, alpha: sigma * Math.sqrt(K) });
      const smp = mix.sampleProjections(n, rng);
      for (let i = 0; i < n; i++) pts.push({ s: smp.S.slice(i * K, (i + 1) * K), y: smp.y[i] > 0 ? 1 : -1, z: smp.z[i] });
    }
    // Coupled pairs: x = e_k + eps, x' = e_j + eps.
    const pairs: { a: Float64Array; b: Float64Array; k: number; j: number }[] = [];
    for (let i = 0; i < (sigma === 0 ? 1 : nPairs); i++) {
      const k = rng.int(K1);
      const j = K1 + rng.int(K - K1);
      const e = new Float64Array(K);
      for (let q = 0; q < K; q++) e[q] = sigma * rng.normal();
      const a = e.slice();
      a[k] += 1;
      const b = e.slice();
      b[j] += 1;
      pairs.push({ a, b, k, j });
    }
    for (const id of CLASSIFIERS) {
      let robust = 0;
      let undecided = 0;
      let below = 0;
      for (const pt of pts) {
        const d = robustAt(id, pt.s, pt.y, pt.z, K1, beta, R_OPT);
        if (d === 'robust') robust++;
        else if (d === 'undecided') undecided++;
        if (robustAt(id, pt.s, pt.y, pt.z, K1, beta, R_OPT - 0.05) !== 'not') below++;
      }
      let both = 0;
      for (const pr of pairs) {
        const ra = robustAt(id, pr.a, 1, pr.k, K1, beta, R_OPT);
        const rb = robustAt(id, pr.b, -1, pr.j, K1, beta, R_OPT);
        if (ra !== 'not' && rb !== 'not') both++;
      }
      const m = pts.length;
      const ci = clopperPearson(robust + undecided, m, 0.99);
      rows.push({
        K,
        K1,
        sigma,
        bound,
        classifier: id,
        n: m,
        robust,
        undecided,
        accuracy: (robust + undecided) / m,
        ciLower: sigma === 0 ? (robust + undecided) / m : ci.lower,
        ciUpper: sigma === 0 ? (robust + undecided) / m : ci.upper,
        accuracyBelow: below / m,
        pairsBothRobust: both,
        pairs: pairs.length,
      });
      done++;
      progress(done / (configs.length * CLASSIFIERS.length));
    }
  }
  return rows;
}

/** Whether a row's classifier is decided exactly (F, F^(p)) or only by attacks (Bayes). */
export function isExactClassifier(id: string): boolean {
  return id !== 'Bayes';
}
