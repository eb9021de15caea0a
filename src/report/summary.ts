/**
 * summary.json: everything a report says, in one JSON document. All timing and date fields live
 * under the single key `timing`, so two runs with the same seed and config can be compared with
 * that key removed and must then be byte-identical.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { CheckRecord } from '../checks/runner.ts';
import { kernelBackend, wasmFusedMultiplyAdd } from '../network/kernels.ts';

export interface ReportMeta {
  seed: number;
  quick: boolean;
  config: Record<string, unknown>;
}

export interface Summary {
  toolkit: { name: string; version: string; gitCommit: string | null };
  node: string;
  dependencies: Record<string, string>;
  /**
   * The dense-product kernels the run used (src/network/kernels.ts): results differ between
   * backends, and between CPUs with and without fused multiply-add, in the last digits.
   */
  numerics: { kernels: string; fusedMultiplyAdd: boolean };
  seed: number;
  quick: boolean;
  config: Record<string, unknown>;
  shard: { index: number; count: number } | null;
  verdicts: Record<string, number>;
  checks: CheckRecord[];
  timing: {
    started: string;
    finished: string;
    durationMs: number;
    checksMs: Record<string, number>;
    /** Per check: wall times, cache hits and other facts that vary between equal runs. */
    checkDetails: Record<string, Record<string, unknown>>;
  };
}

const PKG_URL = new URL('../../package.json', import.meta.url);

export function toolkitInfo(): { name: string; version: string; dependencies: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(PKG_URL, 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
  return { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies };
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

export function countVerdicts(records: readonly CheckRecord[]): Record<string, number> {
  const out: Record<string, number> = { holds: 0, violated: 0, inconclusive: 0, error: 0 };
  for (const r of records) out[r.verdict] = (out[r.verdict] ?? 0) + 1;
  return out;
}

export function buildSummary(
  records: CheckRecord[],
  meta: ReportMeta,
  shard: Summary['shard'],
  timing: Summary['timing'],
): Summary {
  const info = toolkitInfo();
  return {
    toolkit: { name: info.name, version: info.version, gitCommit: gitCommit() },
    node: process.version,
    dependencies: info.dependencies,
    numerics: { kernels: kernelBackend(), fusedMultiplyAdd: kernelBackend() === 'wasm-simd' && wasmFusedMultiplyAdd() },
    seed: meta.seed,
    quick: meta.quick,
    config: meta.config,
    shard,
    verdicts: countVerdicts(records),
    checks: records,
    timing,
  };
}

/** The summary without its timing key: what must be identical between equal runs. */
export function withoutTiming(s: Summary): Omit<Summary, 'timing'> {
  const { timing: _t, ...rest } = s;
  return rest;
}

export function serialiseSummary(s: Summary): string {
  return JSON.stringify(s, null, 2) + '\n';
}
