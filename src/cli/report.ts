/** `prelu-verify report`, `check` and `merge`: run proofs-checks and write the report. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { listCheckIds, loadCheck, selectIds, shardIds } from '../checks/registry.ts';
import { runChecks, type CheckRecord } from '../checks/runner.ts';
import { buildSummary, type Summary } from '../report/summary.ts';
import { buildReportFiles } from '../report/build.ts';
import { writeDirAtomically } from '../report/atomic.ts';
import { readConfigFile, validateCheckSections, validateRunConfig, type RunConfig } from './config.ts';
import { ConfigError, requireInt } from '../validate.ts';

export const DEFAULT_SEED = 20240524;

export interface CommandState {
  exitCode: number;
}

function parseShard(s: string | undefined): { index: number; count: number } | null {
  if (s === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new ConfigError('shard', s, 'I/N with integers 1 <= I <= N');
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new ConfigError('shard', s, 'I/N with integers 1 <= I <= N');
  return { index, count };
}

function parseIntOption(field: string, v: string | undefined, min: number, max?: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new ConfigError(field, v, max === undefined ? `an integer >= ${min}` : `an integer in ${min}..${max}`);
  return requireInt(field, Number(v), min, max);
}

/** Exit code of a run: 1 if any check is violated or errored, else 0. */
export function exitCodeFor(records: readonly CheckRecord[]): number {
  return records.some((r) => r.verdict === 'violated' || r.verdict === 'error') ? 1 : 0;
}

export function verdictTable(records: readonly CheckRecord[]): string {
  const w = Math.max(2, ...records.map((r) => r.id.length));
  const lines = [`${'check'.padEnd(w)}  ${'verdict'.padEnd(12)}  key figure`, `${'-'.repeat(w)}  ${'-'.repeat(12)}  ${'-'.repeat(40)}`];
  for (const r of records) lines.push(`${r.id.padEnd(w)}  ${r.verdict.padEnd(12)}  ${r.keyFigure}`);
  return lines.join('\n');
}

interface RunFlags {
  quick?: boolean;
  only?: string;
  seed?: string;
  config?: string;
  shard?: string;
  parallel?: string;
  timeout?: string;
  progress?: boolean;
}

/** Merge command-line flags over the config file; flags win. Everything is validated here. */
function resolveRun(flags: RunFlags, positionalIds: string[] = []) {
  const known = listCheckIds();
  const cfg: RunConfig = flags.config ? validateRunConfig(readConfigFile(flags.config), known) : { checks: {} };
  const onlyFlag = flags.only ? flags.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const ids = selectIds(positionalIds.length ? positionalIds : onlyFlag ?? cfg.only);
  const seed = parseIntOption('seed', flags.seed, 0, Number.MAX_SAFE_INTEGER) ?? cfg.seed ?? DEFAULT_SEED;
  const quick = flags.quick ?? cfg.quick ?? false;
  const parallel = parseIntOption('parallel', flags.parallel, 1, 64) ?? cfg.parallel;
  const timeoutSeconds = parseIntOption('timeout', flags.timeout, 1, 7 * 24 * 3600) ?? cfg.timeoutSeconds;
  const shard = parseShard(flags.shard);
  return { cfg, ids, seed, quick, parallel, timeoutSeconds, shard };
}

async function runSelected(flags: RunFlags, positionalIds: string[] = []) {
  const r = resolveRun(flags, positionalIds);
  const ids = shardIds(r.ids, r.shard);
  // Every config section is validated, selected or not (a typo must not pass silently). Checks
  // that fail to load are reported by the runner as errors.
  const named = Object.keys(r.cfg.checks);
  const checks = (await Promise.all(named.map((id) => loadCheck(id).catch(() => null)))).filter((c) => c !== null);
  validateCheckSections(r.cfg, checks);
  const started = new Date();
  const out = await runChecks(ids, {
    seed: r.seed,
    quick: r.quick,
    configs: r.cfg.checks,
    parallel: r.parallel,
    timeoutSeconds: r.timeoutSeconds,
    log: flags.progress === false ? null : undefined,
  });
  const finished = new Date();
  // The recorded config is what determines the results (not the shard or the parallelism).
  const config = { only: r.ids, checks: r.cfg.checks, timeoutSeconds: r.timeoutSeconds ?? null };
  const summary = buildSummary(out.records, { seed: r.seed, quick: r.quick, config }, r.shard, {
    started: started.toISOString(),
    finished: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    checksMs: out.timing,
    checkDetails: out.details,
  });
  return summary;
}

export function registerReport(program: Command, state: CommandState): void {
  const common = (c: Command) =>
    c
      .option('--quick', 'reduced sizes (the default report of `npm start`, under 10 minutes on 2 cores)')
      .option('--seed <n>', `master seed; each check's seed is derived from it and the check id (default ${DEFAULT_SEED})`)
      .option('--config <file>', 'JSON or YAML config file setting sizes and budgets (see README)')
      .option('--parallel <n>', 'checks run at the same time, one worker thread each (default: min(2, cores))')
      .option('--timeout <seconds>', 'wall-time limit per check (default 3600)')
      .option('--no-progress', 'no progress lines on stderr');

  common(
    program
      .command('report')
      .description('run the proofs-checks and write the bound-vs-empirical report (summary.json, index.md, figures)')
      .option('--only <ids>', 'comma-separated check ids (default: all)')
      .option('--out <dir>', 'output directory, replaced atomically at the end', 'reports')
      .option('--shard <I/N>', 'run every N-th check starting at the I-th (1-based), for job arrays; combine with `merge`')
      .option('--allow-violations', 'exit 0 when the report was written even if a check is violated (crashed checks still exit 1); used by `npm start`'),
  ).action(async (flags: RunFlags & { out: string; allowViolations?: boolean }) => {
    const summary = await runSelected(flags);
    const files = await buildReportFiles(summary);
    writeDirAtomically(flags.out, files);
    process.stdout.write(verdictTable(summary.checks) + '\n');
    process.stdout.write(`\nreport written to ${join(flags.out, 'index.md')} (${summary.checks.length} checks, ${(summary.timing.durationMs / 1000).toFixed(1)} s)\n`);
    state.exitCode = flags.allowViolations ? (summary.checks.some((r) => r.verdict === 'error') ? 1 : 0) : exitCodeFor(summary.checks);
  });

  common(
    program
      .command('check')
      .argument('[ids...]', 'check ids to run (default: all)')
      .description('run proofs-checks and print their verdicts (writes no files)')
      .option('--json', 'print the full results as JSON on stdout'),
  ).action(async (ids: string[], flags: RunFlags & { json?: boolean }) => {
    const summary = await runSelected(flags, ids);
    process.stdout.write((flags.json ? JSON.stringify(summary.checks, null, 2) : verdictTable(summary.checks)) + '\n');
    state.exitCode = exitCodeFor(summary.checks);
  });

  program
    .command('merge')
    .argument('<dirs...>', 'report directories written by `report --shard I/N`')
    .option('--out <dir>', 'output directory', 'reports')
    .description('combine sharded report directories into one report, identical to the unsharded run')
    .action(async (dirs: string[], flags: { out: string }) => {
      const merged = mergeSummaries(dirs.map(readSummary));
      writeDirAtomically(flags.out, await buildReportFiles(merged));
      process.stdout.write(verdictTable(merged.checks) + '\n');
      state.exitCode = exitCodeFor(merged.checks);
    });
}

function readSummary(dir: string): Summary {
  const p = join(dir, 'summary.json');
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Summary;
  } catch (e) {
    throw new ConfigError('dirs', dir, `a report directory with a readable summary.json (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Shards must come from the same run settings and together cover each shard index exactly once. */
export function mergeSummaries(parts: Summary[]): Summary {
  if (parts.length === 0) throw new ConfigError('dirs', [], 'at least one report directory');
  const first = parts[0];
  const key = (s: Summary) => JSON.stringify([s.toolkit, s.numerics, s.seed, s.quick, s.config]);
  for (const s of parts) {
    if (key(s) !== key(first)) throw new ConfigError('dirs', s.shard, 'shards of one run (same toolkit, kernels, seed, mode and config)');
  }
  const count = first.shard?.count ?? 1;
  const seen = new Set<number>();
  for (const s of parts) {
    const idx = s.shard?.index ?? 1;
    if ((s.shard?.count ?? 1) !== count || seen.has(idx)) throw new ConfigError('dirs', s.shard, `each shard 1..${count} exactly once`);
    seen.add(idx);
  }
  if (seen.size !== count) throw new ConfigError('dirs', [...seen], `all shards 1..${count}`);
  const checks = parts.flatMap((s) => s.checks).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const checksMs: Record<string, number> = {};
  const checkDetails: Record<string, Record<string, unknown>> = {};
  for (const s of parts) {
    Object.assign(checksMs, s.timing.checksMs);
    Object.assign(checkDetails, s.timing.checkDetails ?? {});
  }
  const started = parts.map((s) => s.timing.started).sort()[0];
  const finished = parts.map((s) => s.timing.finished).sort().at(-1)!;
  const merged: Summary = {
    ...first,
    shard: null,
    checks,
    verdicts: { holds: 0, violated: 0, inconclusive: 0, error: 0 },
    timing: { started, finished, durationMs: Math.max(...parts.map((s) => s.timing.durationMs)), checksMs, checkDetails },
  };
  for (const r of checks) merged.verdicts[r.verdict] = (merged.verdicts[r.verdict] ?? 0) + 1;
  return merged;
}
