import type { Direction, IntermediateValue, TrialView } from "../types";

/** Helpers over a trial's reports (sorted by step) that the pruners share. */

/** Index of the first report with step >= `step`, or reports.length (binary search). */
export function firstIndexAtOrAfter(reports: readonly { step: number }[], step: number): number {
  let lo = 0;
  let hi = reports.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (reports[mid].step < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The value reported exactly at `step`, or undefined. */
export function valueAtStep(reports: readonly IntermediateValue[], step: number): number | undefined {
  const i = firstIndexAtOrAfter(reports, step);
  return i < reports.length && reports[i].step === step ? reports[i].value : undefined;
}

/**
 * The trial's value at a rung: its first report at or after the rung's step, as ASHA records it
 * when the trial crosses the rung; undefined when it has not reached the rung.
 */
export function valueAtRung(reports: readonly IntermediateValue[], rungStep: number): number | undefined {
  const i = firstIndexAtOrAfter(reports, rungStep);
  return i < reports.length ? reports[i].value : undefined;
}

/**
 * The best value the trial had reported by the time it reached the rung (NaN ignored; NaN when
 * all were NaN); undefined when it has not reached the rung.
 */
export function bestAtRung(reports: readonly IntermediateValue[], rungStep: number, direction: Direction): number | undefined {
  const end = firstIndexAtOrAfter(reports, rungStep);
  if (end >= reports.length) return undefined;
  let best = NaN;
  const max = direction === "MAXIMIZE";
  for (let i = 0; i <= end; i++) {
    const v = reports[i].value;
    if (v === v && (best !== best || (max ? v > best : v < best))) best = v;
  }
  return best;
}

/**
 * True when the trial's latest report is the one that crossed `step`: the report before it (if
 * any) came before `step`. Pruners that judge at fixed steps judge exactly then, once.
 */
export function justCrossed(reports: readonly IntermediateValue[], step: number): boolean {
  const n = reports.length;
  if (n === 0 || reports[n - 1].step < step) return false;
  return n === 1 || reports[n - 2].step < step;
}

export function lastReport(trial: TrialView): IntermediateValue | null {
  const r = trial.intermediateValues;
  return r.length ? r[r.length - 1] : null;
}

/** a is strictly better than b in this direction. */
export function better(direction: Direction, a: number, b: number): boolean {
  return direction === "MAXIMIZE" ? a > b : a < b;
}

/** The best of the trial's reports, ignoring NaN; NaN when all are NaN or there are none. */
export function bestReported(reports: readonly IntermediateValue[], direction: Direction): number {
  let best = NaN;
  for (const r of reports) {
    if (Number.isNaN(r.value)) continue;
    if (Number.isNaN(best) || better(direction, r.value, best)) best = r.value;
  }
  return best;
}

/** numpy.percentile's default (linear interpolation) over ascending-sorted values. */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Formats a number for a reason string: short, but enough digits to tell values apart. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

export function ordinal(n: number): string {
  const r = n % 100;
  if (r >= 11 && r <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}
