/**
 * Vardi, Yehudai & Shamir 2022 and Frei et al. 2023 (PAPER.md s.6, last two bullets; issue 9):
 * nearly orthogonal data, GF-trained two-layer ReLU nets, KKT closeness of the max-margin problem,
 * flip radii along the universal direction, and the robust constructions with certified radii.
 */
export { vardiData, freiModel, sampleFrei, appendConstant, universalDirection, scaleData } from './data.ts';
export type { LabelledData, VardiDistribution, FreiModel } from './data.ts';
export { nnlsGram } from './nnls.ts';
export type { NnlsResult } from './nnls.ts';
export { kktReport, DEFAULT_KINK_TOL } from './kkt.ts';
export type { KktReport, KktOptions } from './kkt.ts';
export { coneLsq, projectCone, projectionScratch } from './clarkeFit.ts';
export type { ConeLsqProblem, ConeLsqOptions, ConeLsqResult } from './clarkeFit.ts';
export { restrictedModel, flipRadiusAlong, universalFlipRadii, radiusBracket } from './flipRadius.ts';
export type { RadiusBracket } from './flipRadius.ts';
export { templateNet, vardiRobustNet, freiRobustNet, templateCertifiedRadius, ownTemplateDirection } from './robustConstruction.ts';
export type { TemplateNet } from './robustConstruction.ts';
export { trainRelu, angleSine } from './training.ts';
export type { ReluTrainOptions, ReluTrainResult, KktTracePoint } from './training.ts';
export { logLogSlope, median } from './slopeFit.ts';
export type { SlopeFit } from './slopeFit.ts';
