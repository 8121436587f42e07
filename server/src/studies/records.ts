import type { Direction, JsonValue, ParamSpec, TrialState } from "../optimization";
import type { PrunerConfig } from "../optimization/pruners/pruner";
import type { SamplerConfig } from "../optimization/samplers/sampler";

/** A study as the services hand it to callers. */
export interface StudyRecord {
  id: string;
  projectId: string;
  name: string;
  directions: Direction[];
  searchSpace: ParamSpec[];
  sampler: SamplerConfig;
  pruner: PrunerConfig;
  objectiveMetric: string;
  userAttrs: Record<string, JsonValue>;
  tags: string[];
  note: string | null;
  createdAt: Date;
}

export interface TrialRecord {
  id: string;
  studyId: string;
  number: number;
  state: TrialState;
  params: Record<string, JsonValue>;
  distributions: Record<string, ParamSpec>;
  values: number[] | null;
  userAttrs: Record<string, JsonValue>;
  pruneReason: string | null;
  owner: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  heartbeatAt: Date | null;
  /** The search that runs the trial, if any. */
  searchId: string | null;
  failReason: string | null;
  /** The failed trial this one runs again. */
  retryOf: string | null;
  /** Absent on records rebuilt from events of another server process; Trial.tags loads them then. */
  tags?: string[];
  /** Absent where `tags` is. */
  note?: string | null;
}

/** The columns `studyFromRow` reads, for SELECT lists. */
export const STUDY_COLUMNS =
  "id, project_id, name, directions, search_space, sampler, pruner, objective_metric, user_attrs, tags, note, created_at";

/** The columns `trialFromRow` reads, for SELECT lists (prefix with an alias where needed). */
export const TRIAL_COLUMNS =
  'id, study_id, number, state, params, distributions, "values", user_attrs, prune_reason, owner, created_at, started_at, completed_at, heartbeat_at, search_id, fail_reason, retry_of, tags, note';

export function trialColumns(alias: string): string {
  return TRIAL_COLUMNS.split(", ")
    .map((c) => `${alias}.${c}`)
    .join(", ");
}

export function studyFromRow(row: Record<string, any>): StudyRecord {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    name: row.name,
    directions: row.directions,
    searchSpace: row.search_space,
    sampler: row.sampler,
    pruner: row.pruner,
    objectiveMetric: row.objective_metric,
    userAttrs: row.user_attrs,
    tags: row.tags ?? [],
    note: row.note ?? null,
    createdAt: row.created_at,
  };
}

export function trialFromRow(row: Record<string, any>): TrialRecord {
  return {
    id: String(row.id),
    studyId: String(row.study_id),
    number: row.number,
    state: row.state,
    params: row.params,
    distributions: row.distributions,
    values: row.values,
    userAttrs: row.user_attrs,
    pruneReason: row.prune_reason,
    owner: row.owner,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    heartbeatAt: row.heartbeat_at,
    searchId: row.search_id == null ? null : String(row.search_id),
    failReason: row.fail_reason,
    retryOf: row.retry_of == null ? null : String(row.retry_of),
    tags: row.tags ?? [],
    note: row.note ?? null,
  };
}
