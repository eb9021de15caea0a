/**
 * mathjs evaluation of a theorem's bound: parsed and compiled ONCE per theorem, evaluated per
 * parameter point, and solved for C (the bound is monotone in C, so C is a 1-D root), plus the
 * hand-written symbolic solution, which `symbolicCheck` confirms with mathjs' simplifier.
 */
import { create, all, type EvalFunction, type MathNode } from 'mathjs';
import type { BoundParams, Theorem } from './theorem.ts';
import { requireReal } from '../validate.ts';

export const math = create(all);

export interface CompiledBound {
  theorem: Theorem;
  /** The paper's bound on P(event) at constant C. */
  bound(C: number, p: BoundParams): number;
  /** The upper bound on q (failure or event probability) at constant C; decreasing in C. */
  tail(C: number, p: BoundParams): number;
  /** Largest C with q <= tail(C), by bisection on the compiled tail (Infinity for q = 0). */
  solveC(q: number, p: BoundParams): number;
  /** The same from the hand-written closed form `cSolutionExpr`. */
  solveCSymbolic(q: number, p: BoundParams): number;
}

function scope(p: BoundParams, extra: Record<string, number>): Record<string, number> {
  const s: Record<string, number> = { ...extra };
  for (const [k, v] of Object.entries(p)) if (typeof v === 'number') s[k] = v;
  return s;
}

const cache = new Map<string, CompiledBound>();

export function compileBound(thm: Theorem): CompiledBound {
  const hit = cache.get(thm.id);
  if (hit) return hit;
  const boundF: EvalFunction = math.compile(thm.boundExpr);
  const tailF: EvalFunction = math.compile(thm.tailExpr);
  const solF: EvalFunction = math.compile(thm.cSolutionExpr);
  const tail = (C: number, p: BoundParams): number => tailF.evaluate(scope(p, { C })) as number;
  const out: CompiledBound = {
    theorem: thm,
    bound: (C, p) => boundF.evaluate(scope(p, { C })) as number,
    tail,
    solveC(q, p) {
      requireReal('q', q, { min: 0, max: 1 });
      if (q === 0) return Infinity;
      // tail(C) is decreasing from tail(0) to 0: bracket in log C, then bisect.
      if (tail(0, p) <= q) return 0;
      let lo = -60, hi = 60;
      for (let i = 0; i < 200; i++) {
        const m = 0.5 * (lo + hi);
        if (tail(Math.exp(m), p) >= q) lo = m; else hi = m;
      }
      return Math.exp(0.5 * (lo + hi));
    },
    solveCSymbolic(q, p) {
      requireReal('q', q, { min: 0, max: 1 });
      if (q === 0) return Infinity;
      return Math.max(0, solF.evaluate(scope(p, { q })) as number);
    },
  };
  cache.set(thm.id, out);
  return out;
}

/** Rules that let mathjs finish the cancellation exp(-log(u)) = 1/u that its default set lacks. */
const EXTRA_RULES = ['exp(log(n)) -> n', 'exp(-log(n)) -> 1/n', 'exp(-(n1 * log(n2))) -> n2^(-n1)'];

/**
 * Substitute the hand-written C(q) into the tail expression and simplify: the result must be the
 * symbol q. Returns the simplified expression so a report can show it.
 */
export function symbolicCheck(thm: Theorem): { simplified: string; confirmed: boolean } {
  const sol = math.parse(thm.cSolutionExpr);
  const substituted = math.parse(thm.tailExpr).transform((node: MathNode) =>
    (node as MathNode & { isSymbolNode?: boolean; name?: string }).isSymbolNode && (node as { name?: string }).name === 'C' ? sol : node,
  );
  const rules = [...(math.simplify as unknown as { rules: unknown[] }).rules, ...EXTRA_RULES];
  const s = math.simplify(substituted, rules as never);
  const simplified = s.toString();
  return { simplified, confirmed: simplified === 'q' };
}
