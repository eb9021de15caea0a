/**
 * Save times. Alignment happens early (t ~ log(1/init), PAPER.md section 4) and fitting late, so
 * save points are geometric: 0, t1, t1 r, t1 r^2, ..., tEnd.
 */
import { requireInt, requireReal } from '../validate.ts';

/** [0, tFirst, ..., tEnd]: `count` geometric points from tFirst to tEnd, preceded by 0. */
export function geometricTimes(tFirst: number, tEnd: number, count: number): number[] {
  requireReal('tFirst', tFirst, { min: 0, minExclusive: true });
  requireReal('tEnd', tEnd, { min: tFirst });
  requireInt('count', count, 1, 100000);
  if (count === 1) return [0, tEnd];
  const r = Math.pow(tEnd / tFirst, 1 / (count - 1));
  const out = [0];
  for (let i = 0; i < count; i++) out.push(i === count - 1 ? tEnd : tFirst * Math.pow(r, i));
  return out.filter((t, i, a) => i === 0 || t > a[i - 1]);
}

/** Geometric step indices 0, ..., last (deduplicated integers) for discrete methods. */
export function geometricSteps(first: number, last: number, count: number): number[] {
  requireInt('first', first, 1);
  requireInt('last', last, first);
  const times = geometricTimes(first, last, count);
  const out: number[] = [];
  for (const t of times) {
    const s = Math.round(t);
    if (out.length === 0 || s > out[out.length - 1]) out.push(s);
  }
  return out;
}
