import type { Database } from "../db/database";
import type { EventReference } from "./eventCodec";
import type { DomainEvent, MetricsReportedEvent } from "./events";
import type { MetricCursor } from "./metricCursor";
import type { TrialQueries } from "../studies/trialQueries";

/** One stored point in replay order, with what a MetricBatch needs. */
export interface ReplayRow {
  studyId: string;
  trialId: string;
  name: string;
  step: number;
  value: number;
  reportedUs: string;
}

export interface ReplayScope {
  studyId: string | null;
  trialId: string | null;
}

/** The time of a point in exact microseconds, the unit of cursors and report events. */
const US = "(extract(epoch FROM p.time) * 1000000)::int8";

/**
 * Names compare in code-point order ("C"), as JavaScript compares them. Trials finished before the
 * cursor are skipped: points are stored only while a trial runs. One text per scope (not `$1 IS NULL OR ...`), so each prepared plan walks the indexes: trials of
 * the study (or the one trial), their series, then the points of each series by primary key.
 */
function replaySql(scopeColumn: "t.study_id" | "t.id"): string {
  return `SELECT t.study_id, ms.trial_id, ms.name, p.step, p.value, x.us
    FROM trials t
    JOIN metric_series ms ON ms.trial_id = t.id
    CROSS JOIN LATERAL series_points(ms.id) p
    CROSS JOIN LATERAL (SELECT ${US} AS us) x
    WHERE ${scopeColumn} = $1
      AND ($2::int4 IS NULL OR p.step > $2)
      AND ($3::int8 IS NULL OR t.completed_at IS NULL OR t.completed_at >= to_timestamp($3::int8 / 1000000.0) - interval '1 second')
      AND ($3::int8 IS NULL OR (x.us, ms.trial_id, ms.name COLLATE "C", p.step) > ($3::int8, $4::int8, $5::text COLLATE "C", $6::int4))
    ORDER BY x.us, ms.trial_id, ms.name COLLATE "C", p.step
    LIMIT $7`;
}
const REPLAY_BY_STUDY = replaySql("t.study_id");
const REPLAY_BY_TRIAL = replaySql("t.id");

/** The reads that streams need beyond the services': replays and events too large for NOTIFY. */
export class StreamQueries {
  constructor(
    private readonly db: Database,
    private readonly trialQueries: TrialQueries,
  ) {}

  /** The database's clock in microseconds, the clock of every stored point. */
  async nowUs(): Promise<string> {
    const [row] = await this.db.query<{ us: string }>(`SELECT (extract(epoch FROM now()) * 1000000)::int8 AS us`);
    return row.us;
  }

  /**
   * One page of stored points in replay order (time, trial, name, step), after `cursor` and above
   * `afterStep` when given. Positions compare as `compareCursors` does.
   */
  async replayPage(scope: ReplayScope, afterStep: number | null, cursor: MetricCursor | null, limit: number): Promise<ReplayRow[]> {
    const rows = await this.db.query<{ study_id: string; trial_id: string; name: string; step: number; value: number; us: string }>(
      scope.trialId ? REPLAY_BY_TRIAL : REPLAY_BY_STUDY,
      [scope.trialId ?? scope.studyId, afterStep, cursor?.reportedUs ?? null, cursor?.trialId ?? null, cursor?.name ?? null, cursor?.step ?? null, limit],
    );
    return rows.map((r) => ({
      studyId: String(r.study_id),
      trialId: String(r.trial_id),
      name: r.name,
      step: r.step,
      value: r.value,
      reportedUs: r.us,
    }));
  }

  /** Reads back an event that was too large for one NOTIFY. */
  async resolveReference(reference: EventReference): Promise<DomainEvent | null> {
    if (reference.kind === "trial") {
      const trial = (await this.trialQueries.findMany([reference.trialId])).get(reference.trialId);
      return trial ? { type: "trialChanged", trial } : null;
    }
    // Every point of one report carries the report statement's time, to the microsecond.
    const rows = await this.db.query<{ name: string; step: number; value: number }>(
      `SELECT ms.name, p.step, p.value FROM metric_series ms CROSS JOIN LATERAL series_points(ms.id) p
       WHERE ms.trial_id = $1 AND ${US} = $2::int8
       ORDER BY ms.name, p.step`,
      [reference.trialId, reference.reportedUs],
    );
    if (!rows.length) return null;
    const event: MetricsReportedEvent = {
      type: "metricsReported",
      studyId: reference.studyId,
      trialId: reference.trialId,
      reportedUs: reference.reportedUs,
      series: [],
    };
    for (const r of rows) {
      let series = event.series.at(-1);
      if (!series || series.name !== r.name) {
        series = { name: r.name, steps: [], values: [] };
        event.series.push(series);
      }
      series.steps.push(r.step);
      series.values.push(r.value);
    }
    return event;
  }
}
