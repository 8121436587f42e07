import { containsValue, sameDistribution } from "../../space";
import type { JsonValue, ParamSpec, TrialView } from "../../types";

/**
 * Every trial's value of each parameter in the estimators' internal coordinates (log scale for
 * log parameters, the choice index for categoricals), read once per ask, one column per spec.
 * NaN marks a trial without a usable value: the parameter is absent, outside the space, or was
 * drawn from another distribution. One pass over the trials reads each trial's parameters
 * together, which is cheaper than a pass per parameter over a long history.
 */
export function internalColumns(trials: TrialView[], specs: ParamSpec[]): Float64Array[] {
  const columns = specs.map(() => new Float64Array(trials.length));
  const readers = specs.map(columnReader);
  for (let j = 0; j < trials.length; j++) {
    const { params, distributions } = trials[j];
    for (let s = 0; s < specs.length; s++) columns[s][j] = readers[s](params, distributions);
  }
  return columns;
}

type ColumnReader = (params: Record<string, JsonValue>, distributions: Record<string, ParamSpec>) => number;

function columnReader(spec: ParamSpec): ColumnReader {
  const name = spec.name;
  const sameSpec = distributionMatcher(spec);
  if (spec.type === "CATEGORICAL") {
    const choiceIndex = choiceIndexer(spec.choices);
    return (params, distributions) => {
      const value = params[name];
      const dist = distributions[name];
      if (value === undefined || (dist !== undefined && !sameSpec(dist))) return NaN;
      return choiceIndex(value);
    };
  }
  const log = spec.log;
  return (params, distributions) => {
    const value = params[name];
    const dist = distributions[name];
    if (value === undefined || (dist !== undefined && !sameSpec(dist)) || !containsValue(spec, value)) return NaN;
    return log ? Math.log(value as number) : (value as number);
  };
}

/**
 * `sameDistribution(spec, d)` with the cheap cases first: stored trials usually share one
 * distribution object, or carry equal copies whose choices compare element by element.
 */
function distributionMatcher(spec: ParamSpec): (dist: ParamSpec) => boolean {
  let lastMatch: ParamSpec | null = null;
  return (dist) => {
    if (dist === spec || dist === lastMatch) return true;
    let same: boolean;
    if (spec.type === "CATEGORICAL" && dist.type === "CATEGORICAL") {
      const a = spec.choices;
      const b = dist.choices;
      same = a === b || (a.length === b.length && a.every((c, i) => c === b[i])) || sameDistribution(spec, dist);
    } else {
      same = sameDistribution(spec, dist);
    }
    if (same) lastMatch = dist;
    return same;
  };
}

/** Index of a value among the choices (NaN when absent), comparing as JSON like `containsValue`. */
function choiceIndexer(choices: JsonValue[]): (value: JsonValue) => number {
  const primitives = new Map<JsonValue, number>();
  let byJson: Map<string, number> | null = null;
  choices.forEach((c, i) => {
    if (c === null || typeof c !== "object") {
      if (!primitives.has(c)) primitives.set(c, i);
    }
  });
  return (value) => {
    if (value === null || typeof value !== "object") {
      const i = primitives.get(value);
      if (i !== undefined) return i;
      // NaN or an infinity would be written as null in JSON; match as containsValue does.
      if (typeof value !== "number" || Number.isFinite(value)) return NaN;
    }
    byJson ??= new Map(choices.map((c, i) => [JSON.stringify(c), i] as const).reverse());
    return byJson.get(JSON.stringify(value)) ?? NaN;
  };
}
