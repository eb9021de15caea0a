/**
 * Helpers shared by proofs-checks whose config is parsed by a function of (config, quick): the
 * same parser validates a config file's section before anything runs (ProofCheck.validateConfig)
 * and supplies the settings inside run(), so the two can never disagree.
 */
import type { CheckContext, CheckResult, ProofCheck } from './types.ts';
import { requireInt, requireKnownKeys } from '../validate.ts';

/** A check whose settings come from `parse(config, quick)`. */
export function parsedCheck<S>(
  meta: Omit<ProofCheck, 'run' | 'validateConfig'>,
  parse: (config: Record<string, unknown>, quick: boolean) => S,
  run: (ctx: CheckContext, settings: S) => Promise<CheckResult> | CheckResult,
): ProofCheck {
  return {
    ...meta,
    validateConfig: (config) => void parse(config, false),
    run: async (ctx) => run(ctx, parse(ctx.config, ctx.quick)),
  };
}

/**
 * A proof-step check of PAPER.md s.6: `step(seed, cases)` tests one inequality on random inputs;
 * the only setting is the number of cases (`cases`), with separate quick and full defaults.
 */
export function proofStepCheck(o: {
  id: string;
  title: string;
  claim: string;
  quickCases: number;
  fullCases: number;
  step: (seed: number, cases: number) => Omit<CheckResult, 'seed' | 'config'>;
}): ProofCheck {
  return parsedCheck(
    {
      id: o.id,
      title: o.title,
      statement:
        `${o.claim} Tested on random inputs with the slack reported (tight vs loose); equalities confirmed exactly ` +
        '(mathjs simplify, Fractions or Q(sqrt2) arithmetic) where the step has one.',
      source: '[derived] PAPER.md s.6, proof skeletons',
      quickCostSeconds: 2,
    },
    (config, quick) => {
      const cfg = requireKnownKeys('', config, ['cases']);
      return { cases: cfg.cases === undefined ? (quick ? o.quickCases : o.fullCases) : requireInt('cases', cfg.cases, 1, 10_000_000) };
    },
    (ctx, { cases }) => {
      ctx.progress(0, 'running');
      const r = o.step(ctx.seed, cases);
      ctx.progress(1, 'done');
      return { ...r, seed: ctx.seed, config: { cases } };
    },
  );
}
