/**
 * What a benchmark module exports (see run.ts for how modules are found and run).
 *
 * Every figure is reported next to a reference measured in the same run on the same machine, so
 * the ratio means something even though absolute times depend on the machine and its load.
 */
export interface BenchResult {
  /** Stable dotted name, e.g. "network.forward-gradient.time". */
  name: string;
  /** The measured figure of the code under test. */
  value: number;
  /** Unit of value and referenceValue, e.g. "ms" or "GFLOP/s". */
  unit: string;
  /** What the reference is, in a few words. */
  reference: string;
  referenceValue: number;
  /**
   * How many times better the code under test is than the reference (> 1 = faster): for times
   * referenceValue / value, for rates value / referenceValue.
   */
  ratio: number;
  /**
   * Set when the benchmark could not run here (e.g. no python3 with numpy for the numpy reference):
   * the reason; value, referenceValue and ratio are then NaN (null in --json output).
   */
  skipped?: string;
  /** Optional extra numbers (sizes, spread of the repetitions, agreement with the reference). */
  details?: Record<string, number | string | boolean>;
}

export interface Benchmark {
  /** Name used by `--only` (results may carry longer dotted names under it). */
  name: string;
  description: string;
  run(): BenchResult[] | Promise<BenchResult[]>;
}
