/**
 * Issue 2: every bad input to the network module gets a ConfigError naming the field, the value and
 * the allowed range.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../src/random/index.ts';
import { ConfigError } from '../src/validate.ts';
import {
  createGrad, createNet, createWorkspace, forward, gradView, inputGrad, lossAndGrad, netView, validateNet,
  type PReluNet,
} from '../src/network/index.ts';

function expectConfigError(fn: () => unknown, field: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const ce = err as ConfigError;
  expect(ce.field).toBe(field);
  expect(ce.message).toContain(field);
  expect(ce.allowed.length).toBeGreaterThan(0);
}

const rng = () => new Rng(1);
const ok = { D: 3, h: 2, p: 2, init: 'gaussian' as const };
const good = (): PReluNet => createNet({ ...ok, init: 'kaiming', bias: true }, rng());

describe('createNet', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['p < 1', { p: 0.5 }, 'p'],
    ['p NaN', { p: NaN }, 'p'],
    ['p Infinity', { p: Infinity }, 'p'],
    ['p not a number', { p: '3' }, 'p'],
    ['D = 0', { D: 0 }, 'D'],
    ['D non-integer', { D: 2.5 }, 'D'],
    ['D NaN', { D: NaN }, 'D'],
    ['h = 0', { h: 0 }, 'h'],
    ['h non-integer', { h: 1.5 }, 'h'],
    ['unknown init', { init: 'xavier' }, 'init'],
    ['scale = 0', { scale: 0 }, 'scale'],
    ['scale NaN', { scale: NaN }, 'scale'],
    ['scale negative', { scale: -1 }, 'scale'],
    ['bias not boolean', { bias: 1 }, 'bias'],
    ['normalise not boolean', { normalise: 'yes' }, 'normalise'],
    ['centre of wrong length', { centre: new Float64Array(2) }, 'centre'],
    ['centre not a Float64Array', { centre: [0, 0, 0] }, 'centre'],
    ['centre with NaN', { centre: Float64Array.from([0, NaN, 0]) }, 'centre[1]'],
    ['unknown option', { hidden: 5 }, 'net.hidden'],
  ];
  for (const [what, patch, field] of cases) {
    test(`${what} -> ConfigError(${field})`, () => {
      expectConfigError(() => createNet({ ...ok, ...patch } as never, rng()), field);
    });
  }
});

describe('netView and gradView', () => {
  test('theta of the wrong length -> theta', () => {
    expectConfigError(() => netView(3, 2, 2, new Float64Array(7)), 'theta');
    expectConfigError(() => netView(3, 2, 2, new Float64Array(8), { bias: true }), 'theta');
  });
  test('theta with a non-finite entry -> theta[k]', () => {
    const t = new Float64Array(8);
    t[3] = Infinity;
    expectConfigError(() => netView(3, 2, 2, t), 'theta[3]');
  });
  test('bad sizes and p -> their names', () => {
    expectConfigError(() => netView(0, 2, 2, new Float64Array(2)), 'D');
    expectConfigError(() => netView(3, 2.5, 2, new Float64Array(8)), 'h');
    expectConfigError(() => netView(3, 2, 0.99, new Float64Array(8)), 'p');
    expectConfigError(() => netView(3, 2, 2, new Float64Array(8), { bogus: 1 } as never), 'netView options.bogus');
  });
  test('gradient vector of the wrong length -> grad', () => {
    expectConfigError(() => gradView(3, 2, new Float64Array(9)), 'grad');
  });
});

describe('batch calls', () => {
  const X = new Float64Array(6);
  const y = Float64Array.from([1, -1]);
  const opts = { loss: 'exp', reduction: 'sum' } as const;
  test('X of the wrong length -> X', () => expectConfigError(() => forward(good(), new Float64Array(5), 2), 'X'));
  test('n < 1 or non-integer -> n', () => {
    expectConfigError(() => forward(good(), new Float64Array(0), 0), 'n');
    expectConfigError(() => forward(good(), X, 1.5), 'n');
  });
  test('out too short -> out', () => expectConfigError(() => forward(good(), X, 2, new Float64Array(1)), 'out'));
  test('y of the wrong length -> y', () => expectConfigError(() => lossAndGrad(good(), X, Float64Array.from([1]), 2, opts, null), 'y'));
  test('unknown loss or reduction -> loss / reduction', () => {
    expectConfigError(() => lossAndGrad(good(), X, y, 2, { loss: 'hinge', reduction: 'sum' } as never, null), 'loss');
    expectConfigError(() => lossAndGrad(good(), X, y, 2, { loss: 'exp', reduction: 'max' } as never, null), 'reduction');
  });
  test('gradient buffers of the wrong shape -> grad.W / grad.v', () => {
    const net = good();
    expectConfigError(() => lossAndGrad(net, X, y, 2, opts, { W: new Float64Array(5), v: new Float64Array(2), b: 0 }), 'grad.W');
    expectConfigError(() => lossAndGrad(net, X, y, 2, opts, { W: new Float64Array(6), v: new Float64Array(3), b: 0 }), 'grad.v');
  });
  test('workspace too small or for another h -> workspace', () => {
    const net = good();
    expectConfigError(() => lossAndGrad(net, X, y, 2, opts, createGrad(net), createWorkspace(net, 1)), 'workspace');
    const other = createNet({ ...ok, h: 3 }, rng());
    expectConfigError(() => lossAndGrad(net, X, y, 2, opts, null, createWorkspace(other, 2)), 'workspace');
  });
  test('hand-built nets with inconsistent arrays -> W / v / centre', () => {
    const net = good();
    expectConfigError(() => forward({ ...net, W: new Float64Array(5) }, X, 2), 'W');
    expectConfigError(() => forward({ ...net, v: new Float64Array(3) }, X, 2), 'v');
    expectConfigError(() => forward({ ...net, centre: new Float64Array(2) }, X, 2), 'centre');
    expectConfigError(() => forward({ ...net, p: 0 }, X, 2), 'p');
  });
  test('validateNet finds non-finite weights and bias', () => {
    const net = good();
    net.v[1] = NaN;
    expectConfigError(() => validateNet(net), 'v[1]');
    const net2 = good();
    net2.b = Infinity;
    expectConfigError(() => validateNet(net2), 'b');
  });
  test('inputGrad: x too short, out too short, bad offset -> x / out / xOffset', () => {
    const net = good();
    expectConfigError(() => inputGrad(net, new Float64Array(2), new Float64Array(3)), 'x');
    expectConfigError(() => inputGrad(net, new Float64Array(4), new Float64Array(3), 2), 'x');
    expectConfigError(() => inputGrad(net, new Float64Array(3), new Float64Array(2)), 'out');
    expectConfigError(() => inputGrad(net, new Float64Array(3), new Float64Array(3), -1), 'xOffset');
  });
});
