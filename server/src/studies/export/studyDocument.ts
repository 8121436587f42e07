import type { Direction, JsonValue, ParamSpec, TrialState } from "../../optimization";
import type { PrunerConfig } from "../../optimization/pruners/pruner";
import type { SamplerConfig } from "../../optimization/samplers/sampler";

/** What `format` says in every export, so an import can tell a study export from other JSON. */
export const STUDY_EXPORT_FORMAT = "graphtune-study";
/** Bumped when the document changes incompatibly; importers read this version only. */
export const STUDY_EXPORT_VERSION = 1;

/**
 * A study exported as JSON: everything needed to recreate it exactly (the lossless export).
 * Times are ISO-8601 UTC strings with microseconds. Database ids are left out: an import makes
 * new ones, and trials refer to each other by number.
 */
export interface StudyDocument {
  format: typeof STUDY_EXPORT_FORMAT;
  version: typeof STUDY_EXPORT_VERSION;
  exportedAt: string;
  study: StudyPart;
  /** In number order: 0, 1, 2, ... */
  trials: TrialPart[];
}

export interface StudyPart {
  name: string;
  directions: Direction[];
  searchSpace: ParamSpec[];
  sampler: SamplerConfig;
  pruner: PrunerConfig;
  objectiveMetric: string;
  userAttrs: Record<string, JsonValue>;
  tags: string[];
  note: string | null;
  createdAt: string;
  /** What the sampler kept between asks (grid position, CMA-ES state), so sampling resumes. */
  samplerState: JsonValue | null;
  nextTrialNumber: number;
}

export interface TrialPart {
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
  /** The number of the failed trial this one ran again. */
  retryOf: number | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  heartbeatAt: string | null;
  /** Every series, by name; steps ascending. */
  metrics: SeriesPart[];
}

/**
 * One series, column-wise (a study of 1,000 trials x 100 points stays a few megabytes): the time
 * of point i is `timeBase` plus `timeOffsetsUs[i]` microseconds.
 */
export interface SeriesPart {
  name: string;
  steps: number[];
  values: number[];
  timeBase: string | null;
  timeOffsetsUs: number[];
}
