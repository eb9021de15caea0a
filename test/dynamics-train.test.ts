import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadCsv, loadNpy, readNpy } from '../src/dynamics/trainingData.ts';
import { validateTrainConfig } from '../src/dynamics/trainConfig.ts';
import { trainCommand } from '../src/cli/train.ts';
import { ConfigError } from '../src/validate.ts';

/** A minimal .npy (format 1.0) writer for the tests. */
function npy(descr: string, shape: number[], bytes: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre[0] = 0x93;
  pre.write('NUMPY', 1, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]);
}

describe('training data files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prelu-train-'));
  it('CSV with a header, labels 1/0 mapped to +1/-1; malformed cells named', () => {
    writeFileSync(join(dir, 'a.csv'), 'x1,x2,label\n1,2,1\n3,4,0\n-1,0.5,-1\n');
    const d = loadCsv(join(dir, 'a.csv'));
    expect(d.n).toBe(3);
    expect(d.D).toBe(2);
    expect(Array.from(d.X)).toEqual([1, 2, 3, 4, -1, 0.5]);
    expect(Array.from(d.y)).toEqual([1, -1, -1]);
    writeFileSync(join(dir, 'b.csv'), '1,2,1\n3,x,1\n');
    expect(() => loadCsv(join(dir, 'b.csv'))).toThrow(/line 2, column 2/);
    writeFileSync(join(dir, 'c.csv'), '1,2,1\n3,4,2\n');
    expect(() => loadCsv(join(dir, 'c.csv'))).toThrow(/label/);
  });
  it('.npy f8 X and i8 y round-trip; wrong shapes and dtypes are named', () => {
    const X = Buffer.alloc(6 * 8);
    [1, 2, 3, 4, 5, 6].forEach((v, i) => X.writeDoubleLE(v, i * 8));
    const y = Buffer.alloc(3 * 8);
    [1, -1, 1].forEach((v, i) => y.writeBigInt64LE(BigInt(v), i * 8));
    writeFileSync(join(dir, 'X.npy'), npy('<f8', [3, 2], X));
    writeFileSync(join(dir, 'y.npy'), npy('<i8', [3], y));
    expect(readNpy(join(dir, 'X.npy')).shape).toEqual([3, 2]);
    const d = loadNpy(join(dir, 'X.npy'), join(dir, 'y.npy'));
    expect(Array.from(d.X)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(d.y)).toEqual([1, -1, 1]);
    writeFileSync(join(dir, 'bad.npy'), npy('<c16', [3], Buffer.alloc(48)));
    expect(() => readNpy(join(dir, 'bad.npy'))).toThrow(/dtype/);
    expect(() => loadNpy(join(dir, 'X.npy'), join(dir, 'X.npy'))).toThrow(/shape/);
  });
});

describe('train config and command', () => {
  it('names the offending field', () => {
    const ok = { data: { model: 'mixture', D: 12, K: 4, K1: 2, alpha: 0.1, n: 40 } };
    expect(validateTrainConfig(ok, '.').method).toBe('gf');
    const bad = (o: unknown, re: RegExp) => {
      expect(() => validateTrainConfig(o, '.')).toThrow(ConfigError);
      expect(() => validateTrainConfig(o, '.')).toThrow(re);
    };
    bad({ ...ok, method: 'adam' }, /method/);
    bad({ ...ok, gf: { rtol: 2 } }, /gf\.rtol/);
    bad({ ...ok, network: { h: 0 } }, /network\.h/);
    bad({ ...ok, sgd: { epochs: 1.5 } }, /sgd\.epochs/);
    bad({ data: { ...ok.data, alpha: -1 } }, /data\.alpha/);
    bad({ ...ok, stop: { wallTime: 3 } }, /stop\.wallTime/);
    bad({}, /data/);
  });

  for (const method of ['gf', 'sgd', 'gd'] as const) {
    it(`${method}: writes trajectory.json and weights.json (no temp files left), stops at the threshold`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'prelu-train-'));
      const cfg = {
        seed: 4,
        data: { model: 'mixture', D: 12, K: 4, K1: 2, alpha: 0.1, n: 80 },
        network: { p: 3, h: 8, init: 'gaussian', scale: 0.01 },
        method,
        sgd: { batch: 20, epochs: 400 },
        gd: { lr: 0.5, steps: 4000 },
        stop: { lossThreshold: 0.3 },
      };
      writeFileSync(join(dir, 'cfg.json'), JSON.stringify(cfg));
      const lines: string[] = [];
      expect(trainCommand(join(dir, 'cfg.json'), join(dir, 'out'), (l) => lines.push(l))).toBe(0);
      expect(readdirSync(join(dir, 'out')).sort()).toEqual(['trajectory.json', 'weights.json']);
      const tr = JSON.parse(readFileSync(join(dir, 'out', 'trajectory.json'), 'utf8'));
      expect(tr.summary.reason).toBe('loss-threshold');
      expect(tr.trajectory.at(-1).loss).toBeLessThan(0.3);
      expect(tr.trajectory[0].cosineNames).toEqual(['mubar+', 'mubar-', 'mu1', 'mu2', 'mu3', 'mu4']);
      const w = JSON.parse(readFileSync(join(dir, 'out', 'weights.json'), 'utf8'));
      expect([w.D, w.h, w.p, w.W.length, w.v.length]).toEqual([12, 8, 3, 96, 8]);
      expect(lines.at(-1)).toMatch(/stopped \(loss-threshold\)/);
    });
  }
});
