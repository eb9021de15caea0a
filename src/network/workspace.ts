/**
 * Preallocated buffers for batch calls (types.ts: Workspace). One workspace serves every call with
 * the same h and at most `capacity` samples, so a training or gradient-flow loop allocates nothing.
 */
import { ConfigError, requireInt, requireKnownKeys } from '../validate.ts';
import { requireKernelBackend, ROW_BLOCK, type KernelBackend } from './kernels.ts';
import type { PReluNet, Workspace } from './types.ts';

export interface WorkspaceOptions {
  /** Kernels for calls with this workspace; default: the process default at each call (kernelBackend()). */
  kernels?: KernelBackend;
}

export function createWorkspace(net: PReluNet, n: number, opts: WorkspaceOptions = {}): Workspace {
  const h = requireInt('h', net.h, 1);
  const capacity = requireInt('n', n, 1);
  const o = requireKnownKeys('workspace options', opts, ['kernels']);
  const kernels = o.kernels === undefined ? null : requireKernelBackend('kernels', o.kernels);
  return {
    h,
    capacity,
    C: new Float64Array(Math.min(capacity, ROW_BLOCK) * h),
    u: new Float64Array(2 * h),
    pw: new Float64Array(h),
    invNorm: new Float64Array(h),
    radial: new Float64Array(h),
    colSum: new Float64Array(h),
    margins: new Float64Array(capacity),
    f: new Float64Array(capacity),
    gatherIdx: new Int32Array(ROW_BLOCK),
    gatherCoef: new Float64Array(ROW_BLOCK),
    kernels,
    mask: null,
  };
}

/** The workspace to use for a call on n samples: the given one (checked) or a fresh one. */
export function workspaceFor(net: PReluNet, n: number, ws: Workspace | undefined): Workspace {
  if (ws === undefined) return createWorkspace(net, n);
  if (ws.h !== net.h || ws.capacity < n) {
    throw new ConfigError('workspace', `{h: ${ws.h}, capacity: ${ws.capacity}}`, `a workspace with h = ${net.h} and capacity >= n = ${n} (createWorkspace(net, n))`);
  }
  return ws;
}
