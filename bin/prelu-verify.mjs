#!/usr/bin/env node
// Entry point of the `prelu-verify` command: register tsx's loader so the TypeScript sources run
// directly (no build step to forget on a fresh clone), then hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
