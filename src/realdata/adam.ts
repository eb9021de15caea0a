/**
 * Adam (Kingma & Ba 2015) as PyTorch's torch.optim.Adam computes it (no weight decay, no amsgrad),
 * the optimiser of the authors' MNIST run (PAPER.md s.8, Section 5.2.1: lr 1e-3, betas 0.9/0.999,
 * eps 1e-8). At step t (from 1), for every parameter:
 *   m = b1 m + (1 - b1) g,   s = b2 s + (1 - b2) g^2,
 *   theta -= lr * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps).
 * Parameters live in one packed Float64Array; `groups` give contiguous ranges their own learning
 * rate (PyTorch's parameter groups), which is how train.ts realises the authors' two-logit head
 * exactly with a single output (see there).
 */
import { ConfigError, requireInt, requireReal } from '../validate.ts';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** A contiguous range [start, end) of the packed parameters with its learning rate. */
export interface ParamGroup {
  start: number;
  end: number;
  lr: number;
}

export class Adam {
  readonly size: number;
  readonly options: AdamOptions;
  readonly groups: ParamGroup[];
  /** First and second moment estimates. */
  readonly m: Float64Array;
  readonly s: Float64Array;
  /** Steps taken. */
  t = 0;

  /** Without groups, every parameter uses options.lr. Groups must tile 0..size exactly, in order. */
  constructor(size: number, options: Partial<AdamOptions> = {}, groups?: ParamGroup[]) {
    this.size = requireInt('adam.size', size, 1);
    const o = { ...ADAM_DEFAULTS, ...options };
    requireReal('adam.lr', o.lr, { min: 0, minExclusive: true });
    requireReal('adam.beta1', o.beta1, { min: 0, max: 1, maxExclusive: true });
    requireReal('adam.beta2', o.beta2, { min: 0, max: 1, maxExclusive: true });
    requireReal('adam.eps', o.eps, { min: 0 });
    this.options = o;
    const gs = groups ?? [{ start: 0, end: size, lr: o.lr }];
    let at = 0;
    gs.forEach((g, i) => {
      if (g.start !== at || !(g.end > g.start) || g.end > size) {
        throw new ConfigError(`adam.groups[${i}]`, `[${g.start}, ${g.end})`, `a non-empty range starting at ${at} within 0..${size}`);
      }
      requireReal(`adam.groups[${i}].lr`, g.lr, { min: 0, minExclusive: true });
      at = g.end;
    });
    if (at !== size) throw new ConfigError('adam.groups', `ranges ending at ${at}`, `ranges covering 0..${size}`);
    this.groups = gs.map((g) => ({ ...g }));
    this.m = new Float64Array(size);
    this.s = new Float64Array(size);
  }

  /** One step: theta -= Adam update for gradient g (both length size). */
  step(theta: Float64Array, g: Float64Array): void {
    if (theta.length !== this.size || g.length !== this.size) {
      throw new ConfigError('adam.step', `lengths ${theta.length}, ${g.length}`, `Float64Arrays of length ${this.size}`);
    }
    const { beta1: b1, beta2: b2, eps } = this.options;
    this.t++;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = Math.sqrt(1 - Math.pow(b2, this.t));
    const { m, s } = this;
    for (const grp of this.groups) {
      const a = grp.lr / c1;
      for (let i = grp.start; i < grp.end; i++) {
        const gi = g[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const si = b2 * s[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        s[i] = si;
        theta[i] -= (a * mi) / (Math.sqrt(si) / c2 + eps);
      }
    }
  }
}
