/**
 * The pReLU network of PAPER.md s.2 with the losses and gradients of s.3.
 * f_p(x) = sum_j v_j relu(<x~, w_j>)^p / (||w_j||^(p-1) s(x)) + b, real p >= 1.
 */
export type { PReluNet, LossKind, LossOptions, NetGrad, Workspace } from './types.ts';
export type { InitKind, CreateNetOptions, NetViewOptions } from './create.ts';
export { createNet, netView, gradView, createGrad, cloneNet, paramCount, validateNet, checkNet, checkBatch } from './create.ts';
export { forward, margins, inputGrad, hiddenFeatures } from './forward.ts';
export { lossAndGrad, lossOnly } from './gradient.ts';
export { createWorkspace, type WorkspaceOptions } from './workspace.ts';
export { kernelBackend, setKernelBackend, wasmKernelsAvailable, wasmFusedMultiplyAdd, type KernelBackend } from './kernels.ts';
export { lossTerm, lossWeight, logLossTerm, lossValue, logLossValue, softplus, sigmoid, validateLossOptions } from './loss.ts';
export { neuronNorms, balanceGaps, contributions, neuronDirections, stableRank, weightStableRank } from './neurons.ts';
export { freezeNet, type FrozenNet } from './frozen.ts';
export { freezeNetBatch, type FrozenNetBatch } from './frozenBatch.ts';
