/**
 * Adaptive Gauss-Kronrod (G7-K15) quadrature with error control, and a log-space wrapper for
 * log-concave integrands whose values underflow (the exact T1/T2 probabilities of PAPER.md s.6
 * are one-dimensional integrals of a Gaussian density times a Gaussian tail, which is log-concave).
 */
import { ConfigError, requireReal } from '../validate.ts';

// Kronrod abscissae (positive half, descending) and weights; Gauss weights for the odd nodes.
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0.0,
];
const WGK = [
  0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

export interface QuadratureResult {
  value: number;
  /** Estimated absolute error (sum of |K15 - G7| over accepted panels). */
  error: number;
  evaluations: number;
}

export interface QuadratureOptions {
  /** Absolute tolerance (default 1e-14). */
  absTol?: number;
  /** Relative tolerance (default 1e-10). */
  relTol?: number;
  /** Maximum number of panels (default 2000). */
  maxPanels?: number;
}

function gk15(f: (x: number) => number, a: number, b: number): { k: number; g: number } {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const fc = f(c);
  let k = fc * WGK[7];
  let g = fc * WG[3];
  for (let j = 0; j < 7; j++) {
    const dx = h * XGK[j];
    const s = f(c - dx) + f(c + dx);
    k += WGK[j] * s;
    if (j % 2 === 1) g += WG[(j - 1) / 2] * s;
  }
  return { k: k * h, g: g * h };
}

/**
 * Integral of f over [a, b] (finite) by globally adaptive bisection: the panel with the largest
 * error estimate is split until the total error is below max(absTol, relTol |I|).
 */
export function integrate(f: (x: number) => number, a: number, b: number, opts: QuadratureOptions = {}): QuadratureResult {
  requireReal('a', a);
  requireReal('b', b);
  const absTol = opts.absTol ?? 1e-14;
  const relTol = opts.relTol ?? 1e-10;
  const maxPanels = opts.maxPanels ?? 2000;
  if (a === b) return { value: 0, error: 0, evaluations: 0 };
  if (a > b) {
    const r = integrate(f, b, a, opts);
    return { ...r, value: -r.value };
  }
  type Panel = { a: number; b: number; v: number; e: number };
  const first = gk15(f, a, b);
  const panels: Panel[] = [{ a, b, v: first.k, e: Math.abs(first.k - first.g) }];
  let evals = 15;
  for (;;) {
    let value = 0;
    let error = 0;
    let worst = 0;
    for (let i = 0; i < panels.length; i++) {
      value += panels[i].v;
      error += panels[i].e;
      if (panels[i].e > panels[worst].e) worst = i;
    }
    if (!Number.isFinite(value)) throw new ConfigError('integrand', value, 'finite values on the interval');
    if (error <= Math.max(absTol, relTol * Math.abs(value)) || panels.length >= maxPanels) {
      return { value, error, evaluations: evals };
    }
    const p = panels[worst];
    const m = 0.5 * (p.a + p.b);
    const l = gk15(f, p.a, m);
    const r = gk15(f, m, p.b);
    evals += 30;
    panels[worst] = { a: p.a, b: m, v: l.k, e: Math.abs(l.k - l.g) };
    panels.push({ a: m, b: p.b, v: r.k, e: Math.abs(r.k - r.g) });
  }
}

/** Maximiser of a concave function on [a, b] by golden-section search (to ~1e-10 relative). */
export function argmaxConcave(g: (x: number) => number, a: number, b: number): number {
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let lo = a, hi = b;
  let x1 = hi - invPhi * (hi - lo), x2 = lo + invPhi * (hi - lo);
  let g1 = g(x1), g2 = g(x2);
  for (let it = 0; it < 200 && hi - lo > 1e-12 * (1 + Math.abs(lo) + Math.abs(hi)); it++) {
    if (g1 < g2) {
      lo = x1; x1 = x2; g1 = g2; x2 = lo + invPhi * (hi - lo); g2 = g(x2);
    } else {
      hi = x2; x2 = x1; g2 = g1; x1 = hi - invPhi * (hi - lo); g1 = g(x1);
    }
  }
  const mid = 0.5 * (lo + hi);
  // The ends can beat the interior for monotone g.
  const cands = [a, mid, b];
  let best = mid, gb = g(mid);
  for (const c of cands) {
    const v = g(c);
    if (v > gb) { gb = v; best = c; }
  }
  return best;
}

/**
 * log of the integral of exp(logf) over [a, b] for a log-concave integrand (logf concave):
 * locate the mode, keep the region where logf > mode - 80 (the rest contributes below e^-80
 * relative), integrate exp(logf - mode) there. Works when the integral itself underflows.
 */
export function logIntegrateLogConcave(logf: (x: number) => number, a: number, b: number, opts: QuadratureOptions = {}): number {
  if (!(b > a)) return -Infinity;
  const xm = argmaxConcave(logf, a, b);
  const M = logf(xm);
  if (M === -Infinity || Number.isNaN(M)) return -Infinity;
  const cut = M - 80;
  const edge = (inside: number, outside: number): number => {
    if (logf(outside) > cut) return outside;
    let lo = inside, hi = outside;
    for (let i = 0; i < 200 && Math.abs(hi - lo) > 1e-12 * (1 + Math.abs(lo)); i++) {
      const m = 0.5 * (lo + hi);
      if (logf(m) > cut) lo = m; else hi = m;
    }
    return hi;
  };
  const lo = edge(xm, a);
  const hi = edge(xm, b);
  const r = integrate((x) => Math.exp(logf(x) - M), lo, hi, { absTol: 0, relTol: opts.relTol ?? 1e-11, maxPanels: opts.maxPanels });
  return M + Math.log(r.value);
}
