/**
 * The `prelu-verify` command line. Exit codes: 0 every check holds or is inconclusive, 1 a check is
 * violated (or crashed), 2 usage or config error (the field is named), 130 interrupted.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../validate.ts';
import { registerReport, type CommandState } from './report.ts';
import { toolkitInfo } from '../report/summary.ts';

/** Other commands live in their own modules (radius, attack, train, ...), each exporting register<Name>. */
const OPTIONAL_COMMANDS = ['radius', 'attack', 'train'] as const;

async function registerOptional(program: Command, state: CommandState): Promise<void> {
  for (const name of OPTIONAL_COMMANDS) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(`./${name}.ts`)) as Record<string, unknown>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(`${name}.ts`)) continue;
      throw e;
    }
    const fn = mod[`register${name[0].toUpperCase()}${name.slice(1)}`];
    if (typeof fn === 'function') (fn as (p: Command, s: CommandState) => void)(program, state);
  }
}

export async function main(argv: string[]): Promise<number> {
  const state: CommandState = { exitCode: 0 };
  const program = new Command('prelu-verify')
    .description('Checks the theorems, constants and conjectures of Min & Vidal (ICML 2024) by computation.')
    .version(toolkitInfo().version)
    .showHelpAfterError()
    .exitOverride();
  registerReport(program, state);
  await registerOptional(program, state);
  const onSignal = () => {
    process.stderr.write('\ninterrupted: nothing was written (a report directory is replaced only at the end)\n');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const out = (s: string) => process.stderr.write(s);
  program.configureOutput({ writeErr: out, outputError: (s, write) => write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
