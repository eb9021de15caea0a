/**
 * Seeded, stratified train/test split of the digits and the two labellings of PAPER.md s.8
 * (Section 5.2.1): parity y = +1 for odd digits, -1 for even (digit mod 2, with class 1 = odd as the
 * positive class of the single-output net), and the 10-class label (the digit).
 *
 * Stratification: within every digit, a seeded shuffle, then the first round(testFraction * n_d)
 * images go to the test set. With the package's 10,000 digits and testFraction 0.2 this gives
 * 8,000 / 2,000 exactly, with every digit's share equal to within one image.
 */
import type { Rng } from '../random/rng.ts';
import { shuffle } from '../random/sampling.ts';
import { ConfigError, requireReal } from '../validate.ts';
import type { MnistDigits } from './mnist.ts';

/** A set of images with both labellings. */
export interface DigitSet {
  n: number;
  D: number;
  /** n x D row-major, pixels in [0, 1]. */
  X: Float64Array;
  /** 0..9 */
  digit: Int32Array;
  /** Parity label +1 (odd) / -1 (even). */
  y: Float64Array;
}

export interface Split {
  train: DigitSet;
  test: DigitSet;
  /** Indices into the source of the train and test images (sorted by digit, shuffled within). */
  trainIndex: Int32Array;
  testIndex: Int32Array;
}

/** +1 for an odd digit, -1 for an even one. */
export function parityLabel(digit: number): number {
  return digit % 2 === 1 ? 1 : -1;
}

/** The images at `index` as a DigitSet (copies). */
export function subset(src: MnistDigits, index: Int32Array): DigitSet {
  const { D } = src;
  const n = index.length;
  const X = new Float64Array(n * D);
  const digit = new Int32Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = index[i];
    if (!(s >= 0 && s < src.n)) throw new ConfigError('index', s, `an image index in 0..${src.n - 1}`);
    X.set(src.X.subarray(s * D, (s + 1) * D), i * D);
    digit[i] = src.digit[s];
    y[i] = parityLabel(src.digit[s]);
  }
  return { n, D, X, digit, y };
}

/** Stratified seeded split (see the file comment). */
export function stratifiedSplit(src: MnistDigits, testFraction: number, rng: Rng): Split {
  requireReal('testFraction', testFraction, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const byDigit: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < src.n; i++) byDigit[src.digit[i]].push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (let d = 0; d < 10; d++) {
    const idx = shuffle(rng, Int32Array.from(byDigit[d]));
    const nTest = Math.round(testFraction * idx.length);
    for (let k = 0; k < idx.length; k++) (k < nTest ? test : train).push(idx[k]);
  }
  const trainIndex = Int32Array.from(train);
  const testIndex = Int32Array.from(test);
  return { train: subset(src, trainIndex), test: subset(src, testIndex), trainIndex, testIndex };
}

/** The mean image of a set (the centre of the authors' input centring). */
export function meanImage(set: DigitSet): Float64Array {
  const m = new Float64Array(set.D);
  for (let i = 0; i < set.n; i++) for (let k = 0; k < set.D; k++) m[k] += set.X[i * set.D + k];
  for (let k = 0; k < set.D; k++) m[k] /= set.n;
  return m;
}
