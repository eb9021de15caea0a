/**
 * The report/check config file (JSON, or YAML by extension): every size and budget a run uses.
 *
 *   { "seed": 1, "quick": true, "only": ["radius-F"], "parallel": 2, "timeoutSeconds": 1800,
 *     "checks": { "<check id>": { ...that check's own settings... } } }
 *
 * Validation names the offending field (e.g. `checks.T1-F-generalizes.budget`) and the run writes
 * nothing when it fails.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, requireInt, requireKnownKeys } from '../validate.ts';
import type { ProofCheck } from '../checks/types.ts';

export interface RunConfig {
  seed?: number;
  quick?: boolean;
  only?: string[];
  parallel?: number;
  timeoutSeconds?: number;
  checks: Record<string, Record<string, unknown>>;
}

const TOP_KEYS = ['seed', 'quick', 'only', 'parallel', 'timeoutSeconds', 'checks'] as const;

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('config', path, `a readable file (${(e as Error).message})`);
  }
  try {
    return /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError('config', path, `valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Validate the structure; per-check sections are validated against the checks themselves. */
export function validateRunConfig(raw: unknown, knownIds: readonly string[]): RunConfig {
  const o = requireKnownKeys('', raw ?? {}, TOP_KEYS);
  const cfg: RunConfig = { checks: {} };
  if (o.seed !== undefined) cfg.seed = requireInt('seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  if (o.quick !== undefined) {
    if (typeof o.quick !== 'boolean') throw new ConfigError('quick', o.quick, 'true or false');
    cfg.quick = o.quick;
  }
  if (o.only !== undefined) {
    if (!Array.isArray(o.only) || o.only.some((x) => typeof x !== 'string')) throw new ConfigError('only', o.only, 'an array of check ids');
    for (const id of o.only as string[]) if (!knownIds.includes(id)) throw new ConfigError('only', id, `a check id, one of: ${knownIds.join(', ')}`);
    cfg.only = o.only as string[];
  }
  if (o.parallel !== undefined) cfg.parallel = requireInt('parallel', o.parallel, 1, 64);
  if (o.timeoutSeconds !== undefined) cfg.timeoutSeconds = requireInt('timeoutSeconds', o.timeoutSeconds, 1, 7 * 24 * 3600);
  if (o.checks !== undefined) {
    const sections = requireKnownKeys('checks', o.checks, knownIds);
    for (const [id, sec] of Object.entries(sections)) {
      if (typeof sec !== 'object' || sec === null || Array.isArray(sec)) throw new ConfigError(`checks.${id}`, sec, 'an object');
      cfg.checks[id] = sec as Record<string, unknown>;
    }
  }
  return cfg;
}

/** Let each check validate its own section; a check without a validator accepts no keys. */
export function validateCheckSections(cfg: RunConfig, checks: readonly ProofCheck[]): void {
  for (const c of checks) {
    const sec = cfg.checks[c.id];
    if (!sec) continue;
    try {
      if (c.validateConfig) c.validateConfig(sec);
      else requireKnownKeys('', sec, []);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`checks.${c.id}.${e.field}`.replace(/\.$/, ''), e.value, e.allowed);
      throw e;
    }
  }
}
