import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { MetricSeriesEntity } from "./metricSeries";

/**
 * One point of a series. The primary key (series_id, step) is also what makes reports idempotent,
 * and there is no other index: with millions of rows, each byte per row counts.
 */
@Entity({ name: "metric_points" })
export class MetricPointEntity {
  @PrimaryColumn({ type: "bigint", name: "series_id" })
  seriesId: string;

  @PrimaryColumn({ type: "integer" })
  step: number;

  @ManyToOne(() => MetricSeriesEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "series_id" })
  series?: MetricSeriesEntity;

  @Column({ type: "double precision" })
  value: number;

  @Column({ type: "timestamptz" })
  time: Date;
}
