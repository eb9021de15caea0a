/**
 * Exact arithmetic in Q(sqrt 2) = {a + b sqrt2 : a, b rational} with mathjs Fractions, so the
 * identities of T4's proof skeleton that involve sqrt2 (PAPER.md s.6: the inner maximum sqrt2 and
 * M*(delta) = delta/sqrt2) are confirmed exactly, not in floating point.
 */
import { math } from './compile.ts';
import type { Fraction } from 'mathjs';

export interface QS2 { a: Fraction; b: Fraction }

const F = (x: number | string): Fraction => math.fraction(x as never) as Fraction;
export const qs2 = (a: number | string | Fraction, b: number | string | Fraction = 0): QS2 => ({
  a: typeof a === 'object' ? a : F(a),
  b: typeof b === 'object' ? b : F(b),
});
export const SQRT2: QS2 = qs2(0, 1);
export const add = (x: QS2, y: QS2): QS2 => ({ a: math.add(x.a, y.a) as Fraction, b: math.add(x.b, y.b) as Fraction });
export const sub = (x: QS2, y: QS2): QS2 => ({ a: math.subtract(x.a, y.a) as Fraction, b: math.subtract(x.b, y.b) as Fraction });
export const mul = (x: QS2, y: QS2): QS2 => ({
  a: math.add(math.multiply(x.a, y.a), math.multiply(2, math.multiply(x.b, y.b))) as Fraction,
  b: math.add(math.multiply(x.a, y.b), math.multiply(x.b, y.a)) as Fraction,
});
/** x / y via the conjugate: (a + b s)/(c + d s) = (a + b s)(c - d s)/(c^2 - 2 d^2). */
export const div = (x: QS2, y: QS2): QS2 => {
  const den = math.subtract(math.multiply(y.a, y.a), math.multiply(2, math.multiply(y.b, y.b))) as Fraction;
  const num = mul(x, { a: y.a, b: math.unaryMinus(y.b) as Fraction });
  return { a: math.divide(num.a, den) as Fraction, b: math.divide(num.b, den) as Fraction };
};
export const isZero = (x: QS2): boolean => math.equal(x.a, 0) === true && math.equal(x.b, 0) === true;
export const equal = (x: QS2, y: QS2): boolean => isZero(sub(x, y));
export const show = (x: QS2): string => `${x.a.toFraction()} + ${x.b.toFraction()} sqrt2`;
