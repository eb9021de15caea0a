/**
 * Writing a report directory atomically: everything goes into a fresh sibling temporary directory,
 * which then replaces the target by renames. An interrupted run (Ctrl-C, kill, crash) leaves the
 * previous report whole and at most a stray `<dir>.tmp-*` folder, which the next run removes.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export function writeDirAtomically(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const target = resolve(outDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const base = basename(target);
  // Left-overs of interrupted runs.
  for (const f of readdirSync(parent)) {
    if (f.startsWith(`${base}.tmp-`) || f.startsWith(`${base}.old-`)) rmSync(join(parent, f), { recursive: true, force: true });
  }
  const tmp = join(parent, `${base}.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    for (const [rel, content] of files) {
      const p = join(tmp, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = join(parent, `${base}.old-${process.pid}-${Date.now()}`);
  let moved = false;
  try {
    renameSync(target, old);
    moved = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  renameSync(tmp, target);
  if (moved) rmSync(old, { recursive: true, force: true });
}
