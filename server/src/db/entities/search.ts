import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import type { JsonValue } from "../../optimization";
import { StudyEntity } from "./study";

export const SEARCH_STATES = ["QUEUED", "RUNNING", "COMPLETED", "CANCELLED", "FAILED"] as const;
export const EVALUATION_STATES = ["NONE", "PENDING", "RUNNING", "DONE", "FAILED"] as const;

/**
 * A search: a budget of trials of one study that executors run with a task (a trainer and its
 * settings). Its trials carry its id; executors claim them under the search's row lock.
 */
@Entity({ name: "searches" })
@Index("searches_active_idx", ["state", "id"], { where: `"state" IN ('QUEUED', 'RUNNING')` })
@Index("searches_study_idx", ["studyId", "id"])
export class SearchEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "bigint", name: "study_id" })
  studyId: string;

  @ManyToOne(() => StudyEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "study_id" })
  study?: StudyEntity;

  /** QUEUED until an executor claims its first trial, then RUNNING until it ends. */
  @Column({ type: "enum", enum: SEARCH_STATES, enumName: "search_state", default: "QUEUED" })
  state: (typeof SEARCH_STATES)[number];

  /** How many trials to finish; null: until the timeout or a cancel. */
  @Column({ type: "integer", name: "n_trials", nullable: true })
  nTrials: number | null;

  @Column({ type: "integer", name: "timeout_seconds", nullable: true })
  timeoutSeconds: number | null;

  /** Trials of this search running at once, at most. */
  @Column({ type: "integer", default: 1 })
  concurrency: number;

  /** How often a failed trial is run again with the same parameters. */
  @Column({ type: "integer", name: "max_retries", default: 0 })
  maxRetries: number;

  /** The trainer and its settings, with every default filled in when the search started. */
  @Column({ type: "jsonb" })
  task: Record<string, JsonValue>;

  /** Why the search ended (budget spent, timeout, cancelled by request, ...). */
  @Column({ type: "text", name: "end_reason", nullable: true })
  endReason: string | null;

  /**
   * The held-out test evaluation of the best trial, for trainers that have one: NONE (the trainer
   * has none), PENDING (budget spent, waiting for an executor), RUNNING, DONE, FAILED.
   */
  @Column({ type: "enum", enum: EVALUATION_STATES, enumName: "search_evaluation_state", name: "evaluation_state", default: "NONE" })
  evaluationState: (typeof EVALUATION_STATES)[number];

  @Column({ type: "bigint", name: "evaluation_trial_id", nullable: true })
  evaluationTrialId: string | null;

  @Column({ type: "bigint", name: "evaluation_owner", nullable: true })
  evaluationOwner: string | null;

  @Column({ type: "timestamptz", name: "evaluation_heartbeat_at", nullable: true })
  evaluationHeartbeatAt: Date | null;

  /** The test metrics of the best trial, or { error } when the evaluation failed. */
  @Column({ type: "jsonb", name: "evaluation", nullable: true })
  evaluation: Record<string, JsonValue> | null;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  @Column({ type: "timestamptz", name: "started_at", nullable: true })
  startedAt: Date | null;

  @Column({ type: "timestamptz", name: "ended_at", nullable: true })
  endedAt: Date | null;
}
