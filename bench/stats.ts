/**
 * Statistics and target evaluation. Pure functions (unit-tested in bench.spec.ts): every figure
 * of the report is a median over repetitions with its min–max, and every target is a ratio of two
 * figures measured in the same run.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median and range of one figure over repetitions (NaN values are ignored). */
export function summarize(values: readonly number[]): Summary {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...v].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

export type Comparison = '>=' | '<=';

export interface TargetResult {
  figure: string;
  value: number;
  comparison: Comparison;
  target: number;
  pass: boolean;
  /** How the value was obtained, e.g. "SUT 812 MB/s / B1 950 MB/s". */
  detail: string;
  /** Shown, not counted among the targets met. */
  informational?: boolean;
}

/** One target: `value <comparison> target`. A missing figure (NaN) never passes. */
export function target(figure: string, value: number, comparison: Comparison, goal: number, detail: string): TargetResult {
  const pass = Number.isFinite(value) && (comparison === '>=' ? value >= goal : value <= goal);
  return { figure, value, comparison, target: goal, pass, detail };
}

/** a / b, NaN when either is missing or b is 0. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/**
 * The added-latency target: the SUT's added p99 may be at most `factor` times the limit's added
 * p99, or at most `slackMs` above it, whichever is more lenient (a tiny B1 figure would make a
 * pure ratio meaningless). Returns the SUT's added latency divided by the allowance (≤ 1 passes).
 */
export function addedLatencyScore(sutAddedMs: number, limitAddedMs: number, factor: number, slackMs: number): number {
  const allowance = Math.max(factor * Math.max(limitAddedMs, 0), Math.max(limitAddedMs, 0) + slackMs);
  return ratio(Math.max(sutAddedMs, 0), allowance);
}

/** Formats a number for the table: 3 significant digits, "–" for a missing figure. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

/** "median (min–max)" of a summary. */
export function fmtSummary(s: Summary, digits = 3): string {
  if (s.n === 0) return '–';
  if (s.n === 1 || s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}
