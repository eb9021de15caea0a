/**
 * Input validation shared by every constructor, config loader and CLI command.
 *
 * A bad value must fail loudly with the field's name, the value received and the allowed range,
 * so a user running a sweep from a config file knows exactly what to fix (Developers' guide:
 * "a clear error that names the field and the allowed range").
 */

/** Thrown for any invalid user-facing input. The CLI maps it to exit code 2. */
export class ConfigError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
  constructor(field: string, value: unknown, allowed: string) {
    super(`invalid ${field}: got ${show(value)}, allowed: ${allowed}`);
    this.name = 'ConfigError';
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export interface RealRange {
  min?: number;
  max?: number;
  /** When true the lower end is excluded (x > min instead of x >= min). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function describeRange(r: RealRange, kind: string): string {
  const lo = r.min === undefined ? '' : `${r.minExclusive ? '>' : '>='} ${r.min}`;
  const hi = r.max === undefined ? '' : `${r.maxExclusive ? '<' : '<='} ${r.max}`;
  const both = [lo, hi].filter((s) => s !== '').join(' and ');
  return both === '' ? `a finite ${kind}` : `a finite ${kind} ${both}`;
}

/** A finite real number within the range; returns it so calls can be inlined. */
export function requireReal(field: string, v: unknown, r: RealRange = {}): number {
  const allowed = describeRange(r, 'number');
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(field, v, allowed);
  if (r.min !== undefined && (r.minExclusive ? !(v > r.min) : !(v >= r.min))) throw new ConfigError(field, v, allowed);
  if (r.max !== undefined && (r.maxExclusive ? !(v < r.max) : !(v <= r.max))) throw new ConfigError(field, v, allowed);
  return v;
}

/** An integer within [min, max] (inclusive). */
export function requireInt(field: string, v: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(field, v, allowed);
  return v;
}

/** One of a fixed set of string choices. */
export function requireChoice<T extends string>(field: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new ConfigError(field, v, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  return v as T;
}

/** Every entry of an array finite (for weights and data handed in by users). */
export function requireFiniteArray(field: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new ConfigError(`${field}[${i}]`, a[i], 'a finite number');
  }
}

/** A plain object with no keys outside `known` (catches typos in config files). */
export function requireKnownKeys(field: string, obj: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ConfigError(field, obj, 'an object');
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) {
      throw new ConfigError(field === '' ? k : `${field}.${k}`, (obj as Record<string, unknown>)[k], `no such field; known fields: ${known.join(', ')}`);
    }
  }
  return obj as Record<string, unknown>;
}
