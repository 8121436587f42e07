import type { JsonValue } from "../optimization";

export type SearchState = "QUEUED" | "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";
export type EvaluationState = "NONE" | "PENDING" | "RUNNING" | "DONE" | "FAILED";

/** A search as the services hand it to callers. */
export interface SearchRecord {
  id: string;
  studyId: string;
  state: SearchState;
  nTrials: number | null;
  timeoutSeconds: number | null;
  concurrency: number;
  maxRetries: number;
  task: Record<string, JsonValue>;
  endReason: string | null;
  evaluationState: EvaluationState;
  evaluationTrialId: string | null;
  evaluation: Record<string, JsonValue> | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** A registered worker process. */
export interface ExecutorRecord {
  id: string;
  host: string;
  device: string;
  backend: string;
  trainers: string[];
  labels: Record<string, JsonValue>;
  registeredAt: Date;
  lastSeenAt: Date;
  stoppedAt: Date | null;
}

export const SEARCH_COLUMNS =
  "id, study_id, state, n_trials, timeout_seconds, concurrency, max_retries, task, end_reason, evaluation_state, " +
  "evaluation_trial_id, evaluation, created_at, started_at, ended_at";

export const EXECUTOR_COLUMNS = "id, host, device, backend, trainers, labels, registered_at, last_seen_at, stopped_at";

export function searchFromRow(row: Record<string, any>): SearchRecord {
  return {
    id: String(row.id),
    studyId: String(row.study_id),
    state: row.state,
    nTrials: row.n_trials,
    timeoutSeconds: row.timeout_seconds,
    concurrency: row.concurrency,
    maxRetries: row.max_retries,
    task: row.task,
    endReason: row.end_reason,
    evaluationState: row.evaluation_state,
    evaluationTrialId: row.evaluation_trial_id == null ? null : String(row.evaluation_trial_id),
    evaluation: row.evaluation,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

export function executorFromRow(row: Record<string, any>): ExecutorRecord {
  return {
    id: String(row.id),
    host: row.host,
    device: row.device,
    backend: row.backend,
    trainers: row.trainers,
    labels: row.labels,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen_at,
    stoppedAt: row.stopped_at,
  };
}
