import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";
import type { JsonValue } from "../../optimization";

/** A worker process that registered to run trials: one per device. */
@Entity({ name: "executors" })
export class ExecutorEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "text" })
  host: string;

  /** cpu or gpu:N. */
  @Column({ type: "text" })
  device: string;

  /** What computes there (tensorflow-gpu, tensorflow, wasm, cpu, process). */
  @Column({ type: "text" })
  backend: string;

  /** The trainers this executor can run. */
  @Column({ type: "text", array: true, default: () => "'{}'" })
  trainers: string[];

  /**
   * The projects whose searches it may run (those its API key could run when it registered);
   * null: every project (registered without auth, or by a server administrator).
   */
  @Column({ type: "bigint", array: true, name: "project_ids", nullable: true })
  projectIds: string[] | null;

  @Column({ type: "jsonb", default: () => "'{}'" })
  labels: Record<string, JsonValue>;

  @CreateDateColumn({ type: "timestamptz", name: "registered_at" })
  registeredAt: Date;

  @Column({ type: "timestamptz", name: "last_seen_at", default: () => "now()" })
  lastSeenAt: Date;

  /** Set when the worker says it is leaving (SIGTERM); a gone executor is hidden from the list. */
  @Column({ type: "timestamptz", name: "stopped_at", nullable: true })
  stoppedAt: Date | null;
}
