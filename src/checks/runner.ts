/**
 * Runs proofs-checks, each in its own worker thread (isolation, and both cores: two at a time by
 * default), with progress lines and an ETA. Results come back in id order whatever the scheduling,
 * and each check's seed depends only on (master seed, id), so the run is reproducible.
 */
import { availableParallelism } from 'node:os';
import type { CheckResult, ProofCheck, Verdict } from './types.ts';
import { CHECKS_DIR, checkSeed, loadCheck } from './registry.ts';
import { spawnTsWorker } from '../util/worker.ts';

export type RecordVerdict = Verdict | 'error';

/** What a report stores of one check (timing is kept apart, see RunOutcome.timing). */
export interface CheckRecord {
  id: string;
  title: string;
  statement: string;
  source: string;
  verdict: RecordVerdict;
  keyFigure: string;
  evidence: Record<string, unknown>;
  tables: CheckResult['tables'];
  figures: CheckResult['figures'];
  seed: number;
  config: Record<string, unknown>;
}

export interface RunOptions {
  seed: number;
  quick: boolean;
  /** Per-check config sections, keyed by id. */
  configs: Record<string, Record<string, unknown>>;
  parallel?: number;
  /** Wall-time limit per check in seconds (the check is stopped and recorded as an error). */
  timeoutSeconds?: number;
  /** Where progress lines go (stderr by default); null silences them. */
  log?: ((line: string) => void) | null;
  dir?: string;
}

export interface RunOutcome {
  records: CheckRecord[];
  timing: Record<string, number>;
  /** Each check's volatile facts (CheckResult.timing), kept out of the records. */
  details: Record<string, Record<string, unknown>>;
}

const fmt = (s: number): string => {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
};

function errorRecord(check: ProofCheck, seed: number, config: Record<string, unknown>, message: string): CheckRecord {
  return {
    id: check.id, title: check.title, statement: check.statement, source: check.source,
    verdict: 'error', keyFigure: message.split('\n')[0], evidence: { error: message },
    tables: [], figures: [], seed, config,
  };
}

function toRecord(check: ProofCheck, r: CheckResult): CheckRecord {
  return {
    id: check.id, title: check.title, statement: check.statement, source: check.source,
    verdict: r.verdict, keyFigure: r.keyFigure, evidence: r.evidence,
    tables: r.tables ?? [], figures: r.figures ?? [], seed: r.seed, config: r.config,
  };
}

function runOne(
  check: ProofCheck,
  seed: number,
  opts: RunOptions,
  onProgress: (f: number, m?: string) => void,
  onTiming: (t: Record<string, unknown>) => void,
): Promise<CheckRecord> {
  const config = opts.configs[check.id] ?? {};
  return new Promise((resolve) => {
    const worker = spawnTsWorker(new URL('./worker.ts', import.meta.url), {
      id: check.id, dir: opts.dir ?? CHECKS_DIR, seed, quick: opts.quick, config,
    });
    let settled = false;
    const finish = (rec: CheckRecord): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(rec);
    };
    const timer = setTimeout(() => {
      finish(errorRecord(check, seed, config, `timed out after ${opts.timeoutSeconds} s`));
    }, (opts.timeoutSeconds ?? 3600) * 1000);
    worker.on('message', (m: { type: string; fraction?: number; message?: string; result?: CheckResult }) => {
      if (m.type === 'progress') onProgress(m.fraction ?? 0, m.message);
      else if (m.type === 'result') {
        if (m.result!.timing) onTiming(m.result!.timing);
        finish(toRecord(check, m.result!));
      }
      else if (m.type === 'error') finish(errorRecord(check, seed, config, m.message ?? 'unknown error'));
    });
    worker.on('error', (e) => finish(errorRecord(check, seed, config, e.stack ?? String(e))));
    worker.on('exit', (code) => finish(errorRecord(check, seed, config, `worker exited with code ${code} before reporting`)));
  });
}

/** Active workers, so an interrupt can stop them. */
export async function runChecks(ids: readonly string[], opts: RunOptions): Promise<RunOutcome> {
  const log = opts.log === undefined ? (l: string) => process.stderr.write(l + '\n') : opts.log;
  const checks: ProofCheck[] = [];
  const loadErrors = new Map<string, string>();
  for (const id of ids) {
    try {
      checks.push(await loadCheck(id, opts.dir));
    } catch (e) {
      // A check that does not load is reported as an error; it must not take the others down.
      loadErrors.set(id, (e as Error).stack ?? String(e));
      checks.push({ id, title: '(failed to load)', statement: '', source: '', quickCostSeconds: 0, run: () => Promise.reject(e) });
    }
  }
  const parallel = Math.max(1, Math.min(opts.parallel ?? Math.min(2, availableParallelism()), checks.length));
  const records = new Array<CheckRecord>(checks.length);
  const timing: Record<string, number> = {};
  const details: Record<string, Record<string, unknown>> = {};
  const t0 = Date.now();
  const estimate = checks.map((c) => Math.max(1, c.quickCostSeconds));
  const totalEstimate = estimate.reduce((a, b) => a + b, 0);
  let doneEstimate = 0;
  let doneCount = 0;
  const running = new Map<string, { fraction: number; started: number }>();

  // ETA: remaining estimated cost, rescaled by how the finished checks compared with their estimates.
  const eta = (): number => {
    const elapsed = (Date.now() - t0) / 1000;
    let partial = 0;
    running.forEach((r, id) => (partial += r.fraction * estimate[checks.findIndex((c) => c.id === id)]));
    const done = doneEstimate + partial;
    if (done <= 0) return totalEstimate / parallel;
    return ((totalEstimate - done) * elapsed) / done;
  };
  const ticker = log
    ? setInterval(() => {
        const parts = [...running.entries()].map(([id, r]) => `${id} ${(100 * r.fraction).toFixed(0)}%`);
        log(`  ... running ${parts.join(', ')} | elapsed ${fmt((Date.now() - t0) / 1000)} | ETA ${fmt(eta())}`);
      }, 15_000)
    : null;

  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < checks.length) {
      const k = next++;
      const check = checks[k];
      const seed = checkSeed(opts.seed, check.id);
      const started = Date.now();
      running.set(check.id, { fraction: 0, started });
      log?.(`[${String(k + 1).padStart(2)}/${checks.length}] start ${check.id}`);
      const loadError = loadErrors.get(check.id);
      const rec = loadError
        ? errorRecord(check, seed, opts.configs[check.id] ?? {}, loadError)
        : await runOne(
            check,
            seed,
            opts,
            (f) => {
              const r = running.get(check.id);
              if (r) r.fraction = Math.min(1, Math.max(0, f));
            },
            (t) => (details[check.id] = t),
          );
      running.delete(check.id);
      records[k] = rec;
      timing[check.id] = Date.now() - started;
      doneEstimate += estimate[k];
      doneCount++;
      log?.(`[${String(doneCount).padStart(2)}/${checks.length}] ${rec.verdict.padEnd(12)} ${check.id} (${((Date.now() - started) / 1000).toFixed(1)} s): ${rec.keyFigure} | ETA ${fmt(eta())}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, lane));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  return { records, timing, details };
}
