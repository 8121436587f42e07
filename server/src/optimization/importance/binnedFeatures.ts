import { toUnit } from "../space";
import type { JsonValue, ParamSpec } from "../types";
import { hasParam } from "./ratedParams";
import type { ImportanceTrial } from "./types";

/**
 * One parameter as fANOVA's trees see it: each trial's value put in a bin, and each bin's share
 * of the parameter's domain (the measure that marginals average over).
 *
 * Numeric values live on the unit scale of the declared range (log scale for log parameters,
 * one equal cell per step or integer), so a marginal averages uniformly over the range as the
 * user declared it. Categorical choices share the domain equally.
 *
 * Absence is its own value: a parameter missing from some trials (conditional ones) gets one
 * more bin, "absent", whose share of the domain is the fraction of trials without the parameter,
 * the rest being spread over its values as usual.
 */
export interface BinnedFeature {
  name: string;
  categorical: boolean;
  /** Each trial's bin. */
  bins: Int32Array;
  /** Each bin's share of the domain; they sum to 1. */
  measures: Float64Array;
  /** Numeric: each bin's upper edge on the encoded axis (the absent bin lies below 0). */
  upperEdges: Float64Array;
  /** Numeric: each bin's centre on the encoded axis. */
  centres: Float64Array;
  /** The absent bin (0 for numeric, the last for categorical), or -1 when every trial has the parameter. */
  absentBin: number;
}

/**
 * Bins one parameter's values over the trials. Numeric parameters with up to `maxBins` distinct
 * values get a bin each (splits are exact); others get `maxBins` bins of about equal counts. Null
 * when no trial has a usable value.
 */
export function binFeature(spec: ParamSpec, trials: ImportanceTrial[], maxBins: number): BinnedFeature | null {
  const n = trials.length;
  const values = trials.map((t) => (hasParam(t, spec.name) ? t.params[spec.name] : null));
  return spec.type === "CATEGORICAL" ? binCategorical(spec.name, spec.choices, values, n) : binNumeric(spec, values, n, maxBins);
}

function binCategorical(name: string, choices: JsonValue[], values: (JsonValue | null)[], n: number): BinnedFeature | null {
  const index = new Map(choices.map((c, i) => [JSON.stringify(c), i]));
  const k = choices.length;
  const bins = new Int32Array(n);
  let absent = 0;
  for (let i = 0; i < n; i++) {
    // A value outside the declared choices (a define-by-run parameter redeclared) counts as absent.
    const b = values[i] === null ? undefined : index.get(JSON.stringify(values[i]));
    if (b === undefined) {
      bins[i] = k;
      absent++;
    } else {
      bins[i] = b;
    }
  }
  if (absent === n) return null;
  const p = absent / n;
  const size = absent > 0 ? k + 1 : k;
  const measures = new Float64Array(size).fill((1 - p) / k);
  if (absent > 0) measures[k] = p;
  return { name, categorical: true, bins, measures, upperEdges: new Float64Array(0), centres: new Float64Array(0), absentBin: absent > 0 ? k : -1 };
}

function binNumeric(spec: Exclude<ParamSpec, { type: "CATEGORICAL" }>, values: (JsonValue | null)[], n: number, maxBins: number): BinnedFeature | null {
  const units = new Float64Array(n).fill(NaN);
  const present: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v) || (spec.log && v <= 0)) continue;
    units[i] = Math.min(1, Math.max(0, toUnit(spec, v)));
    present.push(units[i]);
  }
  if (present.length === 0) return null;
  present.sort((a, b) => a - b);
  const edges = splitEdges(present, maxBins);
  const absent = n - present.length;
  const offset = absent > 0 ? 1 : 0;
  const size = edges.length + 1 + offset;
  const p = absent / n;
  const upperEdges = new Float64Array(size);
  const centres = new Float64Array(size);
  const measures = new Float64Array(size);
  if (absent > 0) {
    upperEdges[0] = 0;
    centres[0] = -0.5;
    measures[0] = p;
  }
  let lower = 0;
  for (let b = 0; b <= edges.length; b++) {
    const upper = b < edges.length ? edges[b] : 1;
    upperEdges[b + offset] = upper;
    centres[b + offset] = (lower + upper) / 2;
    measures[b + offset] = (upper - lower) * (1 - p);
    lower = upper;
  }
  const bins = new Int32Array(n);
  for (let i = 0; i < n; i++) bins[i] = Number.isNaN(units[i]) ? 0 : offset + countBelow(edges, units[i]);
  return { name: spec.name, categorical: false, bins, measures, upperEdges, centres, absentBin: absent > 0 ? 0 : -1 };
}

/**
 * Bin edges between sorted values: midpoints between neighbouring distinct values, all of them
 * when there are few, else at about every 1/maxBins quantile.
 */
function splitEdges(sorted: number[], maxBins: number): number[] {
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || v > distinct[distinct.length - 1]) distinct.push(v);
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) edges.push((distinct[i - 1] + distinct[i]) / 2);
    return edges;
  }
  for (let b = 1; b < maxBins; b++) {
    const pos = Math.floor((b * sorted.length) / maxBins);
    if (sorted[pos - 1] === sorted[pos]) continue;
    const edge = (sorted[pos - 1] + sorted[pos]) / 2;
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

/** How many of the sorted edges lie below x. */
function countBelow(edges: number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
