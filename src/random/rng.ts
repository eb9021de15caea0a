/**
 * The toolkit's one random generator: xoshiro128** (Blackman & Vigna), seeded through splitmix32.
 *
 * Why our own: every figure in a report must be reproducible from one integer seed, the state
 * must be explicit (no Math.random, no hidden globals), and independent streams for worker
 * threads must be cheap (`jump()` advances 2^64 draws). 32-bit arithmetic keeps it fast in JS.
 */
import { requireInt } from '../validate.ts';

const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  private readonly s = new Uint32Array(4);
  /** Spare normal from the polar method; part of the state, so copies stay deterministic. */
  private spare = 0;
  private hasSpare = false;

  /** Seed: any non-negative integer below 2^53. */
  constructor(seed: number) {
    requireInt('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    const st = { s: (seed >>> 0) ^ Math.floor(seed / 4294967296) ^ 0x5bd1e995 };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(st);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in 0..n-1 without modulo bias (n <= 2^32). */
  int(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal by Marsaglia's polar method. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, q: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const m = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }

  /** Fill `out` with i.i.d. N(mean, sd^2). */
  fillNormal(out: Float64Array, mean = 0, sd = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + sd * this.normal();
    return out;
  }

  /** An independent copy of the current state. */
  clone(): Rng {
    const r = Object.create(Rng.prototype) as Rng;
    (r as unknown as { s: Uint32Array }).s = new Uint32Array(this.s);
    r.spare = this.spare;
    r.hasSpare = this.hasSpare;
    return r;
  }

  /**
   * Return a generator for an independent stream and move this one 2^64 draws ahead, so that
   * successive calls give non-overlapping streams (one per worker, one per grid point).
   */
  jump(): Rng {
    const child = this.clone();
    child.hasSpare = false;
    const s = this.s;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (const j of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((j >>> b) & 1) {
          s0 ^= s[0]; s1 ^= s[1]; s2 ^= s[2]; s3 ^= s[3];
        }
        this.nextUint32();
      }
    }
    s[0] = s0 >>> 0; s[1] = s1 >>> 0; s[2] = s2 >>> 0; s[3] = s3 >>> 0;
    this.hasSpare = false;
    return child;
  }

  /** Serialisable state (for reports and for handing a stream to a worker thread). */
  state(): number[] {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  static fromState(state: readonly number[]): Rng {
    const r = new Rng(0);
    for (let i = 0; i < 4; i++) r.s[i] = state[i] >>> 0;
    return r;
  }
}
