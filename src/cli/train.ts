/**
 * `prelu-verify train --config FILE --out DIR`: train a pReLU net by gradient flow, gradient descent
 * or the authors' SGD recipe (config format in src/dynamics/trainConfig.ts) and write
 * DIR/trajectory.json (summary + save points) and DIR/weights.json ({D, h, p, W, v, b?, centre?,
 * normalise?}). Progress lines with an ETA go to stderr. Each file is written to a temporary name
 * and renamed, so an interrupted run leaves no partial file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../validate.ts';
import { runTraining, validateTrainConfig, weightsJson } from '../dynamics/trainConfig.ts';

export interface TrainCommandState {
  exitCode: number;
}

function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

function fmt(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${seconds.toFixed(0)}s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)}min`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** Run the command; returns the exit code (0 ok, 2 config error). */
export function trainCommand(configPath: string, outDir: string, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): number {
  let raw: unknown;
  const path = resolve(configPath);
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError('config', configPath, `a readable JSON file (${(e as Error).message.split('\n')[0]})`);
  }
  const spec = validateTrainConfig(raw, dirname(path));
  const start = Date.now();
  let last = 0;
  const out = runTraining(spec, (fraction, message) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    const el = (now - start) / 1000;
    const eta = fraction > 0 ? (el * (1 - fraction)) / fraction : Infinity;
    log(`train ${spec.method}: ${(100 * fraction).toFixed(1)}% ${message} elapsed ${fmt(el)} ETA ${fmt(eta)}${spec.method === 'gf' ? ' (upper bound: stops early at the loss threshold)' : ''}`);
  });
  mkdirSync(outDir, { recursive: true });
  writeAtomic(join(outDir, 'trajectory.json'), JSON.stringify({ config: raw, summary: out.summary, trajectory: out.trajectory }));
  writeAtomic(join(outDir, 'weights.json'), JSON.stringify(weightsJson(out.net)));
  const s = out.summary as { reason?: string; steps?: number; t?: number; finalLoss?: number };
  log(`train ${spec.method}: stopped (${s.reason}) after ${s.steps} steps at t = ${s.t}, loss ${s.finalLoss}; wrote ${join(outDir, 'trajectory.json')} and weights.json in ${fmt((Date.now() - start) / 1000)}`);
  return 0;
}

export function registerTrain(program: Command, state?: TrainCommandState): void {
  program
    .command('train')
    .description('train a pReLU net (gradient flow, GD or SGD) from a JSON config; writes trajectory.json and weights.json')
    .requiredOption('--config <file>', 'JSON config (data model or CSV/.npy files, p, h, init, loss, method gf|gd|sgd, stopping rule, seed)')
    .requiredOption('--out <dir>', 'output directory')
    .action((opts: { config: string; out: string }) => {
      const code = trainCommand(opts.config, opts.out);
      if (state) state.exitCode = Math.max(state.exitCode, code);
    });
}
