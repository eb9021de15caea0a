/** freezeNet (src/network/frozen.ts) gives inputGrad's value and gradient (forward.ts). */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/random/rng.ts';
import { createNet, freezeNet, inputGrad } from '../src/network/index.ts';
import { ConfigError } from '../src/validate.ts';

describe('freezeNet', () => {
  it('matches inputGrad to 1e-12 relative for p in {1, 2, 2.5, 4}, with and without centring and normalisation', () => {
    const rng = new Rng(17);
    const D = 13, h = 11;
    for (const p of [1, 2, 2.5, 4]) {
      for (const normalise of [false, true]) {
        for (const centred of [false, true]) {
          const centre = centred ? Float64Array.from({ length: D }, () => rng.normal()) : null;
          const net = createNet({ D, h, p, init: 'kaiming', bias: true, centre, normalise }, rng);
          const fz = freezeNet(net);
          for (let t = 0; t < 5; t++) {
            const x = Float64Array.from({ length: D }, () => rng.normal());
            const g1 = new Float64Array(D), g2 = new Float64Array(D);
            const f1 = inputGrad(net, x, g1);
            const f2 = fz.evaluate(x, g2);
            expect(fz.evaluate(x)).toBe(f2);
            expect(Math.abs(f1 - f2)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(f1)));
            const scale = Math.max(1e-300, ...g1.map(Math.abs));
            for (let k = 0; k < D; k++) expect(Math.abs(g1[k] - g2[k])).toBeLessThanOrEqual(1e-12 * scale);
          }
          if (centre) {
            // x~ = 0: with normalisation and p > 1 every unit is 0 (activation.ts); f = b either way as u = 0.
            const g = new Float64Array(D);
            expect(fz.evaluate(centre.slice(), g)).toBe(net.b);
          }
        }
      }
    }
  });
  it('rejects inputs of the wrong length', () => {
    const net = createNet({ D: 4, h: 3, p: 2, init: 'kaiming' }, new Rng(1));
    expect(() => freezeNet(net).evaluate(new Float64Array(5))).toThrow(ConfigError);
  });
});
