/** Least-squares line y = a + b x with R^2 (for exponents on log-log axes and phase-length slopes). */
export interface LineFit {
  intercept: number;
  slope: number;
  r2: number;
}

export function fitLine(x: readonly number[], y: readonly number[]): LineFit {
  const n = x.length;
  if (n < 2 || y.length !== n) throw new Error(`fitLine: need >= 2 paired points, got ${n} and ${y.length}`);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { intercept: my - slope * mx, slope, r2 };
}
