/**
 * Discovery of proofs-checks: every `proofs-checks/<id>.ts` exporting `check: ProofCheck`.
 * Files are the registry, so adding a claim is adding one file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { ProofCheck } from './types.ts';
import { ConfigError } from '../validate.ts';

/**
 * Directory of the checks: `proofs-checks/`, or PRELU_VERIFY_CHECKS_DIR when set (the report's own
 * tests run on small fixture checks this way; users can point it at a folder of their own checks).
 */
export const CHECKS_DIR = process.env.PRELU_VERIFY_CHECKS_DIR ?? fileURLToPath(new URL('../../proofs-checks/', import.meta.url));

/** Check ids available on disk, sorted (the order of every report). */
export function listCheckIds(dir = CHECKS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export function checkFileUrl(id: string, dir = CHECKS_DIR): URL {
  return pathToFileURL(join(dir, `${id}.ts`));
}

function assertCheckShape(id: string, c: unknown): asserts c is ProofCheck {
  const o = c as Partial<ProofCheck> | undefined;
  if (!o || typeof o.run !== 'function' || typeof o.id !== 'string' || typeof o.statement !== 'string') {
    throw new Error(`proofs-checks/${id}.ts does not export a valid \`check: ProofCheck\``);
  }
  if (o.id !== id) throw new Error(`proofs-checks/${id}.ts exports id "${o.id}"; the id must equal the file name`);
}

export async function loadCheck(id: string, dir = CHECKS_DIR): Promise<ProofCheck> {
  const mod = (await import(checkFileUrl(id, dir).href)) as { check?: unknown };
  assertCheckShape(id, mod.check);
  return mod.check;
}

/** Resolve a user's selection (ids, or all when empty); unknown ids are a usage error. */
export function selectIds(requested: readonly string[] | undefined, dir = CHECKS_DIR): string[] {
  const all = listCheckIds(dir);
  if (!requested || requested.length === 0) return all;
  for (const id of requested) {
    if (!all.includes(id)) throw new ConfigError('only', id, `a check id, one of: ${all.join(', ')}`);
  }
  return all.filter((id) => requested.includes(id));
}

/** Seed of one check: a hash of (master seed, id), so results do not depend on order or sharding. */
export function checkSeed(masterSeed: number, id: string): number {
  let h = 0x811c9dc5 ^ (masterSeed >>> 0);
  const hi = Math.floor(masterSeed / 4294967296) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ hi, 0x01000193);
  return h >>> 0;
}

/** `--shard I/N` (1-based I): every N-th check starting at the I-th, in id order. */
export function shardIds(ids: readonly string[], shard: { index: number; count: number } | null): string[] {
  if (!shard) return [...ids];
  return ids.filter((_, k) => k % shard.count === shard.index - 1);
}
