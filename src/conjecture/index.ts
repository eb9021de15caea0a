export type { ScalarFn, SubspaceSpec } from './scalarFn.ts';
export { restrictToSubspace, homogeneityError } from './scalarFn.ts';
export { GapObjective, supOnSphere, randomStarts } from './sphereSup.ts';
export type { SupOptions, SupResult, SupEndpoint } from './sphereSup.ts';
export { dist, authorsDist, minimiseMaxAbs } from './distance.ts';
export type { DistOptions, DistResult, DistRound, AuthorsDistOptions, AuthorsDistResult } from './distance.ts';
