import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import type { JsonValue, ParamSpec } from "../../optimization";
import { SearchEntity } from "./search";
import { StudyEntity } from "./study";

@Entity({ name: "trials" })
@Index("trials_study_number_key", ["studyId", "number"], { unique: true })
@Index("trials_study_state_idx", ["studyId", "state", "number"])
@Index("trials_study_ask_key_key", ["studyId", "askKey"], { unique: true, where: `"ask_key" IS NOT NULL` })
@Index("trials_search_state_idx", ["searchId", "state"], { where: `"search_id" IS NOT NULL` })
@Index("trials_lease_idx", ["heartbeatAt"], { where: `"state" = 'RUNNING' AND "search_id" IS NOT NULL` })
@Index("trials_study_objective_idx", ["studyId", "objectiveValue"], { where: `"state" = 'COMPLETE'` })
export class TrialEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "bigint", name: "study_id" })
  studyId: string;

  @ManyToOne(() => StudyEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "study_id" })
  study?: StudyEntity;

  @Column({ type: "integer" })
  number: number;

  @Column({ type: "enum", enum: ["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL"], enumName: "trial_state" })
  state: "WAITING" | "RUNNING" | "COMPLETE" | "PRUNED" | "FAIL";

  @Column({ type: "jsonb", default: () => "'{}'" })
  params: Record<string, JsonValue>;

  /** The distribution each parameter was sampled from; fixed (enqueued) values may have none yet. */
  @Column({ type: "jsonb", default: () => "'{}'" })
  distributions: Record<string, ParamSpec>;

  @Column({ type: "double precision", array: true, nullable: true })
  values: number[] | null;

  /** values[0], kept apart so the best trial is one index look-up. */
  @Column({ type: "double precision", name: "objective_value", nullable: true })
  objectiveValue: number | null;

  @Column({ type: "jsonb", name: "user_attrs", default: () => "'{}'" })
  userAttrs: Record<string, JsonValue>;

  /** Labels a person or an agent puts on the trial. */
  @Column({ type: "text", array: true, default: () => "'{}'" })
  tags: string[];

  /** Free text a person keeps about the trial. */
  @Column({ type: "text", nullable: true })
  note: string | null;

  /** Why the trial was (or should be) pruned, as the pruner or a person said. */
  @Column({ type: "text", name: "prune_reason", nullable: true })
  pruneReason: string | null;

  /** Who runs the trial (an executor or client id), for leases. */
  @Column({ type: "text", nullable: true })
  owner: string | null;

  @Column({ type: "timestamptz", name: "heartbeat_at", nullable: true })
  heartbeatAt: Date | null;

  /** The search that runs this trial, if any; its executor must keep the heartbeat fresh. */
  @Column({ type: "bigint", name: "search_id", nullable: true })
  searchId: string | null;

  @ManyToOne(() => SearchEntity, { onDelete: "SET NULL" })
  @JoinColumn({ name: "search_id" })
  search?: SearchEntity;

  /** Why a FAIL trial failed: its lease expired, its program exited 1, its search was cancelled. */
  @Column({ type: "text", name: "fail_reason", nullable: true })
  failReason: string | null;

  /** The client's key for the askTrial that started this trial: a retried ask gets the same trial. */
  @Column({ type: "text", name: "ask_key", nullable: true })
  askKey: string | null;

  /** The failed trial this one retries with the same parameters. */
  @Column({ type: "bigint", name: "retry_of", nullable: true })
  retryOf: string | null;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;

  @Column({ type: "timestamptz", name: "started_at", nullable: true })
  startedAt: Date | null;

  @Column({ type: "timestamptz", name: "completed_at", nullable: true })
  completedAt: Date | null;
}
