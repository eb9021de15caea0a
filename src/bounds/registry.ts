/** The four theorem objects of PAPER.md s.6 by id (T4 lives in t4.ts with its robustness event). */
import { T1 } from './t1.ts';
import { T2 } from './t2.ts';
import { T3 } from './t3.ts';
import { T4 } from './t4.ts';
import type { Theorem } from './theorem.ts';

export type TheoremId = 'T1' | 'T2' | 'T3' | 'T4';
export const THEOREMS: Record<TheoremId, Theorem> = { T1, T2, T3, T4 };
export const THEOREM_IDS: readonly TheoremId[] = ['T1', 'T2', 'T3', 'T4'];
