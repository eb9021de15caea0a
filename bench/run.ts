/**
 * Benchmark harness: `npm run bench` (= `node --import tsx bench/run.ts`).
 *
 * Usage:
 *   npm run bench                      readable table of every benchmark
 *   npm run bench -- --json            one JSON object per line (one per BenchResult)
 *   npm run bench -- --only network    only benchmarks whose name contains "network" (a name
 *                                      matching exactly selects just that one)
 *   npm run bench -- --list            names and descriptions, nothing run
 *
 * Adding a benchmark: create `bench/<area>.bench.ts` exporting
 *   export const benchmarks: Benchmark[] = [{ name, description, run() { return [BenchResult, ...] } }];
 * (types in bench/types.ts, warm-up + median timing in bench/timing.ts). Every module matching
 * `*.bench.ts` in this directory is picked up, in file-name order; nothing here needs editing.
 * Each BenchResult carries its own reference timed in the same run (a naive implementation, a
 * library, ...) and the ratio, because absolute times on a shared machine mean little.
 * Benchmarks run one after the other in this process; keep each under a minute or so.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import type { Benchmark, BenchResult } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Every benchmark exported by bench/*.bench.ts, in file-name order. */
export async function loadBenchmarks(dir: string = here): Promise<Benchmark[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
  const all: Benchmark[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { benchmarks?: Benchmark[] };
    if (!Array.isArray(mod.benchmarks)) throw new Error(`${f} does not export "benchmarks: Benchmark[]"`);
    all.push(...mod.benchmarks);
  }
  return all;
}

function fmt(x: number): string {
  if (!Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) < 1e6)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return x.toPrecision(4);
}

function table(results: BenchResult[]): string {
  const head = ['name', 'value', 'unit', 'reference', 'ref. value', 'ratio'];
  const rows = results.map((r) => (r.skipped !== undefined
    ? [r.name, '-', r.unit, `skipped: ${r.skipped}`, '-', '-']
    : [r.name, fmt(r.value), r.unit, r.reference, fmt(r.referenceValue), `${fmt(r.ratio)}x`]));
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c === 1 || c === 4 || c === 5 ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('bench')
    .description('Run the benchmarks in bench/*.bench.ts; each figure is reported next to a reference timed in the same run.')
    .option('--json', 'print one JSON object per result line')
    .option('--only <name>', 'run only the benchmark named <name>, else those whose name contains it')
    .option('--list', 'list the benchmarks and exit')
    .exitOverride();
  try {
    program.parse(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === undefined ? 2 : code;
  }
  const opts = program.opts<{ json?: boolean; only?: string; list?: boolean }>();
  let benches = await loadBenchmarks();
  if (opts.only !== undefined) {
    const only = opts.only;
    const exact = benches.filter((b) => b.name === only);
    benches = exact.length > 0 ? exact : benches.filter((b) => b.name.includes(only));
    if (benches.length === 0) {
      const names = (await loadBenchmarks()).map((b) => b.name).join(', ');
      process.stderr.write(`no benchmark name contains "${only}"; available: ${names}\n`);
      return 2;
    }
  }
  if (opts.list) {
    for (const b of benches) process.stdout.write(`${b.name}\t${b.description}\n`);
    return 0;
  }
  const all: BenchResult[] = [];
  for (const b of benches) {
    if (!opts.json) process.stderr.write(`running ${b.name} ...\n`);
    const results = await b.run();
    for (const r of results) {
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      all.push(r);
    }
  }
  if (!opts.json) {
    process.stdout.write(`${table(all)}\n`);
    for (const r of all) {
      if (r.details) process.stdout.write(`  ${r.name}: ${Object.entries(r.details).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(', ')}\n`);
    }
  }
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
