/**
 * The shape every proofs-check shares (one file per theorem, lemma, conjecture or claim under
 * `proofs-checks/`). A verdict of "holds" must come from a computation that could have said
 * "violated"; `evidence` carries the numbers a reader needs to judge it.
 */

export type Verdict = 'holds' | 'violated' | 'inconclusive';

/** Settings every check receives. `quick` selects the reduced sizes used by `npm start`. */
export interface CheckContext {
  seed: number;
  quick: boolean;
  /** Optional per-check overrides from a config file (already validated by the check). */
  config: Record<string, unknown>;
  /** Progress callback: fraction done in [0, 1] and a short message. */
  progress: (fraction: number, message?: string) => void;
}

/** A table a report can render: column names and rows of numbers or strings. */
export interface EvidenceTable {
  title: string;
  columns: string[];
  rows: (number | string | null)[][];
}

/**
 * A figure for the report, as a Vega-Lite specification (data inlined). The report renders it to
 * SVG and PNG; `name` becomes the file name (letters, digits and dashes).
 */
export interface FigureSpec {
  name: string;
  caption: string;
  vegaLite: Record<string, unknown>;
}

export interface CheckResult {
  verdict: Verdict;
  /** One line: the figure that decided the verdict, e.g. "max |r - 1/sqrt(K)| = 3e-12 over 200 cases". */
  keyFigure: string;
  /** Structured evidence (JSON-serialisable; numbers, not prose, wherever possible). */
  evidence: Record<string, unknown>;
  /** Optional tables for the report. */
  tables?: EvidenceTable[];
  /** Optional figures for the report. */
  figures?: FigureSpec[];
  /**
   * Facts that change from run to run without changing the result (wall times, cache hits). They
   * are stored under the summary's single `timing` key, never in `evidence`, so equal runs give
   * byte-identical results apart from that key.
   */
  timing?: Record<string, unknown>;
  seed: number;
  config: Record<string, unknown>;
}

export interface ProofCheck {
  /** Stable id, e.g. "radius-F". */
  id: string;
  title: string;
  /** The claim, stated as the paper states it (or as our derivation states it). */
  statement: string;
  /** Where the claim comes from: "[paper] Thm 2", "[derived] PAPER.md s.5", ... */
  source: string;
  /** Rough cost in seconds of the quick run, for ETA and scheduling. */
  quickCostSeconds: number;
  /**
   * Optional: validate this check's section of a config file before anything runs (throw
   * ConfigError naming the field). Checks without it accept no config keys.
   */
  validateConfig?(config: Record<string, unknown>): void;
  run(ctx: CheckContext): Promise<CheckResult>;
}
