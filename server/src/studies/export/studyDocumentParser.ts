import { BadUserInputError } from "../../errors";
import {
  InvalidSpaceError,
  assertPrunerConfig,
  parseParamSpec,
  parseSearchSpace,
  type Direction,
  type JsonValue,
  type ParamSpec,
  type RawParamSpec,
  type TrialState,
} from "../../optimization";
import { createStudySampler } from "../../optimization/studySampler";
import { checkNote, checkTagCount, checkTags } from "../annotationChecks";
import { checkFinite, checkName, checkObject } from "../inputChecks";
import { microsFromIso, optionalMicros } from "./microseconds";
import { STUDY_EXPORT_FORMAT, STUDY_EXPORT_VERSION, type StudyPart } from "./studyDocument";

/** A checked export, with times as microsecond counts, ready to be written. */
export interface ParsedStudy {
  study: Omit<StudyPart, "createdAt"> & { createdUs: number };
  trials: ParsedTrial[];
}

export interface ParsedTrial {
  number: number;
  state: TrialState;
  params: Record<string, JsonValue>;
  distributions: Record<string, ParamSpec>;
  values: number[] | null;
  userAttrs: Record<string, JsonValue>;
  tags: string[];
  note: string | null;
  pruneReason: string | null;
  failReason: string | null;
  owner: string | null;
  askKey: string | null;
  retryOf: number | null;
  createdUs: number;
  startedUs: number | null;
  completedUs: number | null;
  heartbeatUs: number | null;
  metrics: ParsedSeries[];
}

export interface ParsedSeries {
  name: string;
  steps: number[];
  values: number[];
  timesUs: number[];
}

const STATES: TrialState[] = ["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL"];

/**
 * Reads and checks a JSON study export completely before anything is written, so bad input is
 * refused whole. Errors name the offending place as `data.trials[3].values` and so on.
 */
export function parseStudyDocument(text: string): ParsedStudy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BadUserInputError(`data is not JSON (${(error as Error).message}); pass the text exportStudy(format: JSON) returned.`, "data");
  }
  const doc = checkObject(raw, "data");
  if (doc.format !== STUDY_EXPORT_FORMAT) {
    throw new BadUserInputError(`data.format must be "${STUDY_EXPORT_FORMAT}"; only JSON study exports can be imported (CSV exports cannot).`, "data.format");
  }
  if (doc.version !== STUDY_EXPORT_VERSION) {
    throw new BadUserInputError(`data.version ${JSON.stringify(doc.version)} is not one this server reads (${STUDY_EXPORT_VERSION}); export again from this version.`, "data.version");
  }
  const study = parseStudy(checkObject(doc.study, "data.study"));
  if (!Array.isArray(doc.trials)) throw new BadUserInputError("data.trials must be a list.", "data.trials");
  const trials = doc.trials.map((t: unknown, i: number) => parseTrial(t, `data.trials[${i}]`, study.directions.length));
  trials.forEach((t: ParsedTrial, i: number) => {
    if (t.number !== i) {
      throw new BadUserInputError(`data.trials[${i}].number is ${t.number}; trials must be numbered 0, 1, 2, ... in order, without gaps.`, `data.trials[${i}].number`);
    }
  });
  trials.forEach((t: ParsedTrial, i: number) => {
    if (t.retryOf !== null && (t.retryOf >= trials.length || t.retryOf === t.number)) {
      throw new BadUserInputError(`data.trials[${i}].retryOf must be the number of another trial of the study.`, `data.trials[${i}].retryOf`);
    }
  });
  const askKeys = new Set<string>();
  trials.forEach((t: ParsedTrial, i: number) => {
    if (t.askKey === null) return;
    if (askKeys.has(t.askKey)) throw new BadUserInputError(`data.trials[${i}].askKey repeats another trial's.`, `data.trials[${i}].askKey`);
    askKeys.add(t.askKey);
  });
  if (study.nextTrialNumber < trials.length) {
    throw new BadUserInputError(`data.study.nextTrialNumber must be at least the number of trials (${trials.length}).`, "data.study.nextTrialNumber");
  }
  return { study, trials };
}

function parseStudy(s: Record<string, any>): ParsedStudy["study"] {
  const f = (name: string) => `data.study.${name}`;
  if (!Array.isArray(s.directions) || s.directions.length === 0 || s.directions.some((d: unknown) => d !== "MINIMIZE" && d !== "MAXIMIZE")) {
    throw new BadUserInputError(`${f("directions")} must be a non-empty list of MINIMIZE or MAXIMIZE.`, f("directions"));
  }
  if (!Array.isArray(s.searchSpace)) throw new BadUserInputError(`${f("searchSpace")} must be a list.`, f("searchSpace"));
  const searchSpace = parseSearchSpace(s.searchSpace as RawParamSpec[], f("searchSpace"));
  const sampler = checkObject(s.sampler, f("sampler"));
  const samplerConfig = {
    type: checkName(sampler.type, f("sampler.type")),
    seed: integer(sampler.seed, f("sampler.seed"), 0, Number.MAX_SAFE_INTEGER),
    options: checkObject(sampler.options, f("sampler.options")),
  };
  const pruner = checkObject(s.pruner, f("pruner"));
  const prunerConfig = { type: checkName(pruner.type, f("pruner.type")), options: checkObject(pruner.options, f("pruner.options")) };
  prefixed("data.study.", () => createStudySampler(samplerConfig));
  prefixed("data.study.", () => assertPrunerConfig(prunerConfig));
  return {
    name: checkName(s.name, f("name")),
    directions: s.directions as Direction[],
    searchSpace,
    sampler: samplerConfig,
    pruner: prunerConfig,
    objectiveMetric: checkName(s.objectiveMetric, f("objectiveMetric")),
    userAttrs: checkObject(s.userAttrs, f("userAttrs")),
    tags: checkTagCount(checkTags(s.tags ?? [], f("tags")), f("tags")),
    note: checkNote(s.note, f("note")),
    createdUs: microsFromIso(s.createdAt, f("createdAt")),
    samplerState: s.samplerState ?? null,
    nextTrialNumber: integer(s.nextTrialNumber, f("nextTrialNumber"), 0),
  };
}

function parseTrial(raw: unknown, path: string, objectives: number): ParsedTrial {
  const t = checkObject(raw, path);
  const f = (name: string) => `${path}.${name}`;
  if (!STATES.includes(t.state)) throw new BadUserInputError(`${f("state")} must be one of ${STATES.join(", ")}.`, f("state"));
  let values: number[] | null = null;
  if (t.values != null) {
    if (!Array.isArray(t.values)) throw new BadUserInputError(`${f("values")} must be a list of numbers or null.`, f("values"));
    values = t.values.map((v: number, k: number) => checkFinite(v, `${f("values")}[${k}]`));
  }
  if (t.state === "COMPLETE" && values?.length !== objectives) {
    throw new BadUserInputError(`${f("values")} of a COMPLETE trial must hold ${objectives} value(s), one per direction.`, f("values"));
  }
  const distributions = checkObject(t.distributions, f("distributions"));
  const parsedDistributions: Record<string, ParamSpec> = {};
  for (const [name, spec] of Object.entries(distributions)) {
    parsedDistributions[name] = parseParamSpec(checkObject(spec, `${f("distributions")}.${name}`) as RawParamSpec, `${f("distributions")}.${name}`);
  }
  if (!Array.isArray(t.metrics)) throw new BadUserInputError(`${f("metrics")} must be a list.`, f("metrics"));
  const names = new Set<string>();
  const metrics = t.metrics.map((m: unknown, k: number) => {
    const series = parseSeries(m, `${f("metrics")}[${k}]`);
    if (names.has(series.name)) throw new BadUserInputError(`${f("metrics")}[${k}].name repeats "${series.name}".`, `${f("metrics")}[${k}].name`);
    names.add(series.name);
    return series;
  });
  return {
    number: integer(t.number, f("number"), 0),
    state: t.state,
    params: checkObject(t.params, f("params")),
    distributions: parsedDistributions,
    values,
    userAttrs: checkObject(t.userAttrs, f("userAttrs")),
    tags: checkTagCount(checkTags(t.tags ?? [], f("tags")), f("tags")),
    note: checkNote(t.note, f("note")),
    pruneReason: optionalText(t.pruneReason, f("pruneReason")),
    failReason: optionalText(t.failReason, f("failReason")),
    owner: optionalText(t.owner, f("owner")),
    askKey: optionalText(t.askKey, f("askKey")),
    retryOf: t.retryOf == null ? null : integer(t.retryOf, f("retryOf"), 0),
    createdUs: microsFromIso(t.createdAt, f("createdAt")),
    startedUs: optionalMicros(t.startedAt, f("startedAt")),
    completedUs: optionalMicros(t.completedAt, f("completedAt")),
    heartbeatUs: optionalMicros(t.heartbeatAt, f("heartbeatAt")),
    metrics,
  };
}

function parseSeries(raw: unknown, path: string): ParsedSeries {
  const s = checkObject(raw, path);
  const name = checkName(s.name, `${path}.name`);
  for (const key of ["steps", "values", "timeOffsetsUs"]) {
    if (!Array.isArray(s[key])) throw new BadUserInputError(`${path}.${key} must be a list.`, `${path}.${key}`);
    if (s[key].length !== s.steps.length) {
      throw new BadUserInputError(`${path}.${key} must have one entry per step (${s.steps.length}).`, `${path}.${key}`);
    }
  }
  const base = s.steps.length ? microsFromIso(s.timeBase, `${path}.timeBase`) : 0;
  let previous = -1;
  const steps = s.steps.map((step: unknown, i: number) => {
    const n = integer(step, `${path}.steps[${i}]`, 0);
    if (n <= previous) throw new BadUserInputError(`${path}.steps must increase (step ${n} follows ${previous}).`, `${path}.steps[${i}]`);
    previous = n;
    return n;
  });
  return {
    name,
    steps,
    values: s.values.map((v: number, i: number) => checkFinite(v, `${path}.values[${i}]`)),
    timesUs: s.timeOffsetsUs.map((o: unknown, i: number) => base + integer(o, `${path}.timeOffsetsUs[${i}]`, 0, Number.MAX_SAFE_INTEGER)),
  };
}

// Trial numbers and steps are 32-bit columns.
const MAX_INT = 2 ** 31 - 1;

function integer(value: unknown, field: string, min: number, max = MAX_INT): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new BadUserInputError(`${field} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)}).`, field);
  }
  return value;
}

function optionalText(value: unknown, field: string): string | null {
  if (value == null) return null;
  if (typeof value !== "string") throw new BadUserInputError(`${field} must be a string or null.`, field);
  return value;
}

/** Engine errors name fields relative to the study; callers see them under `data.study.`. */
function prefixed(prefix: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidSpaceError) throw new InvalidSpaceError(prefix + error.field, error.message);
    throw error;
  }
}
