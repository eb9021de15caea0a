/**
 * `prelu-verify attack --model DIR --radii ...`: attack a trained net (DIR/weights.json, DIR/data.json,
 * format in src/robustness/modelio.ts) and print JSON with the per-point brackets
 * [certified lower, best attack upper] and the robust-accuracy curves (PAPER.md s.5, s.8; issue 4).
 * Radii are "a,b,c" or "linspace:START,STOP,COUNT". Non-finite radii print as null (no flipping
 * point found up to --r-max).
 */
import type { Command } from 'commander';
import { attackNet } from '../robustness/attacknet.ts';
import { NORMS, type NormKind } from '../robustness/ball.ts';
import { loadModelDir } from '../robustness/modelio.ts';
import { ConfigError, requireChoice, requireInt, requireReal } from '../validate.ts';

/** Parse "a,b,c" or "linspace:START,STOP,COUNT" into non-negative radii. */
export function parseRadii(s: string): number[] {
  const lin = /^linspace:(.*)$/.exec(s.trim());
  const nums = (t: string, field: string): number[] =>
    t.split(',').map((x, i) => {
      const v = Number(x.trim());
      if (x.trim() === '' || !Number.isFinite(v)) throw new ConfigError(`${field}[${i}]`, x, 'a finite number');
      return v;
    });
  let radii: number[];
  if (lin) {
    const a = nums(lin[1], 'radii');
    if (a.length !== 3) throw new ConfigError('radii', s, 'linspace:START,STOP,COUNT');
    const count = requireInt('radii.count', a[2], 2, 10000);
    radii = Array.from({ length: count }, (_, i) => a[0] + ((a[1] - a[0]) * i) / (count - 1));
  } else {
    radii = nums(s, 'radii');
  }
  radii.forEach((r, i) => requireReal(`radii[${i}]`, r, { min: 0 }));
  return radii;
}

function intOpt(field: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new ConfigError(field, v, `an integer >= ${min}`);
  return requireInt(field, Number(v), min);
}

function realOpt(field: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  return requireReal(field, Number(v), { min, minExclusive: true });
}

interface AttackFlags {
  model: string;
  radii: string;
  norm?: string;
  n?: string;
  seed?: string;
  rMax?: string;
  pgdSteps?: string;
  apgdSteps?: string;
  restarts?: string;
  bisections?: string;
  box?: string;
  pgd: boolean;
  apgd: boolean;
  strong: boolean;
  certify: boolean;
  reduce: boolean;
  points: boolean;
  progress?: boolean;
}

/** Register the `attack` subcommand. */
export function registerAttack(program: Command): void {
  program
    .command('attack')
    .description('attack a trained net: per-point [certified lower, attack upper] radii and robust-accuracy curves (JSON)')
    .requiredOption('--model <dir>', 'directory with weights.json and data.json')
    .option('--radii <list>', 'radii: "a,b,c" or "linspace:START,STOP,COUNT"', 'linspace:0,1.5,15')
    .option('--norm <norm>', `threat model: ${NORMS.join(', ')}`, 'l2')
    .option('--n <count>', 'attack only the first n test points')
    .option('--seed <int>', 'random seed', '1')
    .option('--r-max <r>', 'largest radius searched by the strong attack and the certificate', '4')
    .option('--pgd-steps <int>', "iterations of the authors' PGD", '2000')
    .option('--apgd-steps <int>', 'iterations per APGD run', '100')
    .option('--restarts <int>', 'random restarts per APGD call', '1')
    .option('--bisections <int>', 'bisection steps of the strong attack on the radius', '10')
    .option('--box <lo,hi>', 'box constraint on inputs, e.g. 0,1 for pixels')
    .option('--no-pgd', "skip the authors' PGD")
    .option('--no-apgd', 'skip APGD on the radius grid')
    .option('--no-strong', 'skip the strong minimal-norm attack')
    .option('--no-certify', 'skip the certified lower bound')
    .option('--no-reduce', 'do not reduce to the row span of W')
    .option('--no-points', 'print only the summary and curves')
    .option('--progress', 'report progress on stderr')
    .action((flags: AttackFlags) => {
      const norm = requireChoice('norm', flags.norm, NORMS) as NormKind;
      const radii = parseRadii(flags.radii);
      const seed = intOpt('seed', flags.seed, 0) ?? 1;
      const rMax = realOpt('r-max', flags.rMax, 0) ?? 4;
      let box: { lo: number; hi: number } | undefined;
      if (flags.box !== undefined) {
        const b = flags.box.split(',').map((t) => Number(t.trim()));
        if (b.length !== 2 || !b.every(Number.isFinite) || !(b[0] < b[1])) throw new ConfigError('box', flags.box, 'LO,HI with finite LO < HI');
        box = { lo: b[0], hi: b[1] };
      }
      const { net, data: all } = loadModelDir(flags.model);
      const n = Math.min(all.n, intOpt('n', flags.n, 1) ?? all.n);
      const data = { n, D: all.D, X: all.X.subarray(0, n * all.D), y: all.y.subarray(0, n) };
      const restarts = intOpt('restarts', flags.restarts, 0) ?? 1;
      const apgdSteps = intOpt('apgd-steps', flags.apgdSteps, 1) ?? 100;
      const t0 = Date.now();
      const report = attackNet(net, data, {
        radii, norm, seed, rMax, box,
        pgd: flags.pgd ? { steps: intOpt('pgd-steps', flags.pgdSteps, 0) ?? 2000 } : false,
        apgd: flags.apgd ? { steps: apgdSteps, restarts } : false,
        strong: flags.strong ? { bisections: intOpt('bisections', flags.bisections, 0) ?? 10, apgd: { steps: apgdSteps, restarts } } : false,
        certify: flags.certify,
        reduce: flags.reduce,
        progress: flags.progress ? (f) => process.stderr.write(`\rattack: ${Math.round(f * n)}/${n} points${f >= 1 ? '\n' : ''}`) : undefined,
      });
      const out = {
        model: { D: net.D, h: net.h, p: net.p, hasBias: net.hasBias, normalise: net.normalise },
        norm, n, seed, attackDim: report.attackDim, reduced: report.reduced,
        seconds: (Date.now() - t0) / 1000,
        medianLower: report.medianLower, medianUpper: report.medianUpper, violations: report.violations,
        curves: report.curves,
        points: flags.points ? report.points : undefined,
      };
      process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1) + '\n');
    });
}
