import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from "typeorm";
import { MetricSeriesEntity } from "./metricSeries";

/**
 * The points of one series of a finished trial, as three parallel arrays ordered by step. A
 * trigger on `trials` moves a series here from `metric_points` when its trial finishes (see the
 * MetricArchive migration): a row per point costs about 110 bytes with its index, arrays about 20.
 * Finished trials take no more points, so an archived series never changes. Readers see both
 * tables through the `series_points(series_id)` function.
 */
@Entity({ name: "metric_archive" })
export class MetricArchiveEntity {
  @PrimaryColumn({ type: "bigint", name: "series_id" })
  seriesId: string;

  @OneToOne(() => MetricSeriesEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "series_id" })
  series?: MetricSeriesEntity;

  @Column({ type: "integer", array: true })
  steps: number[];

  @Column({ type: "double precision", array: true })
  values: number[];

  /** Exact to the microsecond: replay cursors and event references compare these. */
  @Column({ type: "timestamptz", array: true })
  times: Date[];
}
