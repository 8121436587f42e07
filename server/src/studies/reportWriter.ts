import type { Database } from "../db/database";
import type { PrunerConfig } from "../optimization";

/** The points of one reportMetrics call, checked, as parallel arrays (a null name: the objective). */
export interface ReportPoints {
  trialId: string;
  names: (string | null)[];
  steps: number[];
  values: number[];
}

/** The trial as the write found it, and what the write stored of its points. */
export interface StoredReport {
  number: number;
  state: string;
  studyId: string;
  objectiveMetric: string;
  pruner: PrunerConfig;
  /** Points stored now; fewer than sent when an earlier try of the same report stored some. */
  inserted: number;
  /** The report's time in microseconds, as stored with its points (replay cursors compare it). */
  reportedUs: string;
  /** [name, step] of the points stored now, when fewer than sent were stored; else null. */
  insertedKeys: [string, number][] | null;
}

export interface ReportWriterOptions {
  /** Statements in flight at once; reports arriving meanwhile wait and go together. Default 2. */
  maxStatements?: number;
  /** Most points in one statement (a single larger report still goes alone). Default 10,000. */
  maxPoints?: number;
}

interface Pending {
  report: ReportPoints;
  resolve: (stored: StoredReport | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes reports of different trials that arrive together in one statement: one round trip, one
 * transaction and one commit for all of them. PostgreSQL spent about 0.38 ms of CPU on a report
 * written alone, and 0.15 ms a report when four went together. No report waits longer than the
 * current turn of the event loop while fewer than `maxStatements` statements are in flight;
 * reports that arrive while that many are, go together in the next statement once one ends.
 * Reports of one trial never share a statement, so each keeps its own answer (which points it
 * stored). When a shared statement fails, each of its reports is written again alone, so only the
 * one at fault gets the error.
 */
export class ReportWriter {
  private waiting: Pending[] = [];
  private inFlight = 0;
  private sendScheduled = false;
  private readonly maxStatements: number;
  private readonly maxPoints: number;
  /** Statements sent and reports written so far. */
  readonly counts = { statements: 0, reports: 0 };

  constructor(
    private readonly db: Database,
    options: ReportWriterOptions = {},
  ) {
    this.maxStatements = options.maxStatements ?? 2;
    this.maxPoints = options.maxPoints ?? 10_000;
  }

  /** Stores the points of a RUNNING trial; null when the trial does not exist. */
  write(report: ReportPoints): Promise<StoredReport | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ report, resolve, reject });
      // After this turn of the event loop, so reports of requests read together go together.
      if (!this.sendScheduled && this.inFlight < this.maxStatements) {
        this.sendScheduled = true;
        setImmediate(() => {
          this.sendScheduled = false;
          this.sendWaiting();
        });
      }
    });
  }

  private sendWaiting(): void {
    while (this.inFlight < this.maxStatements && this.waiting.length) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.sendWaiting();
      });
    }
  }

  /** The oldest waiting reports of distinct trials, up to maxPoints (at least one report). */
  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    const rest: Pending[] = [];
    const trials = new Set<string>();
    let points = 0;
    for (const pending of this.waiting) {
      const size = pending.report.steps.length;
      if (group.length && (trials.has(pending.report.trialId) || points + size > this.maxPoints)) {
        rest.push(pending);
        continue;
      }
      group.push(pending);
      trials.add(pending.report.trialId);
      points += size;
    }
    this.waiting = rest;
    return group;
  }

  private async send(group: Pending[]): Promise<void> {
    let rows: Record<string, any>[];
    try {
      this.counts.statements++;
      rows = await this.db.queryAsyncCommit<Record<string, any>>(WRITE_REPORTS, statementParameters(group.map((p) => p.report)));
    } catch (error) {
      if (group.length === 1) group[0].reject(error);
      else await Promise.all(group.map((pending) => this.send([pending])));
      return;
    }
    this.counts.reports += group.length;
    const byTrial = new Map(rows.map((row) => [String(row.id), row]));
    for (const pending of group) {
      const row = byTrial.get(pending.report.trialId);
      pending.resolve(row ? storedReport(row) : null);
    }
  }
}

/** $1 the trials, $2 each point's trial (1-based into $1), then each point's name, step and value. */
function statementParameters(reports: ReportPoints[]): unknown[] {
  const trialIds: string[] = [];
  const trialOfPoint: number[] = [];
  const names: (string | null)[] = [];
  const steps: number[] = [];
  const values: number[] = [];
  for (const report of reports) {
    trialIds.push(report.trialId);
    for (let i = 0; i < report.steps.length; i++) trialOfPoint.push(trialIds.length);
    names.push(...report.names);
    steps.push(...report.steps);
    values.push(...report.values);
  }
  return [trialIds, trialOfPoint, names, steps, values];
}

function storedReport(row: Record<string, any>): StoredReport {
  return {
    number: row.number,
    state: row.state,
    studyId: String(row.study_id),
    objectiveMetric: row.objective_metric,
    pruner: row.pruner,
    inserted: Number(row.inserted),
    reportedUs: row.reported_us,
    insertedKeys: row.inserted_keys,
  };
}

/**
 * Locks the trials against a concurrent tell (FOR SHARE, in id order), keeps the points of RUNNING
 * ones, creates missing series (DO UPDATE, not DO NOTHING, so a series created by a concurrent
 * report is returned too; in a fixed order, so concurrent writes lock series rows in one order),
 * inserts the points (a step stored before is kept: reports are idempotent), and answers one row
 * per existing trial.
 */
const WRITE_REPORTS = `WITH t AS (
    SELECT t.id, t.number, t.state, t.study_id, s.objective_metric, s.pruner
    FROM trials t JOIN studies s ON s.id = t.study_id
    WHERE t.id = ANY($1::bigint[]) ORDER BY t.id FOR SHARE OF t
  ), input AS (
    SELECT t.id AS trial_id, COALESCE(i.name, t.objective_metric) AS name, i.step, i.value
    FROM unnest($2::int[], $3::text[], $4::int[], $5::float8[]) AS i(k, name, step, value)
    JOIN t ON t.id = ($1::bigint[])[i.k]
    WHERE t.state = 'RUNNING'
  ), series AS (
    INSERT INTO metric_series (trial_id, name)
    SELECT DISTINCT trial_id, name FROM input ORDER BY 1, 2
    ON CONFLICT (trial_id, name) DO UPDATE SET name = EXCLUDED.name
    RETURNING id, trial_id, name
  ), inserted AS (
    INSERT INTO metric_points (series_id, step, value, time)
    SELECT series.id, input.step, input.value, now()
    FROM input JOIN series ON series.trial_id = input.trial_id AND series.name = input.name
    ON CONFLICT (series_id, step) DO NOTHING
    RETURNING series_id, step
  ), stored AS (
    SELECT series.trial_id, count(*) AS n, json_agg(json_build_array(series.name, inserted.step)) AS keys
    FROM inserted JOIN series ON series.id = inserted.series_id GROUP BY series.trial_id
  ), sent AS (
    SELECT trial_id, count(*) AS n FROM input GROUP BY trial_id
  )
  SELECT t.id, t.number, t.state, t.study_id, t.objective_metric, t.pruner, COALESCE(stored.n, 0) AS inserted,
    (extract(epoch FROM now()) * 1000000)::int8 AS reported_us,
    CASE WHEN COALESCE(stored.n, 0) < sent.n THEN stored.keys END AS inserted_keys
  FROM t LEFT JOIN stored ON stored.trial_id = t.id LEFT JOIN sent ON sent.trial_id = t.id`;
