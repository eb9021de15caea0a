export { clopperPearson, sideOf } from './clopperPearson.ts';
export type { BinomialInterval, Side } from './clopperPearson.ts';
export { logNormalSf, normalSf, normalCdf, logGaussianTail, logChernoffTail, logPhiDensity, logAddExp } from './normalTail.ts';
export { integrate, argmaxConcave, logIntegrateLogConcave } from './quadrature.ts';
export type { QuadratureResult, QuadratureOptions } from './quadrature.ts';
export { logGaussTailIntegral } from './gaussianIntegrals.ts';
