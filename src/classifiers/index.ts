/** The limiting classifiers of PAPER.md s.5 (F, F^(p), Bayes), on projections and full inputs. */
export type { DifferentiableClassifier, ProjectedClassifier } from './types.ts';
export { limitF, evalF, validateSplit } from './limitF.ts';
export type { LimitParams } from './limitF.ts';
export { limitFp, evalFp, reluPow, validateP } from './limitFp.ts';
export type { LimitFpParams } from './limitFp.ts';
export { bayesClassifier, bayesLogAbs, evalBayesLogRatio, bayesBeta } from './bayes.ts';
export type { BayesParams } from './bayes.ts';
export { liftToInput } from './lift.ts';
export type { LiftedClassifier } from './lift.ts';
