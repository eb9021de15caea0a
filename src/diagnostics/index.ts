export {
  neuronNorms,
  balances,
  conservationResidual,
  contributions,
  mixtureReferences,
  cosineMatrix,
  stableRank,
  accuracyFromMargins,
} from './neurons.ts';
export type { References } from './neurons.ts';
export { topByContribution, reluAlignment, preluAlignment } from './alignment.ts';
export type { ReluAlignment, PreluAlignment } from './alignment.ts';
export { recordSavePoint, createRecorderContext } from './savepoint.ts';
export type { SavePoint, RecorderContext } from './savepoint.ts';
