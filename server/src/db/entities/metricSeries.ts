import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { TrialEntity } from "./trial";

/** One named series of a trial; points refer to it so names are not repeated per point. */
@Entity({ name: "metric_series" })
@Index("metric_series_trial_name_key", ["trialId", "name"], { unique: true })
export class MetricSeriesEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "bigint", name: "trial_id" })
  trialId: string;

  @ManyToOne(() => TrialEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "trial_id" })
  trial?: TrialEntity;

  @Column({ type: "text" })
  name: string;
}
