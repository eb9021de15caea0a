/**
 * On-disk cache of the MNIST experiment's pieces (trained nets, attack chunks, finished (p, seed)
 * units), so that a long run (the authors' h = 500 setting takes hours) survives interruption and a
 * restart skips what is done. As src/experiments/trained.ts does for its nets:
 * - an entry is a JSON file `<key>.json`, written to a temporary file and renamed, so a reader
 *   never sees a partial entry; JSON stores float64 numbers exactly (shortest round trip), and
 *   Float64Arrays are stored as base64 of their bytes, so cached and fresh runs give identical
 *   results;
 * - the key is a hash of everything the entry depends on, including the code: here the contents
 *   of the source files that compute it (src/realdata, src/network, src/robustness, src/random,
 *   src/validate.ts), so an edited kernel or attack never reuses stale results, while commits that
 *   do not touch these files keep the cache valid;
 * - `<key>.lock` (created exclusively, holding the pid) claims an entry being computed, so several
 *   workers or processes sharing a cache directory split the work instead of repeating it. A lock
 *   whose process is dead is stale and taken over.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';

/** Bump when the layout or meaning of an entry changes without a source change. */
const CACHE_VERSION = 1;

/** `.cache/realdata/` at the package root (git-ignored). */
export const DEFAULT_REALDATA_CACHE = fileURLToPath(new URL('../../.cache/realdata/', import.meta.url));

const SRC = new URL('../', import.meta.url);
const CODE_DIRS = ['realdata', 'network', 'robustness', 'random'];

let codeHash: string | null = null;

/** sha256 over the source files the experiment's numbers depend on (see the file comment). */
export function codeIdentity(): string {
  if (codeHash !== null) return codeHash;
  const h = createHash('sha256');
  h.update(`v${CACHE_VERSION}`);
  const files: string[] = [];
  for (const d of CODE_DIRS) {
    const dir = fileURLToPath(new URL(`${d}/`, SRC));
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.ts')) files.push(join(dir, f));
  }
  files.push(fileURLToPath(new URL('validate.ts', SRC)));
  for (const f of files) {
    h.update(f.slice(f.lastIndexOf('src')));
    h.update(readFileSync(f));
  }
  codeHash = h.digest('hex').slice(0, 16);
  return codeHash;
}

/** A 32-hex-digit key for a JSON-serialisable description (the code identity included). */
export function cacheKey(kind: string, description: unknown): string {
  return createHash('sha256').update(JSON.stringify({ kind, code: codeIdentity(), description })).digest('hex').slice(0, 32);
}

export function f64ToBase64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function f64FromBase64(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float64Array(b.length / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** A cache directory; `null` dir means no caching (every read misses, writes are dropped). */
export class RealdataCache {
  readonly dir: string | null;
  constructor(dir: string | null) {
    this.dir = dir;
    if (dir !== null) mkdirSync(dir, { recursive: true });
  }

  private file(key: string): string {
    return join(this.dir!, `${key}.json`);
  }

  has(key: string): boolean {
    return this.dir !== null && existsSync(this.file(key));
  }

  read<T>(key: string): T | null {
    if (this.dir === null) return null;
    const f = this.file(key);
    if (!existsSync(f)) return null;
    const o = JSON.parse(readFileSync(f, 'utf8')) as { key: string; value: T };
    return o.key === key ? o.value : null;
  }

  /** Atomic write: temporary file in the same directory, then rename. */
  write(key: string, value: unknown): void {
    if (this.dir === null) return;
    const tmp = join(this.dir, `${key}.${process.pid}.${threadId}.${Date.now()}.tmp`);
    writeFileSync(tmp, JSON.stringify({ key, value }));
    renameSync(tmp, this.file(key));
  }

  remove(key: string): void {
    if (this.dir === null) return;
    try {
      unlinkSync(this.file(key));
    } catch {
      /* already gone */
    }
  }

  private lockFile(key: string): string {
    return join(this.dir!, `${key}.lock`);
  }

  /**
   * Claim `key` for computing: true when this caller now holds the lock (always true without a
   * directory). A lock held by a live process (this one included: its other worker threads) is
   * respected; a dead holder's lock is taken over.
   */
  claim(key: string): boolean {
    if (this.dir === null) return true;
    const lock = this.lockFile(key);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeFileSync(fd, `${process.pid} ${threadId}`);
        closeSync(fd);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (this.lockAlive(key)) return false;
        try {
          unlinkSync(lock);
        } catch {
          /* someone else took it over first */
        }
      }
    }
    return false;
  }

  release(key: string): void {
    if (this.dir === null) return;
    try {
      unlinkSync(this.lockFile(key));
    } catch {
      /* already released */
    }
  }

  /** Whether `key`'s lock exists and its process is alive. */
  lockAlive(key: string): boolean {
    if (this.dir === null) return false;
    let text: string;
    try {
      text = readFileSync(this.lockFile(key), 'utf8');
    } catch {
      return false;
    }
    const pid = Number(text.split(' ')[0]);
    // Being written (empty) counts as alive.
    if (!Number.isInteger(pid) || pid <= 0) return true;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** Whether the lock is held by this process (any of its threads). */
  lockedByThisProcess(key: string): boolean {
    if (this.dir === null) return false;
    try {
      return Number(readFileSync(this.lockFile(key), 'utf8').split(' ')[0]) === process.pid;
    } catch {
      return false;
    }
  }
}
