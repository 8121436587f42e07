import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import type { JsonValue, ParamSpec } from "../../optimization";
import { ProjectEntity } from "./project";

@Entity({ name: "studies" })
@Index("studies_project_name_key", ["projectId", "name"], { unique: true })
@Index("studies_tags_idx", ["tags"], { type: "gin" })
export class StudyEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "bigint", name: "project_id" })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "project_id" })
  project?: ProjectEntity;

  @Column({ type: "text" })
  name: string;

  /** MINIMIZE or MAXIMIZE, one per objective. */
  @Column({ type: "text", array: true })
  directions: string[];

  @Column({ type: "jsonb", name: "search_space" })
  searchSpace: ParamSpec[];

  /** { type, seed, options }; the seed is fixed at creation so every server process samples alike. */
  @Column({ type: "jsonb" })
  sampler: { type: string; seed: number; options: Record<string, JsonValue> };

  @Column({ type: "jsonb" })
  pruner: { type: string; options: Record<string, JsonValue> };

  /** What the sampler keeps between asks (grid position, CMA-ES state, ...). */
  @Column({ type: "jsonb", name: "sampler_state", nullable: true })
  samplerState: JsonValue | null;

  /** The metric name that pruners read and that reports without a name go to. */
  @Column({ type: "text", name: "objective_metric", default: "objective" })
  objectiveMetric: string;

  @Column({ type: "jsonb", name: "user_attrs", default: () => "'{}'" })
  userAttrs: Record<string, JsonValue>;

  /** Labels for finding and comparing studies (compareStudies filters by them through the GIN index). */
  @Column({ type: "text", array: true, default: () => "'{}'" })
  tags: string[];

  /** Free text a person keeps about the study. */
  @Column({ type: "text", nullable: true })
  note: string | null;

  /** The number the next trial gets; incremented under the row lock, so numbers have no gaps. */
  @Column({ type: "integer", name: "next_trial_number", default: 0 })
  nextTrialNumber: number;

  @CreateDateColumn({ type: "timestamptz", name: "created_at" })
  createdAt: Date;
}
