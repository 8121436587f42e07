import { InvalidSpaceError } from "./errors";
import type { Rng } from "./random";
import type { JsonValue, ParamSpec } from "./types";

/** The raw shape of a parameter as users send it (ParamSpecInput in the GraphQL contract). */
export interface RawParamSpec {
  name: string;
  type: string;
  low?: number | null;
  high?: number | null;
  log?: boolean | null;
  step?: number | null;
  choices?: JsonValue[] | null;
  condition?: { param: string; values: JsonValue[] } | null;
}

/** Checks one parameter and returns it normalised (defaults filled in). `path` prefixes error fields. */
export function parseParamSpec(raw: RawParamSpec, path = "spec"): ParamSpec {
  const name = typeof raw.name === "string" ? raw.name.trim() : "";
  if (!name) throw new InvalidSpaceError(`${path}.name`, `${path}.name must be a non-empty string.`);
  const where = `parameter "${name}"`;
  const condition = raw.condition ?? null;
  if (condition) {
    if (!condition.param || !Array.isArray(condition.values) || condition.values.length === 0) {
      throw new InvalidSpaceError(
        `${path}.condition`,
        `${where}: condition needs a parent param and at least one value.`,
      );
    }
  }
  if (raw.type === "CATEGORICAL") {
    const choices = raw.choices;
    if (!Array.isArray(choices) || choices.length === 0) {
      throw new InvalidSpaceError(`${path}.choices`, `${where}: a CATEGORICAL parameter needs at least one choice.`);
    }
    const seen = new Set<string>();
    for (const c of choices) {
      const key = JSON.stringify(c);
      if (seen.has(key)) throw new InvalidSpaceError(`${path}.choices`, `${where}: choice ${key} appears twice.`);
      seen.add(key);
    }
    return { name, type: "CATEGORICAL", choices: choices.slice(), condition };
  }
  if (raw.type !== "FLOAT" && raw.type !== "INT") {
    throw new InvalidSpaceError(`${path}.type`, `${where}: type must be FLOAT, INT or CATEGORICAL.`);
  }
  const { low, high } = raw;
  if (typeof low !== "number" || !Number.isFinite(low)) {
    throw new InvalidSpaceError(`${path}.low`, `${where}: low must be a finite number.`);
  }
  if (typeof high !== "number" || !Number.isFinite(high)) {
    throw new InvalidSpaceError(`${path}.high`, `${where}: high must be a finite number.`);
  }
  if (low > high || (low === high && raw.type === "FLOAT")) {
    throw new InvalidSpaceError(`${path}.low`, `${where}: low (${low}) must be below high (${high}).`);
  }
  const log = raw.log ?? false;
  if (log && low <= 0) {
    throw new InvalidSpaceError(`${path}.low`, `${where}: a log-scaled range needs low > 0 (got ${low}).`);
  }
  let step = raw.step ?? null;
  if (step !== null && (!Number.isFinite(step) || step <= 0)) {
    throw new InvalidSpaceError(`${path}.step`, `${where}: step must be a positive number.`);
  }
  if (step !== null && log) {
    throw new InvalidSpaceError(`${path}.step`, `${where}: step and log cannot be combined.`);
  }
  if (raw.type === "INT") {
    if (!Number.isInteger(low) || !Number.isInteger(high)) {
      throw new InvalidSpaceError(`${path}.low`, `${where}: INT bounds must be integers.`);
    }
    step = step ?? 1;
    if (!Number.isInteger(step)) throw new InvalidSpaceError(`${path}.step`, `${where}: INT step must be an integer.`);
    // Like Optuna, shrink high to the last value on the step grid.
    const adjustedHigh = low + Math.floor((high - low) / step) * step;
    return { name, type: "INT", low, high: adjustedHigh, log, step, condition };
  }
  if (step !== null) {
    const k = Math.floor((high - low) / step + 1e-9);
    return { name, type: "FLOAT", low, high: roundToStep(low + k * step, low, step), log, step, condition };
  }
  return { name, type: "FLOAT", low, high, log, step: null, condition };
}

/** Checks a whole declared space: each parameter, unique names, conditions on earlier parameters. */
export function parseSearchSpace(raw: RawParamSpec[], path = "searchSpace"): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const byName = new Map<string, ParamSpec>();
  raw.forEach((r, i) => {
    const spec = parseParamSpec(r, `${path}[${i}]`);
    if (byName.has(spec.name)) {
      throw new InvalidSpaceError(`${path}[${i}].name`, `parameter name "${spec.name}" is declared twice.`);
    }
    if (spec.condition) {
      const parent = byName.get(spec.condition.param);
      if (!parent) {
        throw new InvalidSpaceError(
          `${path}[${i}].condition.param`,
          `parameter "${spec.name}": condition refers to "${spec.condition.param}", which must be declared before it.`,
        );
      }
      for (const v of spec.condition.values) {
        if (!containsValue(parent, v)) {
          throw new InvalidSpaceError(
            `${path}[${i}].condition.values`,
            `parameter "${spec.name}": condition value ${JSON.stringify(v)} is not a possible value of "${parent.name}".`,
          );
        }
      }
    }
    byName.set(spec.name, spec);
    specs.push(spec);
  });
  return specs;
}

/** True when the parameter exists for these (already chosen) parent values. */
export function isActive(spec: ParamSpec, params: Record<string, JsonValue>): boolean {
  const c = spec.condition;
  if (!c) return true;
  if (!(c.param in params)) return false;
  const key = JSON.stringify(params[c.param]);
  return c.values.some((v) => JSON.stringify(v) === key);
}

/** True when `value` is a possible value of `spec`. */
export function containsValue(spec: ParamSpec, value: JsonValue): boolean {
  if (spec.type === "CATEGORICAL") {
    const key = JSON.stringify(value);
    return spec.choices.some((c) => JSON.stringify(c) === key);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (value < spec.low - 1e-12 * Math.abs(spec.low) || value > spec.high + 1e-12 * Math.abs(spec.high)) return false;
  if (spec.type === "INT" && !Number.isInteger(value)) return false;
  if (spec.step !== null) {
    const k = (value - spec.low) / spec.step;
    if (Math.abs(k - Math.round(k)) > 1e-6) return false;
  }
  return true;
}

/** Throws BAD_USER_INPUT-style errors when a value does not fit its parameter. */
export function assertValueInSpace(spec: ParamSpec, value: JsonValue, field: string): void {
  if (containsValue(spec, value)) return;
  const range =
    spec.type === "CATEGORICAL"
      ? `one of ${JSON.stringify(spec.choices)}`
      : `${spec.type === "INT" ? "an integer" : "a number"} in [${spec.low}, ${spec.high}]${spec.step !== null ? ` on steps of ${spec.step}` : ""}`;
  throw new InvalidSpaceError(field, `${field}: ${JSON.stringify(value)} is outside parameter "${spec.name}"; expected ${range}.`);
}

/** Two specs describe the same distribution (used to make suggestParam idempotent). */
export function sameDistribution(a: ParamSpec, b: ParamSpec): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "CATEGORICAL" && b.type === "CATEGORICAL") {
    return JSON.stringify(a.choices) === JSON.stringify(b.choices);
  }
  if (a.type === "CATEGORICAL" || b.type === "CATEGORICAL") return false;
  return a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
}

/**
 * Maps a numeric parameter to [0, 1] (log-scaled where the spec says so). Samplers that model a
 * continuous space work in this unit cube and map back with `fromUnit`.
 */
export function toUnit(spec: Exclude<ParamSpec, { type: "CATEGORICAL" }>, value: number): number {
  const { lo, hi } = internalBounds(spec);
  if (hi === lo) return 0.5;
  const x = spec.log ? Math.log(value) : value;
  return (x - lo) / (hi - lo);
}

/** Inverse of `toUnit`, rounded onto the parameter's step grid and clipped to its bounds. */
export function fromUnit(spec: Exclude<ParamSpec, { type: "CATEGORICAL" }>, u: number): number {
  const { lo, hi } = internalBounds(spec);
  const clipped = Math.min(1, Math.max(0, u));
  let x = lo + clipped * (hi - lo);
  if (spec.log) x = Math.exp(x);
  return snap(spec, x);
}

/**
 * Bounds in the internal (possibly log) space, widened by half a step for stepped parameters so
 * that every grid value owns an equal share of the unit interval.
 */
export function internalBounds(spec: Exclude<ParamSpec, { type: "CATEGORICAL" }>): { lo: number; hi: number } {
  if (spec.log) {
    if (spec.type === "INT") return { lo: Math.log(spec.low - 0.5), hi: Math.log(spec.high + 0.5) };
    return { lo: Math.log(spec.low), hi: Math.log(spec.high) };
  }
  if (spec.step !== null) return { lo: spec.low - spec.step / 2, hi: spec.high + spec.step / 2 };
  return { lo: spec.low, hi: spec.high };
}

/** Rounds onto the step grid (integers for INT) and clips to [low, high]. */
export function snap(spec: Exclude<ParamSpec, { type: "CATEGORICAL" }>, x: number): number {
  let v = x;
  if (spec.step !== null) {
    v = spec.low + Math.round((v - spec.low) / spec.step) * spec.step;
    v = roundToStep(v, spec.low, spec.step);
  } else if (spec.type === "INT") {
    v = Math.round(v);
  }
  return Math.min(spec.high, Math.max(spec.low, v));
}

/** Draws a value uniformly (uniform in log space for log parameters). */
export function sampleUniform(spec: ParamSpec, rng: Rng): JsonValue {
  if (spec.type === "CATEGORICAL") return spec.choices[rng.int(0, spec.choices.length - 1)];
  return fromUnit(spec, rng.random());
}

/** Removes floating-point noise such as 0.30000000000000004 from stepped values. */
function roundToStep(v: number, low: number, step: number): number {
  const decimals = Math.max(decimalPlaces(low), decimalPlaces(step));
  return Number(v.toFixed(Math.min(15, decimals)));
}

function decimalPlaces(x: number): number {
  const s = String(x);
  if (s.includes("e-")) return Number(s.split("e-")[1]) + (s.split("e-")[0].split(".")[1]?.length ?? 0);
  return s.split(".")[1]?.length ?? 0;
}
