/**
 * Real data: MNIST parity and 10-class pReLU nets, the authors' Section 5.2.1 / Table 1 (PAPER.md s.8).
 */
export { loadMnist, MNIST_D, type MnistDigits } from './mnist.ts';
export { stratifiedSplit, subset, parityLabel, meanImage, type DigitSet, type Split } from './split.ts';
export { Adam, ADAM_DEFAULTS, type AdamOptions, type ParamGroup } from './adam.ts';
export { trainParity, initParityNet, accuracy, featureStableRank, TRAIN_DEFAULTS, type TrainOptions, type Trained, type EpochRecord } from './train.ts';
export {
  trainMulticlass, initMulticlassNet, multiclassView, lossAndGradMulticlass, createMulticlassWorkspace, multiclassLogits,
  multiclassAccuracy, multiclassFeatureStableRank, freezeMulticlass, multiclassVectorModel, multiclassCeObjective, DIGIT_CLASSES,
  type MulticlassNet, type MulticlassTrained, type FrozenMulticlass,
} from './multiclass.ts';
export {
  robustAccuracy, robustAccuracyDigits, robustAccuracyWith, robustCounts, attackModel, parityObjectives, digitObjectives,
  type ThreatGrid, type RobustRow, type RobustOptions, type ObjectiveFactory,
} from './robust.ts';
export {
  runExperiment, resolveSettings, resolveConfig, estimate, defaultsFor, formatDuration, QUICK_CONFIG, STANDARD_CONFIG, FULL_CONFIG,
  DIGITS_QUICK_CONFIG, DIGITS_STANDARD_CONFIG, DIGITS_FULL_CONFIG, TABLE_GRIDS, CURVE_RADII, PAPER_TABLE1, AUTHORS_STEPS,
  type ParityConfig, type ParityExperiment, type RunResult, type RunSettings, type Estimate, type Task,
} from './experiment.ts';
export { freezeDigitsBatch, type DigitsBatchModel } from './digitBatch.ts';
export { RealdataCache, DEFAULT_REALDATA_CACHE, codeIdentity } from './cache.ts';
export { summarise, verdictOf, stat, type ParitySummary, type Criterion, type Stat, type Status } from './verdict.ts';
