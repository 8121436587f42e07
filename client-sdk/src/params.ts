import type { ParamSpecInput, StudyFieldsFragment } from "./generated/graphql";
import type { JsonValue } from "./json";

/** A declared parameter as the server returns it. */
export type DeclaredParam = StudyFieldsFragment["searchSpace"][number];

export interface FloatParamOptions {
  /** Sample on a log scale (low must be > 0); default false. */
  log?: boolean;
  /** Only multiples of step above low; default none (continuous). Not with log. */
  step?: number;
}

export interface IntParamOptions {
  /** Sample on a log scale (low must be > 0); default false. */
  log?: boolean;
  /** Only low, low + step, ...; default 1. Not with log. */
  step?: number;
}

/** A FLOAT parameter for a study's searchSpace; the same arguments as trial.suggestFloat. */
export function floatParam(name: string, low: number, high: number, options: FloatParamOptions = {}): ParamSpecInput {
  return { name, type: "FLOAT", low, high, log: options.log ?? false, step: options.step ?? null };
}

/** An INT parameter for a study's searchSpace; the same arguments as trial.suggestInt. */
export function intParam(name: string, low: number, high: number, options: IntParamOptions = {}): ParamSpecInput {
  return { name, type: "INT", low, high, log: options.log ?? false, step: options.step ?? null };
}

/** A CATEGORICAL parameter for a study's searchSpace; the same arguments as trial.suggestCategorical. */
export function categoricalParam(name: string, choices: readonly JsonValue[]): ParamSpecInput {
  return { name, type: "CATEGORICAL", choices: [...choices] };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * True when a suggestion asks for exactly the distribution the study declared under that name, so
 * the value askTrial sampled can be used without a round trip. The server stores declared ranges
 * normalised (an INT step defaults to 1; high is cut to the last point on the step grid); the
 * same normalisation is applied here before comparing. Anything else goes to suggestParam, whose
 * answer (a value, or BAD_USER_INPUT for a different range) is the authority.
 */
export function matchesDeclared(declared: DeclaredParam, asked: ParamSpecInput): boolean {
  if (declared.type !== asked.type) return false;
  if (asked.type === "CATEGORICAL") return JSON.stringify(declared.choices) === JSON.stringify(asked.choices);
  const low = asked.low as number;
  let high = asked.high as number;
  let step = asked.step ?? null;
  if (asked.type === "INT") step ??= 1;
  if (step !== null && step > 0) high = low + Math.floor((high - low) / step + 1e-9) * step;
  return (
    declared.low !== null &&
    declared.high !== null &&
    close(declared.low, low) &&
    close(declared.high, high) &&
    declared.log === (asked.log ?? false) &&
    (declared.step === null ? step === null : step !== null && close(declared.step, step))
  );
}
