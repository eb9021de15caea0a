/**
 * Training data from files, so `prelu-verify train` can run on a user's data or another tool's:
 * - CSV: one sample per line, D feature columns then the label; an optional header line (any
 *   non-numeric first line) is skipped; labels +1/-1, or 1/0 (0 read as -1).
 * - NumPy .npy (format 1.0-3.0, C order, little-endian f8/f4/i8/i4/i1/u1/b1): X of shape (n, D)
 *   and y of shape (n,) in two files.
 * Every malformed input fails with a ConfigError naming the file and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../validate.ts';
import type { DataSet } from '../diagnostics/savepoint.ts';

export interface LoadedData extends DataSet {
  D: number;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('data.file', path, `a readable file (${(e as Error).message})`);
  }
}

function label(v: number, where: string): number {
  if (v === 1) return 1;
  if (v === -1 || v === 0) return -1;
  throw new ConfigError(where, v, 'a label in {+1, -1} or {1, 0}');
}

export function loadCsv(path: string): LoadedData {
  const lines = readText(path).split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > 0 && lines[0].split(',').some((c) => c.trim() === '' || !Number.isFinite(Number(c)))) lines.shift();
  if (lines.length === 0) throw new ConfigError('data.file', path, 'a CSV with at least one numeric row');
  const cols = lines[0].split(',').length;
  if (cols < 2) throw new ConfigError('data.file', path, 'rows of D >= 1 features followed by a label');
  const D = cols - 1, n = lines.length;
  const X = new Float64Array(n * D), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i].split(',');
    if (cells.length !== cols) throw new ConfigError(`${path}: line ${i + 1}`, `${cells.length} columns`, `${cols} columns like the first row`);
    for (let k = 0; k < D; k++) {
      const v = Number(cells[k]);
      if (cells[k].trim() === '' || !Number.isFinite(v)) throw new ConfigError(`${path}: line ${i + 1}, column ${k + 1}`, cells[k], 'a finite number');
      X[i * D + k] = v;
    }
    y[i] = label(Number(cells[D]), `${path}: line ${i + 1}, label`);
  }
  return { X, y, n, D };
}

/** Parse a .npy file into a Float64Array and its shape. */
export function readNpy(path: string): { data: Float64Array; shape: number[] } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ConfigError('data file', path, `a readable .npy file (${(e as Error).message})`);
  }
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new ConfigError('data file', path, 'a NumPy .npy file (magic \\x93NUMPY)');
  const major = buf[6];
  const hl = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hl);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new ConfigError('data file', path, 'a .npy header with descr, fortran_order and shape');
  if (fortran === 'True') throw new ConfigError(`${path}: fortran_order`, true, 'False (C order)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + hl;
  const kinds: Record<string, [number, (b: Buffer, o: number) => number]> = {
    '<f8': [8, (b, o) => b.readDoubleLE(o)],
    '<f4': [4, (b, o) => b.readFloatLE(o)],
    '<i8': [8, (b, o) => Number(b.readBigInt64LE(o))],
    '<i4': [4, (b, o) => b.readInt32LE(o)],
    '|i1': [1, (b, o) => b.readInt8(o)],
    '|u1': [1, (b, o) => b.readUInt8(o)],
    '|b1': [1, (b, o) => b.readUInt8(o)],
  };
  const kind = kinds[descr];
  if (!kind) throw new ConfigError(`${path}: dtype`, descr, `one of ${Object.keys(kinds).join(', ')}`);
  const [size, read] = kind;
  if (buf.length < off + count * size) throw new ConfigError(`${path}: data`, `${buf.length - off} bytes`, `${count * size} bytes for shape (${shape.join(', ')})`);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = read(buf, off + i * size);
  return { data, shape };
}

export function loadNpy(xPath: string, yPath: string): LoadedData {
  const X = readNpy(xPath), Y = readNpy(yPath);
  if (X.shape.length !== 2) throw new ConfigError(`${xPath}: shape`, X.shape, '(n, D)');
  const [n, D] = X.shape;
  if (Y.data.length !== n || Y.shape.length > 2) throw new ConfigError(`${yPath}: shape`, Y.shape, `(${n},) to match X`);
  for (let i = 0; i < X.data.length; i++) if (!Number.isFinite(X.data[i])) throw new ConfigError(`${xPath}[${Math.floor(i / D)}, ${i % D}]`, X.data[i], 'a finite number');
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = label(Y.data[i], `${yPath}[${i}]`);
  return { X: X.data, y, n, D };
}
