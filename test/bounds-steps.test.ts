import { describe, expect, it } from 'vitest';
import * as S from '../src/bounds/proofSteps.ts';
import { t4StepCases, t4UnionSteps } from '../src/bounds/proofStepsT4.ts';
import { SQRT2, add, div, equal, mul, qs2, sub } from '../src/bounds/qsqrt2.ts';

describe('proof-skeleton steps (PAPER.md s.6)', () => {
  for (const f of [S.gaussianTailStep, S.t1UnionStep, S.t2TailStep, S.minkowskiStep, S.lpL2Step, S.innerMaxStep, S.mStarStep]) {
    it(`${f.name} holds on random inputs`, () => {
      const r = f(7, 150);
      expect(r.verdict, r.keyFigure).toBe('holds');
    });
  }
  it('the T4 chain holds and its union step is the loose one', () => {
    const r = t4UnionSteps(3, t4StepCases(3, 3), 5000);
    expect(r.verdict, r.keyFigure).toBe('holds');
    const rows = (r.evidence as { rows: (number | string)[][] }).rows;
    for (const row of rows) expect(row[12]).toBe(0); // sufficient condition true but not robust: never
  });
});

describe('exact Q(sqrt2) arithmetic', () => {
  it('confirms sqrt2 * sqrt2 = 2, (1/sqrt2)^2 * 2 = 1 and refutes a wrong identity', () => {
    expect(equal(mul(SQRT2, SQRT2), qs2(2))).toBe(true);
    const h = div(qs2(1), SQRT2);
    expect(equal(mul(mul(h, h), qs2(2)), qs2(1))).toBe(true);
    expect(equal(add(h, h), SQRT2)).toBe(true);
    // M*(delta) with the wrong radius r = (sqrt2 - delta)/sqrt2 is not delta/sqrt2:
    const d = qs2('3/10');
    const wrong = sub(qs2(1), mul(SQRT2, div(sub(SQRT2, d), SQRT2)));
    expect(equal(wrong, div(d, SQRT2))).toBe(false);
  });
});

import { BAYES_OPTIMAL, PROP1_OPTIMALITY, bayesCompared, prop1Bound } from '../src/bounds/icml2025.ts';
import { drawProjection } from '../src/montecarlo/sampler.ts';
import { Rng } from '../src/random/rng.ts';
import { clopperPearson } from '../src/stats/index.ts';

describe('ICML 2025 statements', () => {
  it('Prop. 1: robust accuracy of F^(3) at sqrt2/2 stays below 1 - min(K1,K2)/K (whole CI)', () => {
    const p = { D: 200, K: 5, K1: 2, alpha: 0.3, p: 3 };
    expect(prop1Bound(5, 2)).toBeCloseTo(0.6, 15);
    const rng = new Rng(4), s = new Float64Array(5);
    let k = 0; const n = 1500;
    for (let i = 0; i < n; i++) { const y = drawProjection(rng, 5, 2, 0.3 / Math.sqrt(200), s); if (PROP1_OPTIMALITY.event(s, y, p)) k++; }
    // at the exact radius sqrt2/2 of the noise-free centres, noise breaks about half the points
    expect(clopperPearson(k, n).upper).toBeLessThan(prop1Bound(5, 2));
  });
  it('Bayes: f* is at least as accurate as F and F^(3) on the same samples (paired, significant if not)', () => {
    const p = { D: 20, K: 6, K1: 2, alpha: 1.2, p: 3 };
    const rng = new Rng(6), s = new Float64Array(6);
    let bayesOnly = 0, otherOnly = 0;
    for (let i = 0; i < 20000; i++) {
      const y = drawProjection(rng, 6, 2, 1.2 / Math.sqrt(20), s);
      const b = BAYES_OPTIMAL.event(s, y, p);
      const [f, fp] = bayesCompared(s, y, p);
      if (b && !f) bayesOnly++;
      if (!b && f) otherOnly++;
      if (b && !fp) bayesOnly++;
      if (!b && fp) otherOnly++;
    }
    expect(bayesOnly).toBeGreaterThan(otherOnly);
  });
});
