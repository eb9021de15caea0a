export * from './solver/index.ts';
export { GradientFlowTerm, FORMULATIONS } from './formulation.ts';
export type { Formulation } from './formulation.ts';
export { trainGradientFlow } from './gradientFlow.ts';
export type { GradientFlowOptions, GradientFlowRun, GradientFlowStop } from './gradientFlow.ts';
export { trainGradientDescent, trainSgd } from './descent.ts';
export type { DescentRun, DescentStop, GradientDescentOptions, SgdOptions } from './descent.ts';
export { geometricTimes, geometricSteps } from './schedule.ts';
export { GradientPool } from './gradientPool.ts';
