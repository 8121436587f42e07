import type { Database } from "../db/database";
import { BadUserInputError, ConflictError, NotFoundError } from "../errors";
import { createPruner, type PruneDecision } from "../optimization";
import { parseId } from "./ids";
import { checkFinite, checkName } from "./inputChecks";
import { lttb } from "./lttb";
import type { TrialHistory } from "./trialHistory";
import { decideReports } from "../optimization/pruners/decideReports";
import { NO_EVENTS, type EventPublisher } from "../events/eventBus";
import type { ReportedSeries } from "../events/events";
import { ReportWriter } from "./reportWriter";
import { arrayParam } from "../db/arrayParam";

export interface MetricPointRequest {
  name?: string | null;
  step: number;
  value: number;
}

export interface StoredPoint {
  step: number;
  value: number;
  time: Date;
}

export interface SeriesRecord {
  name: string;
  points: StoredPoint[];
}

/** The largest batch one reportMetrics call may carry. */
export const MAX_POINTS_PER_REPORT = 10_000;

/** Logging metric points and reading them back. */
export class MetricService {
  constructor(
    private readonly db: Database,
    private readonly history: TrialHistory,
    private readonly events: EventPublisher = NO_EVENTS,
    /** Shared by this process's reports, so those arriving together go in one statement. */
    readonly writer = new ReportWriter(db),
  ) {}

  /**
   * Stores a batch of points in one statement. Idempotent per (trial, name, step): a retried
   * batch adds nothing, and the first value stored for a step stays. Points of a trial that is
   * no longer RUNNING are refused with CONFLICT and nothing is stored.
   */
  async report(trialId: string, points: MetricPointRequest[]): Promise<PruneDecision> {
    parseId("trial", trialId);
    if (points.length === 0) throw new BadUserInputError("points must hold at least one point.", "points");
    if (points.length > MAX_POINTS_PER_REPORT) {
      throw new BadUserInputError(`points holds ${points.length} points; send at most ${MAX_POINTS_PER_REPORT} per call.`, "points");
    }
    const names: (string | null)[] = [];
    const steps: number[] = [];
    const values: number[] = [];
    const seen = new Set<string>();
    points.forEach((p, i) => {
      const name = p.name == null ? null : checkName(p.name, `points[${i}].name`);
      if (!Number.isInteger(p.step) || p.step < 0) {
        throw new BadUserInputError(`points[${i}].step must be a non-negative integer (got ${p.step}).`, `points[${i}].step`);
      }
      checkFinite(p.value, `points[${i}].value`);
      const key = `${name ?? ""}\u0000${p.step}`;
      if (seen.has(key)) {
        throw new BadUserInputError(`points[${i}] repeats step ${p.step} of metric "${name ?? "(objective)"}" within one batch.`, `points[${i}].step`);
      }
      seen.add(key);
      names.push(name);
      steps.push(p.step);
      values.push(p.value);
    });

    // One round trip, shared with concurrent reports of other trials (see ReportWriter), committed
    // without waiting for the disk flush (see queryAsyncCommit).
    const stored = await this.writer.write({ trialId, names, steps, values });
    if (!stored) throw new NotFoundError("trial", trialId);
    if (stored.state !== "RUNNING") {
      throw new ConflictError(`trial ${stored.number} is ${stored.state}; metrics can be reported only while it runs.`, "trialId");
    }
    const { studyId, objectiveMetric } = stored;
    if (stored.inserted > 0) {
      const series = reportedSeries(names, steps, values, objectiveMetric, stored.insertedKeys);
      this.events.publish({ type: "metricsReported", studyId, trialId, reportedUs: stored.reportedUs, series });
    }
    const touchesObjective = names.some((n) => n === null || n === objectiveMetric);
    if (!touchesObjective || stored.pruner.type === "NONE") return { shouldPrune: false, reason: null };
    const objectiveSteps = steps.filter((_, i) => names[i] === null || names[i] === objectiveMetric);
    const decision = await this.decidePruning(trialId, studyId, stored.number, objectiveSteps);
    if (decision.shouldPrune) {
      this.events.publish({ type: "trialControl", studyId, trialId, action: "PRUNE", reason: decision.reason });
    }
    return decision;
  }

  /**
   * Runs the study's pruner on the trial's objective reports, once per new step (so a batch never
   * lets a trial skip a rung), and records the reason when it says prune.
   */
  private async decidePruning(trialId: string, studyId: string, number: number, newSteps: number[]): Promise<PruneDecision> {
    return this.db.transaction(async (sql) => {
      // Reports of one study are decided one at a time, so concurrent reporters get the answers
      // of some serial order.
      await sql.query(`SELECT pg_advisory_xact_lock(hashtext('graphtune.prune'), $1::int)`, [Number(studyId) % 2 ** 31]);
      const [s] = await sql.query<Record<string, any>>(
        `SELECT id, directions, search_space, objective_metric, pruner FROM studies WHERE id = $1`,
        [studyId],
      );
      const pruner = createPruner(s.pruner);
      const study = { id: studyId, directions: s.directions, searchSpace: s.search_space, objectiveMetric: s.objective_metric };
      const view = await this.history.load(sql, study);
      const trial = view.trials.find((t) => t.number === number);
      if (!trial || trial.state !== "RUNNING") return { shouldPrune: false, reason: null };
      const others = { ...view, trials: view.trials.filter((t) => t.number !== number) };
      const decision = decideReports(pruner, others, trial, newSteps);
      if (decision.shouldPrune) {
        await sql.query(`UPDATE trials SET prune_reason = $2 WHERE id = $1`, [trialId, decision.reason]);
      }
      return decision;
    });
  }

  /**
   * Series of many trials at once (one query), optionally only some names, each downsampled to
   * at most `maxPoints` points.
   */
  async seriesOfTrials(
    trialIds: readonly string[],
    names: string[] | null,
    maxPoints: number | null,
  ): Promise<Map<string, SeriesRecord[]>> {
    const rows = await this.db.query<{ trial_id: string; name: string; step: number; value: number; time: Date }>(
      `SELECT ms.trial_id, ms.name, p.step, p.value, p.time
       FROM metric_series ms CROSS JOIN LATERAL series_points(ms.id) p
       WHERE ms.trial_id = ANY(${arrayParam(1, "bigint")}) AND ($2::text[] IS NULL OR ms.name = ANY($2::text[]))
       ORDER BY ms.trial_id, ms.name, p.step`,
      [trialIds, names],
    );
    return groupSeries(rows, maxPoints);
  }

  /** The objective metric's points of many trials at once, full resolution. */
  async intermediateValuesOfTrials(trialIds: readonly string[]): Promise<Map<string, StoredPoint[]>> {
    const rows = await this.db.query<{ trial_id: string; name: string; step: number; value: number; time: Date }>(
      `SELECT ms.trial_id, ms.name, p.step, p.value, p.time
       FROM trials t JOIN studies s ON s.id = t.study_id
       JOIN metric_series ms ON ms.trial_id = t.id AND ms.name = s.objective_metric
       CROSS JOIN LATERAL series_points(ms.id) p
       WHERE t.id = ANY(${arrayParam(1, "bigint")})
       ORDER BY ms.trial_id, p.step`,
      [trialIds],
    );
    const out = new Map<string, StoredPoint[]>();
    for (const [trialId, series] of groupSeries(rows, null)) out.set(trialId, series[0]?.points ?? []);
    return out;
  }
}

/**
 * The points a report stored, by series: all of them, or only `insertedKeys` ([name, step] pairs)
 * when some were already stored by an earlier try of the same report.
 */
function reportedSeries(
  names: (string | null)[],
  steps: number[],
  values: number[],
  objectiveMetric: string,
  insertedKeys: [string, number][] | null,
): ReportedSeries[] {
  const inserted = insertedKeys ? new Set(insertedKeys.map(([name, step]) => `${name}\u0000${step}`)) : null;
  const byName = new Map<string, ReportedSeries>();
  names.forEach((n, i) => {
    const name = n ?? objectiveMetric;
    if (inserted && !inserted.has(`${name}\u0000${steps[i]}`)) return;
    let series = byName.get(name);
    if (!series) {
      series = { name, steps: [], values: [] };
      byName.set(name, series);
    }
    series.steps.push(steps[i]);
    series.values.push(values[i]);
  });
  return [...byName.values()];
}

function groupSeries(
  rows: { trial_id: string; name: string; step: number; value: number; time: Date }[],
  maxPoints: number | null,
): Map<string, SeriesRecord[]> {
  const out = new Map<string, SeriesRecord[]>();
  let current: SeriesRecord | null = null;
  let currentTrial = "";
  for (const r of rows) {
    const trialId = String(r.trial_id);
    if (!current || trialId !== currentTrial || r.name !== current.name) {
      current = { name: r.name, points: [] };
      currentTrial = trialId;
      const list = out.get(trialId) ?? [];
      list.push(current);
      out.set(trialId, list);
    }
    current.points.push({ step: r.step, value: r.value, time: r.time });
  }
  if (maxPoints != null) {
    for (const list of out.values()) for (const s of list) s.points = lttb(s.points, maxPoints);
  }
  return out;
}
