/**
 * The pure arithmetic of the bench: percentiles, medians and ranges over
 * reps, a latency histogram cheap enough for the hot loop, and the ramp's
 * decisions. No I/O here, so all of it is unit-tested (bench/stats.test.ts).
 */

/** The value at quantile q (0..1) of `values`, nearest-rank; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median and range of the finite values among `values`. */
export function summarize(values: readonly number[]): Summary {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/**
 * Latencies in fixed buckets of `resolutionMs`, up to `maxMs` (anything
 * later lands in the last bucket). Recording is one array increment, so the
 * generator can record every delivery; percentiles are exact to one bucket.
 */
export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  sum = 0;
  max = 0;
  constructor(
    readonly resolutionMs = 0.1,
    readonly maxMs = 30_000,
  ) {
    this.counts = new Uint32Array(Math.ceil(maxMs / resolutionMs) + 1);
  }
  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    const i = Math.min(this.counts.length - 1, Math.floor(v / this.resolutionMs));
    this.counts[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }
  /** The upper edge of the bucket holding quantile q (nearest rank); NaN when empty. */
  percentile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === this.counts.length - 1 ? this.max : Math.min(this.max, (i + 1) * this.resolutionMs);
    }
    return this.max;
  }
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }
}

// ---- The ramp -----------------------------------------------------------------

export interface StepResult {
  rate: number;
  p99: number;
  lost: number;
}

/** The service level a rate must hold to count as sustained. */
export const SLO = { p99Ms: 100, lost: 0 } as const;

export function sustained(step: StepResult): boolean {
  return step.lost <= SLO.lost && Number.isFinite(step.p99) && step.p99 <= SLO.p99Ms;
}

/**
 * Whether the ramp goes on after `steps`: until a step fails, but always far
 * enough to measure every rate in `mustReach` (the fixed-rate figures).
 */
export function continueRamp(steps: readonly StepResult[], mustReach: readonly number[]): boolean {
  const last = steps.at(-1);
  if (!last) return true;
  const failed = steps.some((s) => !sustained(s));
  if (!failed) return true;
  return mustReach.some((r) => !steps.some((s) => s.rate === r));
}

/**
 * The highest rate sustained with every lower step sustained too (a ramp
 * that fails at 150 and happens to pass at 200 maxes out at 100); 0 when the
 * first step already failed.
 */
export function maxSustained(steps: readonly StepResult[]): number {
  let best = 0;
  for (const s of [...steps].sort((a, b) => a.rate - b.rate)) {
    if (!sustained(s)) break;
    best = s.rate;
  }
  return best;
}

/**
 * How a Relay figure compares with a target. `better` says which way is
 * good; the verdict carries the ratio of the figure to the target bound.
 */
export function verdict(value: number, bound: number, better: "higher" | "lower", strict = false): { met: boolean; by: number } {
  if (!Number.isFinite(value) || !Number.isFinite(bound) || bound === 0) return { met: false, by: NaN };
  const met = better === "higher" ? (strict ? value > bound : value >= bound) : strict ? value < bound : value <= bound;
  return { met, by: value / bound };
}
