import type { JsonValue, RawParamSpec } from "../../optimization";

/** A task that startSearch refuses, with the path of the offending field (e.g. "task.epochs"). */
export class TaskError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "TaskError";
  }
}

/**
 * What the server knows of a trainer without loading it (no tfjs, no processes): how to check a
 * task before a search starts, and the search space a study without one gets. Pure: the server
 * imports these; only workers import the trainers themselves.
 */
export interface TaskDefinition {
  /** The task's `trainer` name. */
  readonly trainer: string;
  /**
   * Checks a task and returns it with every default filled in, so a worker runs exactly what was
   * stored. Throws TaskError naming the field and what to write instead.
   */
  check(task: Record<string, JsonValue>): Record<string, JsonValue>;
  /** The search space for a study declared without one, or none when the trainer has no default. */
  defaultSearchSpace?(task: Record<string, JsonValue>): RawParamSpec[];
  /** Whether the trainer can score the best trial on held-out test data when the search ends. */
  readonly evaluatesBestTrial: boolean;
}
