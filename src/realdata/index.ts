/**
 * Real data: MNIST parity with pReLU nets, the authors' Section 5.2.1 / Table 1 (PAPER.md s.8).
 */
export { loadMnist, MNIST_D, type MnistDigits } from './mnist.ts';
export { stratifiedSplit, subset, parityLabel, meanImage, type DigitSet, type Split } from './split.ts';
export { Adam, ADAM_DEFAULTS, type AdamOptions, type ParamGroup } from './adam.ts';
export { trainParity, initParityNet, accuracy, featureStableRank, TRAIN_DEFAULTS, type TrainOptions, type Trained, type EpochRecord } from './train.ts';
export { robustAccuracy, attackModel, type ThreatGrid, type RobustRow, type RobustOptions } from './robust.ts';
export {
  runParityExperiment, resolveConfig, QUICK_CONFIG, STANDARD_CONFIG, FULL_CONFIG, TABLE_GRIDS, CURVE_RADII, PAPER_TABLE1,
  type ParityConfig, type ParityExperiment, type RunResult,
} from './experiment.ts';
export { summarise, verdictOf, stat, type ParitySummary, type Criterion, type Stat, type Status } from './verdict.ts';
