/**
 * Construction and validation of pReLU nets (PAPER.md s.2, s.3 "Initialisations").
 *
 * Initialisations:
 * - 'balanced' (the theory's): w_j = scale * (uniform unit direction), v_j = +-||w_j|| = +-scale
 *   with a fair random sign, so v_j^2 - ||w_j||^2 = 0 exactly (the conserved quantity of s.3).
 *   Default scale 1e-7.
 * - 'gaussian' (the authors' synthetic recipe): every entry of W and v i.i.d. N(0, scale^2),
 *   default scale 1e-7, so ||w_j|| ~ scale sqrt(D). The output bias starts at 0.
 * - 'kaiming' (PyTorch nn.Linear's default, the authors' MNIST recipe): W entries
 *   U(-1/sqrt(D), 1/sqrt(D)) (kaiming_uniform with a = sqrt(5) gives exactly this bound); the
 *   output layer has fan-in h, so v_j ~ U(-1/sqrt(h), 1/sqrt(h)) and, with a bias,
 *   b ~ U(-1/sqrt(h), 1/sqrt(h)) as nn.Linear does for its bias. `scale` (default 1) multiplies
 *   every bound. The pReLU hidden layer has no bias (PAPER.md s.2), so none is drawn for it.
 *   The authors' MNIST head has two logits (h -> 2); our single output plays the role of their
 *   difference, but is drawn directly with nn.Linear's bound rather than as a difference of two
 *   draws (whose range would be twice as wide and triangular).
 */
import type { Rng } from '../random/rng.ts';
import { uniformSphere } from '../random/sampling.ts';
import { ConfigError, requireChoice, requireFiniteArray, requireInt, requireKnownKeys, requireReal } from '../validate.ts';
import type { NetGrad, PReluNet } from './types.ts';

export type InitKind = 'balanced' | 'gaussian' | 'kaiming';
const INITS = ['balanced', 'gaussian', 'kaiming'] as const;

export interface CreateNetOptions {
  D: number;
  h: number;
  p: number;
  init: InitKind;
  scale?: number;
  bias?: boolean;
  centre?: Float64Array | null;
  normalise?: boolean;
}

/** Options of a net whose weights live in a packed vector (see netView). */
export interface NetViewOptions {
  bias?: boolean;
  centre?: Float64Array | null;
  normalise?: boolean;
}

function requireBool(field: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, v, 'true or false');
  return v;
}

function requireCentre(centre: unknown, D: number): Float64Array | null {
  if (centre === undefined || centre === null) return null;
  if (!(centre instanceof Float64Array) || centre.length !== D) {
    const shown = centre instanceof Float64Array ? `Float64Array(${centre.length})` : centre;
    throw new ConfigError('centre', shown, `a Float64Array of length D = ${D}, or null`);
  }
  requireFiniteArray('centre', centre);
  return centre;
}

/** Number of entries of the packed parameter vector theta = [W (h*D), v (h), (b)]. */
export function paramCount(D: number, h: number, bias = false): number {
  return h * D + h + (bias ? 1 : 0);
}

/** Validate D, h, p (shared by every entry point). */
export function validateShape(D: unknown, h: unknown, p: unknown): { D: number; h: number; p: number } {
  return { D: requireInt('D', D, 1), h: requireInt('h', h, 1), p: requireReal('p', p, { min: 1 }) };
}

/** A freshly initialised net with its own storage (see the file comment for the recipes). */
export function createNet(opts: CreateNetOptions, rng: Rng): PReluNet {
  const o = requireKnownKeys('net', opts, ['D', 'h', 'p', 'init', 'scale', 'bias', 'centre', 'normalise']);
  const { D, h, p } = validateShape(o.D, o.h, o.p);
  const init = requireChoice('init', o.init, INITS);
  const scale = o.scale === undefined ? (init === 'kaiming' ? 1 : 1e-7) : requireReal('scale', o.scale, { min: 0, minExclusive: true });
  const hasBias = o.bias === undefined ? false : requireBool('bias', o.bias);
  const normalise = o.normalise === undefined ? false : requireBool('normalise', o.normalise);
  const centre = requireCentre(o.centre, D);
  const W = new Float64Array(h * D);
  const v = new Float64Array(h);
  let b = 0;
  if (init === 'balanced') {
    for (let j = 0; j < h; j++) {
      const row = W.subarray(j * D, (j + 1) * D);
      uniformSphere(rng, D, row);
      for (let k = 0; k < D; k++) row[k] *= scale;
      v[j] = rng.uniform() < 0.5 ? -scale : scale;
    }
  } else if (init === 'gaussian') {
    rng.fillNormal(W, 0, scale);
    rng.fillNormal(v, 0, scale);
  } else {
    const bw = scale / Math.sqrt(D);
    const bv = scale / Math.sqrt(h);
    for (let i = 0; i < W.length; i++) W[i] = bw * (2 * rng.uniform() - 1);
    for (let j = 0; j < h; j++) v[j] = bv * (2 * rng.uniform() - 1);
    if (hasBias) b = bv * (2 * rng.uniform() - 1);
  }
  return { D, h, p, W, v, b, hasBias, centre, normalise };
}

/**
 * A net whose W and v are views into theta = [W (h*D row-major), v (h), (b)], so an ODE solver
 * or optimiser can own one flat state vector. With a bias, `net.b` is an accessor reading and
 * writing theta[h*D + h], so it never goes stale. Entries must be finite.
 */
export function netView(D: number, h: number, p: number, theta: Float64Array, opts: NetViewOptions = {}): PReluNet {
  validateShape(D, h, p);
  const o = requireKnownKeys('netView options', opts, ['bias', 'centre', 'normalise']);
  const hasBias = o.bias === undefined ? false : requireBool('bias', o.bias);
  const normalise = o.normalise === undefined ? false : requireBool('normalise', o.normalise);
  const centre = requireCentre(o.centre, D);
  const need = paramCount(D, h, hasBias);
  if (!(theta instanceof Float64Array) || theta.length !== need) {
    throw new ConfigError('theta', theta instanceof Float64Array ? `Float64Array(${theta.length})` : theta, `a Float64Array of length h*D + h${hasBias ? ' + 1' : ''} = ${need}`);
  }
  requireFiniteArray('theta', theta);
  const W = theta.subarray(0, h * D);
  const v = theta.subarray(h * D, h * D + h);
  if (!hasBias) return { D, h, p, W, v, b: 0, hasBias, centre, normalise };
  const at = h * D + h;
  return {
    D, h, p, W, v, hasBias, centre, normalise,
    get b() { return theta[at]; },
    set b(x: number) { theta[at] = x; },
  };
}

/** A gradient with its own storage, shaped for `net`. */
export function createGrad(net: PReluNet): NetGrad {
  return { W: new Float64Array(net.h * net.D), v: new Float64Array(net.h), b: 0 };
}

/**
 * A gradient whose parts are views into a packed vector g laid out like theta (see netView); with
 * a bias, `grad.b` writes g[h*D + h].
 */
export function gradView(D: number, h: number, g: Float64Array, bias = false): NetGrad {
  requireInt('D', D, 1);
  requireInt('h', h, 1);
  const need = paramCount(D, h, bias);
  if (!(g instanceof Float64Array) || g.length !== need) {
    throw new ConfigError('grad', g instanceof Float64Array ? `Float64Array(${g.length})` : g, `a Float64Array of length ${need}`);
  }
  const W = g.subarray(0, h * D);
  const v = g.subarray(h * D, h * D + h);
  if (!bias) return { W, v, b: 0 };
  const at = h * D + h;
  return { W, v, get b() { return g[at]; }, set b(x: number) { g[at] = x; } };
}

/** Copy of a net with its own storage (centre shared: it is read-only). */
export function cloneNet(net: PReluNet): PReluNet {
  return { D: net.D, h: net.h, p: net.p, W: net.W.slice(), v: net.v.slice(), b: net.b, hasBias: net.hasBias, centre: net.centre, normalise: net.normalise };
}

/**
 * O(1) structural checks run on every call: sizes, array lengths, p. A net built by hand (not by
 * createNet/netView) is checked here too.
 */
export function checkNet(net: PReluNet): void {
  validateShape(net.D, net.h, net.p);
  if (!(net.W instanceof Float64Array) || net.W.length !== net.h * net.D) {
    throw new ConfigError('W', net.W instanceof Float64Array ? `Float64Array(${net.W.length})` : net.W, `a Float64Array of length h*D = ${net.h * net.D}`);
  }
  if (!(net.v instanceof Float64Array) || net.v.length !== net.h) {
    throw new ConfigError('v', net.v instanceof Float64Array ? `Float64Array(${net.v.length})` : net.v, `a Float64Array of length h = ${net.h}`);
  }
  if (net.centre !== null && (!(net.centre instanceof Float64Array) || net.centre.length !== net.D)) {
    throw new ConfigError('centre', net.centre instanceof Float64Array ? `Float64Array(${net.centre.length})` : net.centre, `a Float64Array of length D = ${net.D}, or null`);
  }
}

/** Full O(size) check: structure plus every weight and the bias finite. */
export function validateNet(net: PReluNet): void {
  checkNet(net);
  requireFiniteArray('W', net.W);
  requireFiniteArray('v', net.v);
  requireReal('b', net.b);
  if (net.centre !== null) requireFiniteArray('centre', net.centre);
}

/** Check a data matrix of n rows of length D (and optional labels) before a batch call. */
export function checkBatch(net: PReluNet, X: Float64Array, n: number, y?: Float64Array): void {
  requireInt('n', n, 1);
  if (!(X instanceof Float64Array) || X.length !== n * net.D) {
    throw new ConfigError('X', X instanceof Float64Array ? `Float64Array(${X.length})` : X, `a Float64Array of length n*D = ${n * net.D}`);
  }
  if (y !== undefined && (!(y instanceof Float64Array) || y.length !== n)) {
    throw new ConfigError('y', y instanceof Float64Array ? `Float64Array(${y.length})` : y, `a Float64Array of length n = ${n}`);
  }
}
