/**
 * Interrupt safety of the MNIST experiment (src/realdata/cache.ts, experiment.ts): a rerun on the
 * same cache loads every (p, seed) unit and gives identical results; a unit lost after its net was
 * cached is recomputed from that net to the same numbers; a run split across two worker threads
 * computes every unit once and equals the single-thread run; locks are exclusive and a dead holder's lock is taken over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, resolveSettings, type ParityExperiment } from '../src/realdata/experiment.ts';
import { RealdataCache, cacheKey, f64FromBase64, f64ToBase64 } from '../src/realdata/cache.ts';
import { ConfigError } from '../src/validate.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'realdata-cache-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tiny = { h: 4, epochs: 1, seeds: 2, ps: [1, 3], batch: 1000, attackPoints: 6, curvePoints: 4, probePoints: 20, apgdSteps: 5 };

/** What must not change between a fresh and a cached run (wall times excluded). */
function results(e: ParityExperiment): unknown {
  return e.runs.map(({ trainSeconds: _t, attackSeconds: _a, history, ...rest }) => ({ ...rest, history: history.map(({ seconds: _s, ...h }) => h) }));
}

describe('realdata cache', () => {
  it('a rerun loads every unit and gives identical results; a lost unit is recomputed from its cached net', async () => {
    const dir = tempDir();
    const { config, run } = resolveSettings('parity', '', true, { ...tiny, cache: dir, chunk: 4 });
    const first = await runExperiment('parity', config, run, 77);
    expect(first.cachedUnits).toBe(0);
    const files = readdirSync(dir);
    // 4 units + 4 nets; attack chunks are removed once their unit is written; no locks or temp files left.
    expect(files.filter((f) => f.endsWith('.json')).length).toBe(8);
    expect(files.some((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toBe(false);
    const second = await runExperiment('parity', config, run, 77);
    expect(second.cachedUnits).toBe(4);
    expect(JSON.stringify(results(second))).toBe(JSON.stringify(results(first)));
    // Delete one unit (keep its net): recomputed, same numbers.
    const unitFiles = files.filter((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')).value.table !== undefined);
    expect(unitFiles.length).toBe(4);
    rmSync(join(dir, unitFiles[0]));
    const third = await runExperiment('parity', config, run, 77);
    expect(third.cachedUnits).toBe(3);
    expect(JSON.stringify(results(third))).toBe(JSON.stringify(results(first)));
    // A different seed gives different numbers (the comparisons above can fail).
    const other = await runExperiment('parity', config, { ...run, cacheDir: null }, 78);
    expect(JSON.stringify(results(other))).not.toBe(JSON.stringify(results(first)));
  }, 120_000);

  it('two worker threads split the units through the locks and give the single-thread results', async () => {
    const dir = tempDir();
    const { config, run } = resolveSettings('digits', '', true, { ...tiny, cache: dir });
    const single = await runExperiment('digits', config, { ...run, cacheDir: null }, 5);
    const lines: string[] = [];
    const parallel = await runExperiment('digits', config, { ...run, workers: 2, log: true }, 5, { log: (l) => lines.push(l) });
    expect(JSON.stringify(results(parallel))).toBe(JSON.stringify(results(single)));
    // The estimate comes first; every unit was computed exactly once, by one of the workers.
    expect(lines[0]).toMatch(/estimate \(every attack running all its steps/);
    const done = lines.filter((l) => /^\[worker [01]\] p=\d seed \d: done in /.test(l)).map((l) => l.replace(/^\[worker \d\] /, '').split(':')[0]);
    expect(done.sort()).toEqual(['p=1 seed 0', 'p=1 seed 1', 'p=3 seed 0', 'p=3 seed 1']);
    expect(readdirSync(dir).some((f) => f.endsWith('.lock'))).toBe(false);
  }, 120_000);

  it('locks are exclusive; a dead holder\'s lock is taken over; entries round-trip exactly', () => {
    const dir = tempDir();
    const c = new RealdataCache(dir);
    const key = cacheKey('test', { a: 1 });
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(cacheKey('test', { a: 2 })).not.toBe(key);
    expect(c.claim(key)).toBe(true);
    expect(c.claim(key)).toBe(false);
    expect(c.lockedByThisProcess(key)).toBe(true);
    c.release(key);
    // A lock left by a process that no longer exists (pid 2^22 + 12345 is beyond Linux's pid range).
    writeFileSync(join(dir, `${key}.lock`), `${2 ** 22 + 12345} 0`);
    expect(c.lockAlive(key)).toBe(false);
    expect(c.claim(key)).toBe(true);
    c.release(key);
    const a = Float64Array.from([Math.PI, -0, 5e-324, 1.7976931348623157e308, NaN]);
    c.write(key, { x: f64ToBase64(a), y: [0.1 + 0.2] });
    const back = c.read<{ x: string; y: number[] }>(key)!;
    expect(Array.from(f64FromBase64(back.x))).toEqual(Array.from(a));
    expect(Object.is(f64FromBase64(back.x)[1], -0)).toBe(true);
    expect(back.y[0]).toBe(0.1 + 0.2);
    expect(new RealdataCache(null).read(key)).toBe(null);
  });

  it('run settings are validated', () => {
    expect(resolveSettings('parity', '', true, {}).run.cacheDir).toBe(null);
    expect(resolveSettings('parity', '', true, { full: true }).run.cacheDir).not.toBe(null);
    expect(resolveSettings('parity', '', false, {}).run.log).toBe(true);
    expect(() => resolveSettings('parity', '', true, { workers: 2 })).toThrow(/workers/);
    expect(() => resolveSettings('parity', '', true, { cache: 3 })).toThrow(ConfigError);
    expect(() => resolveSettings('parity', '', true, { chunk: 0 })).toThrow(/chunk/);
    expect(() => resolveSettings('parity', '', true, { log: 'yes' })).toThrow(/log/);
  });
});
