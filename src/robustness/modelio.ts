/**
 * On-disk format of a trained net and its test data, read by `prelu-verify attack --model DIR`.
 *
 * DIR/weights.json — the net f(x) = sum_j v_j relu(<x~, w_j>)^p / (||w_j||^(p-1) s(x)) + b
 * (PAPER.md s.2; x~ = x - centre, s(x) = ||x~||^(p-1) when normalise, else 1):
 *   { "D": int >= 1, "h": int >= 1, "p": number >= 1,
 *     "W": number[h*D]   (row-major: row j is w_j),
 *     "v": number[h],
 *     "b"?: number        (output bias; absent = no bias),
 *     "centre"?: number[D] | null  (input centring xbar; absent/null = none),
 *     "normalise"?: boolean        (the authors' MNIST input normalisation; default false) }
 * DIR/data.json — labelled test points:
 *   { "n": int >= 1, "D": int (= the net's D), "X": number[n*D] (row-major), "y": number[n] (+1 or -1) }
 * Every field is validated; errors name the field, the value and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PReluNet } from '../network/types.ts';
import type { TestSet } from './evaluate.ts';
import { ConfigError, requireFiniteArray, requireInt, requireKnownKeys, requireReal } from '../validate.ts';

function numberArray(field: string, v: unknown, length: number): Float64Array {
  if (!Array.isArray(v) || v.length !== length) {
    throw new ConfigError(field, Array.isArray(v) ? `an array of length ${v.length}` : v, `an array of ${length} finite numbers`);
  }
  const a = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    if (typeof v[i] !== 'number') throw new ConfigError(`${field}[${i}]`, v[i], 'a finite number');
    a[i] = v[i];
  }
  requireFiniteArray(field, a);
  return a;
}

/** Validate a parsed weights.json object and build the net. */
export function parseWeights(obj: unknown): PReluNet {
  const o = requireKnownKeys('weights', obj, ['D', 'h', 'p', 'W', 'v', 'b', 'centre', 'normalise']);
  const D = requireInt('D', o.D, 1);
  const h = requireInt('h', o.h, 1);
  const p = requireReal('p', o.p, { min: 1 });
  const W = numberArray('W', o.W, h * D);
  const v = numberArray('v', o.v, h);
  const hasBias = o.b !== undefined;
  const b = hasBias ? requireReal('b', o.b) : 0;
  const centre = o.centre === undefined || o.centre === null ? null : numberArray('centre', o.centre, D);
  if (o.normalise !== undefined && typeof o.normalise !== 'boolean') throw new ConfigError('normalise', o.normalise, 'true or false');
  const normalise = o.normalise === true;
  return { D, h, p, W, v, b, hasBias, centre, normalise };
}

/** The JSON object for a net (inverse of parseWeights). */
export function weightsToJson(net: PReluNet): Record<string, unknown> {
  const out: Record<string, unknown> = { D: net.D, h: net.h, p: net.p, W: Array.from(net.W), v: Array.from(net.v) };
  if (net.hasBias) out.b = net.b;
  if (net.centre) out.centre = Array.from(net.centre);
  if (net.normalise) out.normalise = true;
  return out;
}

/** Validate a parsed data.json object (labels +-1). */
export function parseTestSet(obj: unknown, D?: number): TestSet {
  const o = requireKnownKeys('data', obj, ['n', 'D', 'X', 'y']);
  const n = requireInt('n', o.n, 1);
  const d = requireInt('D', o.D, 1);
  if (D !== undefined && d !== D) throw new ConfigError('D', d, `the net's input dimension ${D}`);
  const X = numberArray('X', o.X, n * d);
  const y = numberArray('y', o.y, n);
  for (let i = 0; i < n; i++) if (y[i] !== 1 && y[i] !== -1) throw new ConfigError(`y[${i}]`, y[i], '+1 or -1');
  return { n, D: d, X, y };
}

/** The JSON object for a test set (inverse of parseTestSet). */
export function testSetToJson(t: TestSet): Record<string, unknown> {
  return { n: t.n, D: t.D, X: Array.from(t.X), y: Array.from(t.y) };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('model', path, `a readable file (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('model', path, `valid JSON (${(e as Error).message})`);
  }
}

/** Load DIR/weights.json and DIR/data.json. */
export function loadModelDir(dir: string): { net: PReluNet; data: TestSet } {
  const net = parseWeights(readJson(join(dir, 'weights.json')));
  const data = parseTestSet(readJson(join(dir, 'data.json')), net.D);
  return { net, data };
}
