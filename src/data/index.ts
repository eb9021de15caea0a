export { OrthonormalMixture, validateMixtureParams } from './mixture.ts';
export type { MixtureParams, Sample, ProjectedSample, FrameKind, ClusterAssignment } from './mixture.ts';
